// Reconcile at start with 1,000 stale leases: a Keyfob that was not running while every one of its keys expired.
// The keys exist on the simulator (expired, not deleted), their secrets in the keychain and their leases in the
// ledger; the next start must delete every key, remove every secret and end every lease, with bounded concurrency.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { KeyfobCoreInstance } from '../main/core/keyfob-core.js';
import { KeytarSecretStore } from '../main/core/keychain/index.js';
import type { SecretStore } from '../main/core/ports.js';
import { FakeClock } from '../test/support/fake-clock.js';
import { openHeadlessCore } from '../test/support/headless-core.js';
import { startSimulator } from '../test/sim/index.js';
import { timeLedger } from './lib/ledger-timing.js';
import { removeSecrets, seedLeases, storeSecrets, writeLedger } from './lib/seed.js';
import { median, ms, percent, sum } from './lib/stats.js';
import { TimedSecretStore } from './lib/timed-secret-store.js';
import type { BenchContext, Row, Section } from './lib/report.js';

const STALE = 1000;
const HOUR_MS = 3600_000;
/** The core's default bound on concurrent proxy requests during reconcile. */
const CONCURRENCY = 8;

export const reconcileSection: Section = {
  name: 'reconcile at start',
  async run(ctx: BenchContext): Promise<Row[]> {
    const now = Date.now();
    const adminKey = `sk-bench-${randomUUID()}`;
    // The keys were issued three hours ago for one hour: all expired an hour or two before this start.
    const sim = await startSimulator({ masterKey: adminKey, startTime: now - 3 * HOUR_MS });
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-bench-reconcile-'));
    const keychain = ctx.keychain.choose(new KeytarSecretStore({ service: `Keyfob-bench:${randomUUID()}` }));
    const timed = new TimedSecretStore(keychain);
    const clock = new FakeClock(now);
    const open = (secretStore: SecretStore): KeyfobCoreInstance => openHeadlessCore({ stateDir, secretStore, clock, watchLedger: false });
    const ledgerId = randomUUID();
    let seeded: Awaited<ReturnType<typeof seedLeases>> = [];
    try {
      const setup = open(keychain);
      await setup.connect({ url: sim.url, adminKey });
      setup.saveRole({ name: 'dev', models: ['gpt-4o'], ttl: '1h', max_ttl: '1h' });
      await setup.stop();

      ctx.log(`reconcile: seeding ${STALE} expired leases (keys on the simulator, secrets in the keychain)`);
      seeded = await seedLeases({
        url: sim.url,
        adminKey,
        ledgerId,
        count: STALE,
        durationSeconds: () => 3600,
        issuedAt: (i) => now - 3 * HOUR_MS + i,
        ttlSeconds: 3600,
        maxTtlSeconds: 3600,
      });
      writeLedger(stateDir, ledgerId, seeded.map((s) => s.lease));
      await storeSecrets(keychain, seeded);
      sim.clock.set(now);

      const core = open(timed);
      const ledger = timeLedger(core.ledger);
      sim.clearRequests();
      sim.resetPeakConnections();
      const baseline = sim.peakConnections;
      ctx.log('reconcile: starting Keyfob on them');
      const started = performance.now();
      const report = await core.start();
      const wall = performance.now() - started;
      ledger.restore();
      await core.stop();

      const deletes = sim.requests.filter((r) => r.path === '/key/delete').length;
      const left = sim.keys().length;
      const live = core.leases.list().length;
      const area = `Reconcile: ${STALE.toLocaleString('en')} stale leases at start`;
      const latency = median(timed.intervals.map(([a, b]) => b - a));
      return [
        {
          area,
          measure: 'wall time of start (per lease)',
          result: `${ms(wall)} (${ms(wall / STALE)})`,
        },
        {
          area,
          measure: `keychain: ${timed.calls} calls, ${CONCURRENCY} at a time — busy (a call in flight) | median call`,
          result: `${ms(timed.busyMs())} = ${percent(timed.busyMs(), wall)} of the wall time | ${ms(latency)}`,
        },
        {
          area,
          measure: `ledger: ${ledger.held.length} writes, ${ledger.fsyncs.length} fsyncs — lock held in total (of it fsync) | median write`,
          result: `${ms(sum(ledger.held))} = ${percent(sum(ledger.held), wall)} (${ms(ledger.fsyncMs())}) | ${ms(median(ledger.held))}`,
        },
        {
          area,
          measure: `peak concurrent connections at the proxy (${baseline} open before)`,
          result: String(sim.peakConnections),
          target: `≤ ${CONCURRENCY} (the core's bound)`,
          met: sim.peakConnections <= CONCURRENCY,
        },
        {
          area,
          measure: 'keys deleted | keys left on the proxy | live leases left | reported expired',
          result: `${deletes} | ${left} | ${live} | ${report.expired}`,
          target: `${STALE} | 0 | 0 | ${STALE}`,
          met: deletes === STALE && left === 0 && live === 0 && report.expired === STALE,
        },
      ];
    } finally {
      await removeSecrets(keychain, seeded);
      await keychain.delete('admin-key').catch(() => false);
      await sim.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  },
};
