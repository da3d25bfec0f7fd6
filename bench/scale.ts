// Scale: 0, 1,000 and 10,000 live leases. For each size a simulator holds the keys (created by plain admin calls)
// and a ledger file holds the leases; a separate Keyfob process (scale-child.ts, with --expose-gc) starts on them and
// reports its armed timers, the time of each ledger write, its heap after a full GC, and — with no leases — how often
// it wakes up in a simulated minute and in two seconds of real idle.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startSimulator } from '../test/sim/index.js';
import { median, ms, bytes, percentile } from './lib/stats.js';
import { seedLeases, writeLedger } from './lib/seed.js';
import type { BenchContext, Row, Section } from './lib/report.js';
import type { ScalePlan, ScaleResult } from './scale-child.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));
const SIZES = [0, 1000, 10_000] as const;
const CHANGES = 10;
const HOUR = 3600;
const LEDGER_TARGET_MS = 10;

async function measure(ctx: BenchContext, leases: number): Promise<ScaleResult> {
  const startTime = Date.now();
  const adminKey = `sk-bench-${randomUUID()}`;
  const sim = await startSimulator({ masterKey: adminKey, startTime });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-bench-scale-'));
  try {
    const ledgerId = randomUUID();
    const stateDir = path.join(dir, 'state');
    // Issued over the last half hour with a 1 h TTL: none is due for renewal at the start (renew points lie 40 min in).
    const seeded = await seedLeases({
      url: sim.url,
      adminKey,
      ledgerId,
      count: leases,
      durationSeconds: (i) => HOUR - (i % 1800),
      issuedAt: (i) => startTime - (i % 1800) * 1000,
      ttlSeconds: HOUR,
      maxTtlSeconds: 8 * HOUR,
    });
    writeLedger(stateDir, ledgerId, seeded.map((s) => s.lease));
    const plan: ScalePlan = {
      leases,
      url: sim.url,
      adminKey,
      stateDir,
      idleStateDir: leases === 0 ? path.join(dir, 'idle') : null,
      service: `Keyfob-bench:${randomUUID()}`,
      keychain: ctx.keychain.real,
      startTime,
      changes: CHANGES,
    };
    ctx.log(`scale: ${leases} leases seeded; starting a Keyfob process on them`);
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, JSON.stringify(plan)], {
      cwd: REPO,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1) as string) as ScaleResult;
  } finally {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const scaleSection: Section = {
  name: 'scale',
  async run(ctx: BenchContext): Promise<Row[]> {
    const results = new Map<number, ScaleResult>();
    for (const size of SIZES) results.set(size, await measure(ctx, size));
    const empty = results.get(0) as ScaleResult;
    const rows: Row[] = [];
    for (const size of SIZES) {
      const r = results.get(size) as ScaleResult;
      const area = size === 0 ? 'Scale: no leases' : `Scale: ${size.toLocaleString('en')} live leases`;
      const write = median(r.ledgerWrites);
      rows.push({ area, measure: 'armed timers after start (and after issues and revokes)', result: `${r.armedAfterStart} (${r.armedAfterChanges})`, target: size === 0 ? '0' : '1', met: r.armedAfterStart === (size === 0 ? 0 : 1) && r.armedAfterChanges === r.armedAfterStart });
      rows.push({
        area,
        measure: `ledger write per change (median, p95 of ${r.ledgerWrites.length} writes; median of their ${r.ledgerFsyncs.length} fsync calls), ledger ${bytes(r.ledgerBytes)}`,
        result: `${ms(write)}, ${ms(percentile(r.ledgerWrites, 95))} (fsync ${ms(median(r.ledgerFsyncs))})`,
        ...(size === 1000 ? { target: `≤ ${LEDGER_TARGET_MS} ms`, met: write <= LEDGER_TARGET_MS } : {}),
      });
      rows.push({ area, measure: 'start (reconcile, nothing due) | issue | revoke', result: `${ms(r.startMs)} | ${ms(r.issueMs)} | ${ms(r.revokeMs)}` });
      rows.push({
        area,
        measure: 'main-side heap after start, after full GC (above an empty process; per lease)',
        result: size === 0
          ? `${bytes(r.heapAfterStart)} (+${bytes(r.heapAfterStart - r.heapBaseline)})`
          : `${bytes(r.heapAfterStart)} (+${bytes(r.heapAfterStart - r.heapBaseline)}; ${bytes((r.heapAfterStart - empty.heapAfterStart) / size)} per lease)`,
      });
    }
    const idle = empty.idle;
    if (idle) {
      rows.push({
        area: 'Scale: no leases',
        measure: 'wake-ups in a simulated minute idle (timers armed | fired)',
        result: `${idle.simulatedMinute.armed} | ${idle.simulatedMinute.fired}`,
        target: '0',
        met: idle.simulatedMinute.armed === 0 && idle.simulatedMinute.fired === 0,
      });
      rows.push({
        area: 'Scale: no leases',
        measure: `wake-ups in ${idle.realSeconds} s of real idle (Keyfob's clock armed | fired; any setTimeout/setInterval in the process; timers still active)`,
        result: `${idle.real.clockArmed} | ${idle.real.clockFired}; ${idle.real.globalTimers}; ${idle.real.activeTimeouts}`,
        target: '0',
        met: idle.real.clockArmed === 0 && idle.real.clockFired === 0 && idle.real.globalTimers === 0,
      });
    }
    return rows;
  },
};
