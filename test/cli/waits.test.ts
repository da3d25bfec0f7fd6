// Issue 21, major 1: a command that waits for another Keyfob process sleeps on the CLI's clock, whose timers are
// unref'd. Before the fix Node found nothing ref'd during that sleep and ended the process with exit 13 ("unsettled
// top-level await") and no result. Each case makes the wait certain: the simulator holds another process's
// /key/delete, so its claim on the lease stays live while the command under test waits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, collect, keyfob, show, startKeyfob, tempHome } from './harness.js';

const MASTER_KEY = 'sk-cli-waits-master';

describe('waits for another Keyfob process keep the command alive', () => {
  let sim: Simulator;

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY, models: ['gpt-4o-mini'] });
  });
  after(async () => {
    await sim?.close();
  });

  // The held request must outlast however long the machine takes to start the waiting process: a short request
  // timeout let the first process give up on its held delete under load (a timing failure, not a finding).
  async function connectedHome(label: string): Promise<string> {
    const home = tempHome(label);
    for (const args of [['connect', '--url', sim.url], ['role', 'set', 'dev', '--ttl', '30m'], ['config', 'set', 'request-timeout', '20s']]) {
      const r = await keyfob(args, { home, stdin: MASTER_KEY });
      assert.equal(r.code, 0, show(r));
    }
    return home;
  }

  it('lease revoke --all waits while another process revokes, then reports what that process did (exit 0)', async () => {
    const home = await connectedHome('waits-revoke');
    const issued = await keyfob(['issue', 'dev'], { home });
    assert.equal(issued.code, 0, show(issued));

    const held = sim.hold('/key/delete');
    const first = startKeyfob(['lease', 'revoke', '--all'], { home });
    const firstDone = collect(first, '', 30_000);
    const hold = await held; // the first process has claimed the lease and its delete is on the proxy
    // The second finds the lease claimed by a live process and waits for it on the clock.
    const second = startKeyfob(['lease', 'revoke', '--all'], { home });
    const secondDone = collect(second, '', 30_000);
    await new Promise<void>((resolve) => {
      let seen = '';
      second.stderr?.on('data', (d: Buffer | string) => {
        seen += d.toString();
        if (seen.includes('another Keyfob process')) resolve();
      });
      second.on('close', () => resolve());
    });
    hold.release();
    const [a, b] = await Promise.all([firstDone, secondDone]);
    assert.equal(a.code, 0, show(a));
    assert.equal(b.code, 0, `the waiting revoke ends with its result, not exit 13\n${show(b)}`);
    assert.match(b.stdout, /Revoked 1 lease/);
    assert.deepEqual(sim.liveKeys(), [], 'no key left on the proxy');
  });

  it('exec exits with its command\'s status while another process holds its lease at the end', async () => {
    const home = await connectedHome('waits-exec');
    // The command ends when its stdin closes: the test decides when, with no timer.
    const exec = startKeyfob(['exec', 'dev', '--', process.execPath, '-e', 'process.stdin.resume(); process.stdin.on("end", () => process.exit(3))'], { home });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      exec.stderr?.on('data', (d: Buffer | string) => {
        stderr += d.toString();
        if (/exec with lease/.test(stderr)) resolve();
      });
      exec.on('close', () => reject(new Error(`exec ended early: ${stderr}`)));
    });
    const execDone = collect(exec, null, 40_000);
    const held = sim.hold('/key/delete');
    const revoke = startKeyfob(['lease', 'revoke', '--all'], { home });
    const revokeDone = collect(revoke, '', 40_000);
    const hold = await held; // `lease revoke --all` holds the exec's lease while its delete is on the proxy
    exec.stdin?.end();
    const e = await execDone; // exec waits (at most a request timeout and a few seconds) for that claim
    hold.release();
    const r = await revokeDone;
    assert.equal(e.code, 3, `exec exits with its command's status\n${show(e)}`);
    // Its delete was held past its 1 s timeout, so it may report the revocation as failed (exit 1); never 13.
    assert.ok(r.code === 0 || r.code === 1, show(r));
    assert.deepEqual(sim.liveKeys(), [], 'the proxy did the held delete: no key left');
  });
});
