// `npm run demo` as a newcomer runs it: it comes up, a printed command works against it, and Ctrl-C cleans up.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keychainServiceFor } from '../../main/core/settings/paths.js';
import { assertBuilt, collect, keyfob, REPO, show, tempHome, waitForOutput } from '../cli/harness.js';

describe('npm run demo', () => {
  it('starts, serves a working exec, and cleans up on Ctrl-C', async () => {
    assertBuilt(); // the demo would build a stale dist itself; in tests that would pull files from under other suites
    const demoDir = join(tempHome('demo'), 'demo');
    const demo = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'demo', 'run-demo.ts')], {
      cwd: REPO,
      env: { ...process.env, KEYFOB_DEMO_DIR: demoDir, KEYFOB_DEMO_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = collect(demo, null, 60_000, ['demo']);
    await waitForOutput(demo, 'Press Ctrl-C', 30_000);

    // Then the printed commands, with the printed KEYFOB_HOME, as a person would paste them.
    assert.equal(demo.exitCode === null && demo.signalCode === null, true, 'the demo keeps serving');
    const home = join(demoDir, 'home');
    const status = await keyfob(['status', '--json'], { home });
    assert.equal(status.code, 0, show(status));
    const report = JSON.parse(status.stdout) as { url: string; admin_key_stored: boolean; proxy: { admin_ok: boolean } };
    assert.equal(report.admin_key_stored, true);
    assert.equal(report.proxy.admin_ok, true);
    const roles = JSON.parse((await keyfob(['role', 'list', '--json'], { home })).stdout) as Array<{ name: string }>;
    assert.deepEqual(roles.map((r) => r.name), ['ci', 'dev']);
    const ask = await keyfob(['exec', 'dev', '--', process.execPath, 'test/demo/ask.mjs', 'hello'], { home });
    assert.equal(ask.code, 0, show(ask));
    assert.notEqual(ask.stdout.trim(), '');
    const left = await keyfob(['issue', 'dev'], { home }); // a lease the demo must revoke on its way out
    assert.equal(left.code, 0, show(left));

    demo.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /demo: done\./);
    // connect's /key/info about the admin key answers 404 on purpose: the log says so instead of showing an error.
    assert.doesNotMatch(r.stdout, /\/key\/info\S* → 404 \(admin key\)$/m);
    assert.equal(existsSync(demoDir), false, 'the throw-away home is gone');
    const { default: keytar } = await import('@github/keytar');
    assert.deepEqual(await keytar.findCredentials(keychainServiceFor(home)), [], "the demo's keychain entries are gone");
  });
});
