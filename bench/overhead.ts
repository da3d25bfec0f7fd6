// Keyfob's issue, renew and revoke against the bare HTTP call each one makes, to the same simulator in the same run,
// interleaved so that drift on a noisy machine hits both alike. The keychain (another process behind D-Bus) and the
// ledger's durable write (lock, write, fsync, rename) are timed separately from outside; what is left of an
// operation once the bare round trip, the keychain and the ledger are taken away is Keyfob's in-process overhead.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ADMIN_KEY, harness } from '../test/core/leases/helpers.js';
import { BareClient } from './lib/bare-http.js';
import { timeLedger } from './lib/ledger-timing.js';
import { profileParts } from './lib/profile.js';
import type { Breakdown } from './lib/profile.js';
import { median, ms, percent } from './lib/stats.js';
import { TimedSecretStore } from './lib/timed-secret-store.js';
import type { BenchContext, Row, Section } from './lib/report.js';

const WARMUP = 20;
const REPETITIONS = 150;
const PROFILED = 50;
const OVERHEAD_TARGET = 0.1;

type Op = 'issue' | 'renew' | 'revoke';

interface Sample {
  keyfob: number;
  keychain: number;
  ledger: number;
  fsync: number;
  bare: number;
}

export const overheadSection: Section = {
  name: 'overhead per operation',
  async run(ctx: BenchContext): Promise<Row[]> {
    let timed: TimedSecretStore | undefined;
    const h = await harness({
      secretStore: (real) => (timed = new TimedSecretStore(ctx.keychain.choose(real))),
      requestTimeoutSeconds: 30,
    });
    const keychain = timed as TimedSecretStore;
    const ledger = timeLedger(h.core.ledger);
    const bare = new BareClient(h.sim.url, ADMIN_KEY);
    const samples: Record<Op, Sample[]> = { issue: [], renew: [], revoke: [] };

    /** One Keyfob operation, with the keychain and ledger time spent inside it. */
    const measure = async (work: () => Promise<unknown>) => {
      const [k0, l0, f0] = [keychain.totalMs, ledger.totalMs(), ledger.fsyncMs()];
      const started = performance.now();
      await work();
      const keyfob = performance.now() - started;
      return { keyfob, keychain: keychain.totalMs - k0, ledger: ledger.totalMs() - l0, fsync: ledger.fsyncMs() - f0 };
    };
    const bareTime = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };

    /** `count` × issue, renew and revoke, each paired with its bare call; Keyfob first in even pairs, the bare call in odd ones. */
    const round = async (count: number, record: boolean): Promise<void> => {
      const leases: string[] = [];
      const tokens: string[] = [];
      const pair = async (i: number, op: Op, keyfob: () => Promise<unknown>, plain: () => Promise<unknown>) => {
        let k: Awaited<ReturnType<typeof measure>>;
        let b: number;
        if (i % 2 === 0) {
          k = await measure(keyfob);
          b = await bareTime(plain);
        } else {
          b = await bareTime(plain);
          k = await measure(keyfob);
        }
        if (record) samples[op].push({ ...k, bare: b });
      };
      for (let i = 0; i < count; i++) {
        await pair(i, 'issue', async () => leases.push((await h.core.leases.issue('dev')).lease.lease_id), async () => {
          const leaseId = randomUUID();
          const answer = await bare.post('/key/generate', {
            models: ['gpt-4o'],
            key_alias: `keyfob-bare-${leaseId.slice(0, 8)}`,
            metadata: { keyfob_role: 'dev', keyfob_lease_id: leaseId, keyfob_ledger: randomUUID() },
            duration: '3600s',
          });
          tokens.push(answer.token as string);
        });
      }
      for (let i = 0; i < count; i++) {
        await pair(i, 'renew', () => h.core.leases.renew(leases[i] as string), () => bare.post('/key/update', { key: tokens[i], duration: '3600s' }));
      }
      for (let i = 0; i < count; i++) {
        await pair(i, 'revoke', () => h.core.leases.revoke(leases[i] as string), () => bare.post('/key/delete', { keys: [tokens[i]] }));
      }
    };

    /** Keyfob alone under the CPU profiler (the measured round stays unprofiled): where its time goes. */
    const profiles = new Map<Op, Breakdown>();
    const profile = async (count: number): Promise<void> => {
      const leases: string[] = [];
      profiles.set('issue', await profileParts(count, async () => {
        for (let i = 0; i < count; i++) leases.push((await h.core.leases.issue('dev')).lease.lease_id);
      }));
      profiles.set('renew', await profileParts(count, async () => {
        for (const id of leases) await h.core.leases.renew(id);
      }));
      profiles.set('revoke', await profileParts(count, async () => {
        for (const id of leases) await h.core.leases.revoke(id);
      }));
    };

    try {
      ctx.log(`overhead: warm-up (${WARMUP} × issue, renew and revoke, and their bare calls)`);
      await round(WARMUP, false);
      ctx.log(`overhead: measured (${REPETITIONS} × issue, renew and revoke, and their bare calls)`);
      await round(REPETITIONS, true);
      ctx.log(`overhead: profiled (${PROFILED} × issue, renew and revoke)`);
      await profile(PROFILED);
    } finally {
      ledger.restore();
      await h.keychain.delete('admin-key').catch(() => false);
      await h.close();
    }

    const rows: Row[] = [];
    for (const op of ['issue', 'renew', 'revoke'] as const) {
      const s = samples[op];
      const keyfob = median(s.map((x) => x.keyfob));
      const bareRtt = median(s.map((x) => x.bare));
      const kc = median(s.map((x) => x.keychain));
      const led = median(s.map((x) => x.ledger));
      const fsync = median(s.map((x) => x.fsync));
      const inProcess = median(s.map((x) => x.keyfob - x.keychain - x.ledger)) - bareRtt;
      const area = `Overhead: ${op}`;
      const breakdown = profiles.get(op);
      rows.push(
        { area, measure: `Keyfob ${op} vs bare HTTP call (same endpoint, same run)`, result: `${ms(keyfob)} vs ${ms(bareRtt)} (×${(keyfob / bareRtt).toFixed(1)})` },
        { area, measure: 'of which keychain | ledger (of that, fsync)', result: `${ms(kc)} | ${ms(led)} (${ms(fsync)})` },
        {
          area,
          measure: 'in-process overhead (Keyfob − keychain − ledger − bare), share of the bare round trip',
          result: `${ms(inProcess)} = ${percent(inProcess, bareRtt)}`,
          target: '≤ 10 %',
          met: inProcess <= OVERHEAD_TARGET * bareRtt,
        },
      );
      if (breakdown) {
        rows.push({
          area,
          measure: `where Keyfob's CPU goes (profiled, ${PROFILED} ${op}s; ms per ${op}, largest first)`,
          result: breakdown.parts.filter((p) => p.msPerOp >= 0.005).map((p) => `${p.part} ${p.msPerOp.toFixed(2)}`).join(' · '),
        });
      }
    }
    return rows;
  },
};
