// The keychain's failure modes, each in a child process with its own environment: no D-Bus session, a bus that is
// not there, a session without a login collection, and a locked collection (in a private D-Bus session with its
// own gnome-keyring, so the suite's shared keyring is never locked under other tests).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hasCommand, withoutSession } from '../../support/session-env.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/keychain-child.ts', import.meta.url));

interface ChildResult {
  op: string;
  ok: boolean;
  value?: unknown;
  kind?: string;
  message?: string;
  hint?: string;
}

/** The parent's environment without anything that points at a D-Bus session, a display or a keyring. */
const isolatedEnv = (): NodeJS.ProcessEnv => withoutSession('keyfob-keyring-home-');

async function child(argv: string[], env: NodeJS.ProcessEnv): Promise<ChildResult[]> {
  const { stdout } = await run(argv[0] as string, argv.slice(1), { cwd: ROOT, env, timeout: 30_000 });
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as ChildResult);
}

const nodeChild = (service: string, ...ops: string[]) => [process.execPath, '--import', 'tsx', CHILD, service, ...ops];
const service = (name: string) => `Keyfob:/test/keychain-failures/${name}-${process.pid}`;

function assertFailed(result: ChildResult | undefined, kind: string, message: RegExp): ChildResult {
  assert.ok(result, 'the child printed a result');
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.equal(result.kind, kind, JSON.stringify(result));
  assert.match(result.message ?? '', message);
  assert.doesNotMatch(JSON.stringify(result), /sk-child-secret-1234/);
  return result;
}

describe('keychain failure modes', { skip: hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon') ? false : 'needs dbus-run-session and gnome-keyring-daemon' }, () => {
  test('no D-Bus session (no bus address, no $DISPLAY) → keychain-unavailable, saying what to install', async () => {
    const [probe, get] = await child(nodeChild(service('nobus'), 'probe', 'get'), isolatedEnv());
    const r = assertFailed(probe, 'keychain-unavailable', /no D-Bus session/);
    assert.match(r.message ?? '', /Cannot autolaunch D-Bus without X11 \$DISPLAY/);
    assert.match(r.hint ?? '', /install and start gnome-keyring/i);
    assert.match(r.hint ?? '', /session-only storage/);
    assertFailed(get, 'keychain-unavailable', /D-Bus/);
  });

  test('a bus address that leads nowhere → keychain-unavailable', async () => {
    const env = { ...isolatedEnv(), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/keyfob-test-bus' };
    const [probe] = await child(nodeChild(service('deadbus'), 'probe'), env);
    assertFailed(probe, 'keychain-unavailable', /no D-Bus session/);
  });

  test('a D-Bus session whose keyring has no login collection → keychain-unavailable, "unlock or create your login keyring"', async () => {
    const results = await child(['dbus-run-session', '--', ...nodeChild(service('nocollection'), 'probe', 'set')], isolatedEnv());
    for (const r of results) {
      assertFailed(r, 'keychain-unavailable', /no default collection|No Secret Service/);
      if (/no default collection/.test(r.message ?? '')) assert.match(r.hint ?? '', /Unlock or create your login keyring/);
    }
    assert.equal(results.length, 2);
  });

  test('a locked collection → keychain-locked for probe, get, set and delete (never a silent "nothing stored")', async () => {
    const script = 'echo -n keyfob-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"';
    const results = await child(
      ['dbus-run-session', '--', 'bash', '-c', script, 'bash', ...nodeChild(service('locked'), 'set', 'get', 'lock', 'probe', 'get', 'set', 'delete')],
      isolatedEnv(),
    );
    const [setUnlocked, getUnlocked, lock, probe, get, set, del] = results;
    assert.deepEqual(setUnlocked, { op: 'set', ok: true, value: null });
    assert.deepEqual(getUnlocked, { op: 'get', ok: true, value: 'sk-child-secret-1234' });
    assert.deepEqual(lock, { op: 'lock', ok: true, value: null });
    const p = assertFailed(probe, 'keychain-locked', /locked/);
    assert.match(p.message ?? '', /Cannot create an item in a locked collection/);
    assert.match(p.hint ?? '', /Unlock your login keyring/);
    assertFailed(get, 'keychain-locked', /locked/);
    assertFailed(set, 'keychain-locked', /locked/);
    assertFailed(del, 'keychain-locked', /locked/);
  });
});
