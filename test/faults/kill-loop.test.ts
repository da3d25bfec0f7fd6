// The kill -9 loop (issue 12): Keyfob processes issuing, renewing and revoking keys, and exec-like processes holding a
// process-scoped lease, are SIGKILLed at random points while every proxy route answers slowly. Afterwards one last
// Keyfob process recovers, and the proxy's keys are compared with the ledger: no orphan (a key on the proxy that no
// live lease accounts for), no lost lease (a key a process handed out that is gone without being revoked), no
// process-scoped lease left live after its process died. Seeded: KEYFOB_KILL_LOOP_SEED=<n> replays a run; the seed
// and the figures are printed. Bounded: rounds stop starting after ROUND_BUDGET_MS. After each round the next Keyfob
// process starts at once (while a killed issue's generate may still be under way), as a person's next command would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../core/leases/helpers.js';
import { delay, runWorker, seededRandom, until } from '../core/leases/workers.js';
import type { Worker } from '../core/leases/workers.js';
import type { WorkerStep } from '../core/leases/fixtures/lease-worker.js';

const SEED = Number(process.env.KEYFOB_KILL_LOOP_SEED ?? 20261201);
const MAX_ROUNDS = 14;
/** No new round starts after this much of the test has passed: the whole test stays well under a minute. */
const ROUND_BUDGET_MS = 35_000;
const WORKERS_PER_ROUND = 2;
const ROUTES = ['/key/generate', '/key/update', '/key/delete', '/key/list', '/key/info'] as const;

type PlanName = 'issue-renew-revoke' | 'issue-issue-revoke' | 'exec' | 'issue-renew';

const PLANS: Record<PlanName, WorkerStep[]> = {
  'issue-renew-revoke': [{ op: 'issue', role: 'dev' }, { op: 'renew' }, { op: 'revoke' }],
  'issue-issue-revoke': [{ op: 'issue', role: 'dev' }, { op: 'issue', role: 'dev' }, { op: 'revoke', index: 0 }],
  exec: [{ op: 'issue', role: 'dev', scope: 'process' }, { op: 'hold' }],
  'issue-renew': [{ op: 'issue', role: 'dev' }, { op: 'renew' }],
};
const PLAN_NAMES = Object.keys(PLANS) as PlanName[];

interface Launched {
  plan: PlanName;
  worker: Worker;
}

test('kill -9 at random points of issue, renew, revoke and exec, with latency on every route: 0 orphans, 0 lost', { timeout: 90_000 }, async (t) => {
  const began = Date.now();
  const random = seededRandom(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  // Real time on both sides: the workers run on the system clock, and so does the proxy.
  const h = await harness({ startTime: Date.now(), realClock: true, start: false, role: { name: 'dev', ttl: '1h', max_ttl: '3h' } });
  const launched: Launched[] = [];
  let rounds = 0;
  let kills = 0;
  try {
    while (rounds < MAX_ROUNDS && Date.now() - began < ROUND_BUDGET_MS) {
      rounds++;
      for (const route of ROUTES) h.sim.fault(route, { kind: 'latency', ms: Math.round(50 + random() * 550) });
      // A slow generate is where a kill leaves a key still to appear (issue 12: 900 ms gave 11 orphans in 30 rounds).
      h.sim.fault('/key/generate', { kind: 'latency', ms: Math.round(300 + random() * 1200) });
      const round = Array.from({ length: WORKERS_PER_ROUND }, () => {
        const plan = pick(PLAN_NAMES);
        // Half of them reconcile at start, as every CLI command does: they recover the others' leftovers meanwhile.
        return { plan, worker: runWorker(h, { start: random() < 0.5, steps: PLANS[plan] }), killAfterMs: Math.round(random() * 2500) };
      });
      await Promise.all(round.map(async ({ plan, worker, killAfterMs }) => {
        launched.push({ plan, worker });
        await until(() => worker.lines.some((l) => l.ready) || worker.child.exitCode !== null, 'a worker to be ready', 30_000);
        const exitedEarly = await Promise.race([worker.exited.then(() => true), delay(killAfterMs).then(() => false)]);
        if (!exitedEarly) {
          worker.child.kill('SIGKILL');
          const { signal } = await worker.exited;
          if (signal === 'SIGKILL') kills++;
        }
      }));
      // The next Keyfob process comes at once, while a killed process's generate may still be under way.
      h.clock.jump(Date.now() - h.clock.now());
      const next = h.reopen();
      await next.start();
      await next.stop();
    }

    // The final recovery run: a Keyfob process starts, with the proxy answering at its normal speed again, and is
    // given the time every unfinished issue needs to have surely ended, and the revocations their retries.
    h.sim.clearFaults();
    h.clock.jump(Date.now() - h.clock.now());
    const report = await h.core.start();
    // Every unfinished issue's cleanup instant (the latest one written), then the revocations' retries.
    const cleanupAt = Math.max(h.clock.now(), ...[...h.core.ledger.read().leases.values()].map((l) => (l.state === 'pending' ? Date.parse(l.next_attempt_at ?? '') || 0 : 0)));
    await h.advance(cleanupAt - h.clock.now() + 1000);
    await h.advance(60_000);
    h.core.leases.refresh();

    const leases = h.core.leases.list({ all: true });
    const byId = new Map(leases.map((l) => [l.lease_id, l]));
    const activeTokens = new Set(leases.filter((l) => l.state === 'active').map((l) => l.token_hash));
    const orphans = h.sim.keys().filter((k) => !activeTokens.has(k.token)).map((k) => k.key_alias ?? k.token.slice(0, 8));
    const keyTokens = new Set(h.sim.keys().map((k) => k.token));
    // Lost: the ledger calls a lease active but the proxy has no key for it, or a free key a process handed out (and
    // never began to revoke) is no longer active.
    const lost = leases.filter((l) => l.state === 'active' && !keyTokens.has(l.token_hash ?? '')).map((l) => l.key_alias);
    for (const { plan, worker } of launched) {
      const handedOut = worker.lines.filter((l) => typeof l.issued === 'string').map((l) => l.issued as string);
      handedOut.forEach((id, i) => {
        const revokedByPlan = PLANS[plan].some((s) => s.op === 'revoke' && (s.index ?? handedOut.length - 1) === i) || plan === 'exec';
        if (!revokedByPlan && byId.get(id)?.state !== 'active') lost.push(`${id} (${byId.get(id)?.state ?? 'missing'})`);
      });
    }
    const execLeases = new Set(launched.filter((w) => w.plan === 'exec').flatMap((w) => w.worker.lines.filter((l) => typeof l.issued === 'string').map((l) => l.issued as string)));
    const liveProcessLeases = leases.filter((l) => (l.scope === 'process' || execLeases.has(l.lease_id)) && l.state === 'active').map((l) => l.key_alias);
    const unfinished = leases.filter((l) => l.state === 'pending' || l.state === 'revoking' || l.state === 'irrevocable').map((l) => `${l.key_alias}: ${l.state}`);

    const figures = `seed=${SEED} rounds=${rounds} workers=${launched.length} kills=${kills} orphans=${orphans.length} lost=${lost.length} ` +
      `live-process-leases=${liveProcessLeases.length} unfinished=${unfinished.length} keys-left=${h.sim.keys().length} ` +
      `seconds=${((Date.now() - began) / 1000).toFixed(1)}`;
    t.diagnostic(`kill-loop: ${figures}`);
    console.log(`kill-loop: ${figures}`);
    assert.ok(kills > 0, 'the loop killed something');
    assert.deepEqual(orphans, [], `orphans (${figures}; recovery ${JSON.stringify(report)})`);
    assert.deepEqual(lost, [], `lost leases (${figures})`);
    assert.deepEqual(liveProcessLeases, [], 'process-scoped leases of dead processes are revoked');
    assert.deepEqual(unfinished, [], 'nothing left waiting once the proxy answered');
  } finally {
    for (const { worker } of launched) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await h.close();
  }
});
