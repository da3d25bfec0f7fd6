// The kill -9 loop in Vault mode: Keyfob processes issuing (creds read with a child token whose accessor is written
// ahead), renewing and revoking through Vault, and exec-like processes holding a process-scoped lease, are SIGKILLed
// at random points while the LiteLLM proxy behind Vault answers slowly (so a killed creds read may still create its
// key afterwards). Then one last Keyfob process recovers, and the keys live on the LiteLLM simulator and the leases
// live in Vault are compared with the ledger: 0 unknown live keys, 0 unknown Vault leases, no process-scoped lease
// left live. Seeded like the LiteLLM loop: KEYFOB_KILL_LOOP_SEED=<n> replays a run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { harness } from '../core/leases/helpers.js';
import { delay, runWorker, seededRandom, until } from '../core/leases/workers.js';
import type { Worker } from '../core/leases/workers.js';
import type { WorkerStep } from '../core/leases/fixtures/lease-worker.js';
import { startSimulator } from '../sim/index.js';
import { VaultSimulator } from '../vault-sim/index.js';

const SEED = Number(process.env.KEYFOB_KILL_LOOP_SEED ?? 20261204);
const MAX_ROUNDS = 10;
const ROUND_BUDGET_MS = 25_000;

const PLANS: Record<string, WorkerStep[]> = {
  'issue-renew-revoke': [{ op: 'issue', role: 'dev' }, { op: 'renew' }, { op: 'revoke' }],
  'issue-issue-revoke': [{ op: 'issue', role: 'dev' }, { op: 'issue', role: 'dev' }, { op: 'revoke', index: 0 }],
  exec: [{ op: 'issue', role: 'dev', scope: 'process' }, { op: 'hold' }],
  'issue-renew': [{ op: 'issue', role: 'dev' }, { op: 'renew' }],
};
const PLAN_NAMES = Object.keys(PLANS);

test('Vault mode: kill -9 at random points of issue, renew, revoke and exec: 0 unknown live keys or leases', { timeout: 90_000 }, async (t) => {
  const began = Date.now();
  const random = seededRandom(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const litellm = await startSimulator({ realTime: true });
  const vault = await VaultSimulator.start({
    litellmUrl: litellm.url, realTime: true,
    roles: { dev: { models: [], max_budget: 0, ttl: 3600, max_ttl: 3 * 3600, key_alias_prefix: 'acme', metadata: {} } },
  });
  vault.addUser('alice', { password: 'alice-pw', ttl: 8 * 3600, max_ttl: 24 * 3600 });
  const h = await harness({ sim: litellm, startTime: Date.now(), realClock: true, start: false, connect: false });
  await h.core.vault.connect({ url: vault.url, mount: 'litellm', method: 'userpass', username: 'alice', secret: 'alice-pw', proxyUrl: litellm.url });
  const launched: Array<{ plan: string; worker: Worker }> = [];
  let rounds = 0;
  let kills = 0;
  try {
    while (rounds < MAX_ROUNDS && Date.now() - began < ROUND_BUDGET_MS) {
      rounds++;
      // A slow /key/generate makes the creds read slow: a kill then leaves a key still to appear behind Vault.
      litellm.fault('/key/generate', { kind: 'latency', ms: Math.round(300 + random() * 1200) });
      litellm.fault('/key/update', { kind: 'latency', ms: Math.round(50 + random() * 550) });
      litellm.fault('/key/delete', { kind: 'latency', ms: Math.round(50 + random() * 550) });
      const round = [0, 1].map(() => {
        const plan = pick(PLAN_NAMES);
        return { plan, worker: runWorker(h, { start: random() < 0.5, steps: PLANS[plan] as WorkerStep[] }), killAfterMs: Math.round(random() * 2500) };
      });
      await Promise.all(round.map(async ({ plan, worker, killAfterMs }) => {
        launched.push({ plan, worker });
        await until(() => worker.lines.some((l) => l.ready) || worker.child.exitCode !== null, 'a worker to be ready', 30_000);
        const exitedEarly = await Promise.race([worker.exited.then(() => true), delay(killAfterMs).then(() => false)]);
        if (!exitedEarly) {
          worker.child.kill('SIGKILL');
          if ((await worker.exited).signal === 'SIGKILL') kills++;
        }
      }));
      h.clock.jump(Date.now() - h.clock.now());
      const next = h.reopen();
      await next.start();
      await next.stop();
    }

    litellm.clearFaults();
    // The recovery below jumps its clock past every unfinished issue's settle instant (request timeout + margin); in
    // real time that long has not passed, so first let Vault finish what the killed processes sent, as it would have.
    await until(() => vault.inFlight === 0, 'Vault to finish the killed processes\' requests', 30_000);
    h.clock.jump(Date.now() - h.clock.now());
    const report = await h.core.start();
    const cleanupAt = Math.max(h.clock.now(), ...[...h.core.ledger.read().leases.values()].map((l) => (l.state === 'pending' ? Date.parse(l.next_attempt_at ?? '') || 0 : 0)));
    await h.advance(cleanupAt - h.clock.now() + 1000);
    await h.advance(60_000);
    h.core.leases.refresh();

    const leases = h.core.leases.list({ all: true });
    const active = leases.filter((l) => l.state === 'active');
    const activeTokens = new Set(active.map((l) => l.token_hash));
    const activeRefs = new Set(active.map((l) => l.backend_ref));
    const unknownKeys = litellm.keys().filter((k) => !activeTokens.has(k.token)).map((k) => k.key_alias ?? k.token.slice(0, 8));
    const unknownLeases = vault.leases.all().filter((l) => !activeRefs.has(l.id)).map((l) => l.id);
    const execIds = new Set(launched.filter((w) => w.plan === 'exec').flatMap((w) => w.worker.lines.filter((l) => typeof l.issued === 'string').map((l) => l.issued as string)));
    const liveProcessLeases = active.filter((l) => l.scope === 'process' || execIds.has(l.lease_id)).map((l) => l.key_alias);
    const unfinished = leases.filter((l) => l.state === 'pending' || l.state === 'revoking' || l.state === 'irrevocable').map((l) => `${l.key_alias}: ${l.state}`);
    const figures = `seed=${SEED} rounds=${rounds} workers=${launched.length} kills=${kills} unknown-keys=${unknownKeys.length} ` +
      `unknown-vault-leases=${unknownLeases.length} live-process-leases=${liveProcessLeases.length} unfinished=${unfinished.length} ` +
      `keys-left=${litellm.keys().length} seconds=${((Date.now() - began) / 1000).toFixed(1)}`;
    t.diagnostic(`vault kill-loop: ${figures}`);
    console.log(`vault kill-loop: ${figures}`);
    assert.ok(kills > 0, 'the loop killed something');
    assert.deepEqual(unknownKeys, [], `unknown live keys on LiteLLM (${figures}; recovery ${JSON.stringify(report)})`);
    assert.deepEqual(unknownLeases, [], `unknown live leases in Vault (${figures})`);
    assert.deepEqual(liveProcessLeases, [], 'process-scoped leases of dead processes are revoked');
    assert.deepEqual(unfinished, [], 'nothing left waiting once Vault answered');
  } finally {
    for (const { worker } of launched) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await h.close();
    await vault.close();
  }
});
