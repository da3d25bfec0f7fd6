// The demo's Ctrl-C where no keychain runs (a server, an SSH session): the demo bootstraps its own D-Bus and
// gnome-keyring. A terminal's Ctrl-C reaches the demo's whole process group; the keyring must still be there when the
// demo revokes what is left, and "done" is said only when nothing is left live.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertBuilt, baseEnv, collect, keyfob, REPO, show, tempHome, waitForOutput } from '../cli/harness.js';

/** The demo as a terminal's foreground job (a process group of its own), without any D-Bus session. */
function startDemo(demoDir: string): ChildProcess {
  const env = baseEnv(undefined, { KEYFOB_DEMO_DIR: demoDir, KEYFOB_DEMO_PORT: '0' });
  delete env.DBUS_SESSION_BUS_ADDRESS;
  return spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'demo', 'run-demo.ts')], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

/** What the demo printed for another terminal: KEYFOB_HOME and the bus of its throw-away keyring. */
function printedEnv(stdout: string): { home: string; bus: string; simUrl: string } {
  const home = /export KEYFOB_HOME=(\S+)/.exec(stdout)?.[1];
  const bus = /export DBUS_SESSION_BUS_ADDRESS='([^']+)'/.exec(stdout)?.[1];
  const simUrl = /LiteLLM simulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
  assert.ok(home && bus && simUrl, `the demo printed its environment\n${stdout}`);
  return { home, bus, simUrl };
}

describe('npm run demo without a keychain', () => {
  it('Ctrl-C (to the whole process group) revokes before the throw-away keyring stops, then says done', async () => {
    assertBuilt();
    const demoDir = join(tempHome('demo-keyring'), 'demo');
    const demo = startDemo(demoDir);
    let stdout = '';
    demo.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    const done = collect(demo, null, 60_000, ['demo']);
    await waitForOutput(demo, 'Press Ctrl-C', 30_000);
    const { home, bus } = printedEnv(stdout);
    assert.match(stdout, /starting a private D-Bus session with a throw-away gnome-keyring/);

    const left = await keyfob(['issue', 'dev'], { home, env: { DBUS_SESSION_BUS_ADDRESS: bus } });
    assert.equal(left.code, 0, show(left));

    process.kill(-(demo.pid as number), 'SIGINT'); // what the terminal's Ctrl-C does
    const r = await done;
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /demo: Revoked 1 lease/, show(r));
    assert.doesNotMatch(r.stderr, /collection|keychain|not cleaned up/i, show(r));
    assert.match(r.stdout, /demo: done\./);
    assert.equal(existsSync(demoDir), false, 'the throw-away home is gone');
  });

  it('never says "done" with a key left live: a revocation the proxy refuses keeps the home and exits 1', async () => {
    assertBuilt();
    const demoDir = join(tempHome('demo-refused'), 'demo');
    const demo = startDemo(demoDir);
    let stdout = '';
    demo.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    const done = collect(demo, null, 60_000, ['demo']);
    await waitForOutput(demo, 'Press Ctrl-C', 30_000);
    const { home, bus, simUrl } = printedEnv(stdout);
    const left = await keyfob(['issue', 'dev'], { home, env: { DBUS_SESSION_BUS_ADDRESS: bus } });
    assert.equal(left.code, 0, show(left));
    // The proxy refuses every deletion from now on (the simulator's control API).
    const fault = await fetch(`${simUrl}/__sim/fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: '/key/delete', fault: { kind: 'fail', status: 500, count: 'Infinity' } }),
    });
    assert.equal(fault.status, 200);

    process.kill(-(demo.pid as number), 'SIGINT');
    const r = await done;
    assert.equal(r.code, 1, show(r));
    assert.doesNotMatch(r.stdout, /demo: done/, show(r));
    assert.match(r.stderr, /demo: not cleaned up: 1 lease\(s\) still live/, show(r));
    assert.equal(existsSync(home), true, 'the home is kept, with the ledger of what is left');
  });
});
