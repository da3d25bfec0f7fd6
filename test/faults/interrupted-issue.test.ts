// Issue 22, point 8, through the real binary: `keyfob issue` killed with SIGKILL after the proxy created the key
// (its answer held back) leaves a `pending` entry. The next command finds the key by its alias and deletes it at once
// — it used to wait for the generate's settle time, and `lease revoke --all` reported "1 revocation failed", exit 1.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, startKeyfob, tempHome, type RunResult } from '../cli/harness.js';

const MASTER_KEY = 'sk-interrupted-issue-master';

describe('an issue killed after the proxy created its key', () => {
  let sim: Simulator;

  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY });
  });

  after(async () => {
    await sim?.close();
  });

  /** A connected home whose `keyfob issue dev` was killed once the proxy had created the key. */
  async function killedIssue(label: string): Promise<{ home: string; alias: string }> {
    const home = tempHome(label);
    ok(await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY }));
    ok(await keyfob(['role', 'set', 'dev', '--ttl', '30m'], { home }));
    const held = sim.hold('/key/generate');
    const child = startKeyfob(['issue', 'dev'], { home });
    const hold = await held;
    const closed = once(child, 'close');
    child.kill('SIGKILL');
    await closed;
    hold.release(); // the answer goes to a dead socket: the key exists, nobody holds it
    const alias = sim.keys().at(-1)?.key_alias ?? '';
    assert.match(alias, /^keyfob-dev-/);
    return { home, alias };
  }

  it('the next command deletes the key by its alias at once', async () => {
    const { home, alias } = await killedIssue('next-command');
    const r = ok(await keyfob(['lease', 'list', '--all', '--json'], { home }));
    assert.match(r.stderr, /1 unfinished issue cleaned up/);
    assert.equal(sim.keys().find((k) => k.key_alias === alias), undefined, 'deleted on the proxy');
    assert.deepEqual(JSON.parse(r.stdout), [], 'no pending entry left');
  });

  it('`lease revoke --all` deletes it too and exits 0', async () => {
    const { home, alias } = await killedIssue('revoke-all');
    const r = ok(await keyfob(['lease', 'revoke', '--all'], { home }));
    assert.doesNotMatch(r.stdout + r.stderr, /failed/);
    assert.equal(sim.keys().find((k) => k.key_alias === alias), undefined, 'deleted on the proxy');
  });
});
