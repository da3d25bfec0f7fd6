// Issue 18, "fast, honest failure", through the real binary: against a proxy that never answers, `keyfob issue`
// sends one request and gives up after one request timeout (it used to send four, each waiting the full timeout),
// and its message says how long the issue took. Asserted on the requests made and the words, never on a duration.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { IDENTITY_FILE } from '../../main/core/connection/index.js';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome, type RunResult } from '../cli/harness.js';

const MASTER_KEY = 'sk-hung-proxy-master';

describe('keyfob issue against a hung proxy', () => {
  let sim: Simulator;
  let home: string;

  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY });
    home = tempHome('hung-proxy');
    ok(await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY }));
    ok(await keyfob(['role', 'set', 'dev', '--ttl', '30m'], { home }));
    ok(await keyfob(['config', 'set', 'request-timeout', '1s'], { home }));
  });

  after(async () => {
    sim?.clearFaults();
    await sim?.close();
  });

  it('caller not known yet: one request (the look-up), one timeout, and the real time in the message', async () => {
    fs.rmSync(path.join(home, IDENTITY_FILE), { force: true }); // nothing remembered from connect
    sim.fault('*', { kind: 'hang', count: Infinity });
    const sent = sim.requests.length;
    const r = await keyfob(['issue', 'dev'], { home });
    assert.equal(r.code, 1, show(r));
    assert.deepEqual(sim.requests.slice(sent).map((q) => q.path), ['/key/info'], 'the look-up only: nothing sent that could create a key');
    assert.match(r.stderr, /Issuing a key for role "dev" failed after \d+ s: .*did not answer within 1 s/);
    assert.equal(r.stdout, '', 'no key');
  });

  it('caller known: the generate, then a clean-up bounded by what is left of the budget; the entry left for the next command', async () => {
    sim.clearFaults();
    ok(await keyfob(['issue', 'dev'], { home })); // the caller's identity is remembered from here on
    sim.fault('*', { kind: 'hang', count: Infinity });
    const sent = sim.requests.length;
    const r = await keyfob(['issue', 'dev'], { home });
    assert.equal(r.code, 1, show(r));
    const paths = sim.requests.slice(sent).map((q) => q.path);
    assert.equal(paths[0], '/key/generate', paths.join(', '));
    assert.ok(paths.slice(1).every((p) => p === '/key/list' || p === '/key/delete') && paths.length <= 3, `a clean-up by alias at most: ${paths.join(', ')}`);
    assert.match(r.stderr, /failed after \d+ s: .*did not answer within 1 s/);
    assert.match(r.stderr, /may have created the key "keyfob-dev-[0-9a-f]{8}"/);
    sim.clearFaults();
    // The hung generate may still be running on the proxy: the entry stays pending until it has surely ended.
    const list = ok(await keyfob(['lease', 'list', '--all', '--json'], { home }));
    assert.ok((JSON.parse(list.stdout) as Array<{ state: string }>).some((l) => l.state === 'pending'), 'left pending for the next command and the scheduler');
  });
});
