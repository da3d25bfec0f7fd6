// Text that attacks the terminal, through the real binary: a proxy whose error message carries escape sequences
// (window title, screen clear, colours, C1 controls) and bidi overrides must not get them onto stderr or into
// `keyfob log`; bidi controls are refused in role names and models; and with no D-Bus at all the CLI says so.
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateRole } from '../../main/core/roles/index.js';
import { terminalSafe } from '../../main/cli/output.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome } from '../cli/harness.js';

const MASTER_KEY = 'sk-cli-hostile-text-master';
const HOSTILE = 'model \x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m \u202eevil\u202c \x9b1m \x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\';
// eslint-disable-next-line no-control-regex -- what must never reach a terminal
const TERMINAL_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('hostile text and the terminal', () => {
  let sim: Simulator;
  let home: string;

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY });
    home = tempHome('hostile-text');
    assert.equal((await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY })).code, 0);
    assert.equal((await keyfob(['role', 'set', 'dev', '--ttl', '15m'], { home })).code, 0);
  });

  after(async () => {
    await sim?.close();
  });

  it('escape sequences in a proxy error reach neither stderr nor `keyfob log`', async () => {
    sim.fault('/key/generate', {
      kind: 'fail',
      status: 400,
      contentType: 'json',
      body: JSON.stringify({ error: { message: `Invalid ${HOSTILE}`, type: 'invalid_request_error', param: null, code: '400' } }),
    });
    const issue = await keyfob(['issue', 'dev'], { home });
    assert.equal(issue.code, 1, show(issue));
    assert.match(issue.stderr, /^keyfob: /m);
    assert.doesNotMatch(issue.stderr, TERMINAL_CONTROL, JSON.stringify(issue.stderr));

    const log = await keyfob(['log'], { home });
    assert.equal(log.code, 0, show(log));
    assert.match(log.stdout, /issue\s+failed/);
    assert.doesNotMatch(log.stdout, TERMINAL_CONTROL, JSON.stringify(log.stdout));
    assert.doesNotMatch(log.stderr, TERMINAL_CONTROL);
  });

  it('terminalSafe removes sequences, keeps the words, and marks other controls', () => {
    assert.equal(terminalSafe('a\x1b[31mred\x1b[0m b'), 'ared b');
    assert.equal(terminalSafe('x\x1b]0;title\x07y'), 'xy');
    assert.equal(terminalSafe('line\nnext\ttab'), 'line next tab');
    assert.equal(terminalSafe('\u202eevil'), '\uFFFDevil');
    assert.equal(terminalSafe('ünïcode ✓'), 'ünïcode ✓');
    assert.doesNotMatch(terminalSafe(HOSTILE), TERMINAL_CONTROL);
  });

  it('bidi controls are refused in role names and models, with the reason', async () => {
    for (const bidi of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']) {
      assert.throws(() => validateRole({ name: `dev${bidi}x` }), (e: { fields: Array<{ field: string; message: string }> }) =>
        e.fields.some((f) => f.field === 'name' && /bidirectional control/.test(f.message)));
      assert.throws(() => validateRole({ name: 'dev', models: [`gpt-4o${bidi}-mini`] }), (e: { fields: Array<{ field: string; message: string }> }) =>
        e.fields.some((f) => /^models/.test(f.field) && /bidirectional control/.test(f.message)));
    }
    const r = await keyfob(['role', 'set', 'ops', '--models', 'gpt-4o\u202e-inim'], { home });
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /bidirectional control characters/, show(r));
    assert.equal((await keyfob(['role', 'show', 'ops'], { home })).code, 2, 'nothing was stored');
  });

  it('with no D-Bus at all (a desktop $DISPLAY, no dbus-launch), the CLI says there is no D-Bus session', async () => {
    // A PATH that holds node and nothing else: GLib's autolaunch finds no dbus-launch.
    const bin = mkdtempSync(join(process.env.KEYFOB_TEST_TMP ?? tmpdir(), 'keyfob-no-dbus-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const env = { DISPLAY: ':99', PATH: bin, DBUS_SESSION_BUS_ADDRESS: undefined };
    const noDbusHome = tempHome('no-dbus');
    const cases = await Promise.all([
      keyfob(['connect', '--url', sim.url], { home: noDbusHome, stdin: MASTER_KEY, env }),
      keyfob(['connect', '--url', sim.url], { home: noDbusHome, stdin: MASTER_KEY, env: { DBUS_SESSION_BUS_ADDRESS: 'not-an-address' } }),
    ]);
    for (const r of cases) {
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /^keyfob: There is no D-Bus session, so Keyfob cannot reach the Secret Service/m, show(r));
      assert.match(r.stderr, /^hint: .*start a D-Bus session/m, show(r));
    }
  });
});
