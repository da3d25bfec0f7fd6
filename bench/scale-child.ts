// One Keyfob process over a seeded state directory, for the scale part of the bench: run with --expose-gc (the heap
// is read after a full collection) and apart from the simulator, so that the heap is Keyfob's alone.
// Usage: node --expose-gc --import tsx bench/scale-child.ts '<json ScalePlan>'; prints one JSON line (ScaleResult).
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../main/adapters/system-clock.js';
import { KeytarSecretStore, SessionSecretStore } from '../main/core/keychain/index.js';
import type { SecretStore } from '../main/core/ports.js';
import { FakeClock, flush } from '../test/support/fake-clock.js';
import { openHeadlessCore } from '../test/support/headless-core.js';
import { CountingClock } from './lib/counting-clock.js';
import { timeLedger } from './lib/ledger-timing.js';
import { median } from './lib/stats.js';

export interface ScalePlan {
  leases: number;
  url: string;
  adminKey: string;
  stateDir: string;
  /** Where a second, real-clock Keyfob idles for the wake-up count (null: not this run). */
  idleStateDir: string | null;
  service: string;
  keychain: boolean;
  startTime: number;
  /** Changes (an issue and a revoke each) timed at this size. */
  changes: number;
}

export interface ScaleResult {
  leases: number;
  startMs: number;
  resumed: number;
  armedAfterStart: number;
  armedAfterChanges: number;
  heapBaseline: number;
  heapAfterStart: number;
  ledgerWrites: number[];
  ledgerFsyncs: number[];
  ledgerBytes: number;
  issueMs: number;
  revokeMs: number;
  idle: null | {
    simulatedMinute: { armed: number; fired: number };
    realSeconds: number;
    real: { clockArmed: number; clockFired: number; globalTimers: number; activeTimeouts: number };
  };
}

const plan = JSON.parse(process.argv[2] as string) as ScalePlan;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const secretStore: SecretStore = plan.keychain ? new KeytarSecretStore({ service: plan.service }) : new SessionSecretStore();
const fake = new FakeClock(plan.startTime);
const clock = new CountingClock(fake);
const heapBaseline = heapUsed();
const core = openHeadlessCore({ stateDir: plan.stateDir, secretStore, clock });
await core.connect({ url: plan.url, adminKey: plan.adminKey });
core.saveRole({ name: 'dev', models: ['gpt-4o'], ttl: '1h', max_ttl: '8h' });
core.updateSettings({ request_timeout_seconds: 60 });

clock.reset();
let t = performance.now();
const report = await core.start();
const startMs = performance.now() - t;
const armedAfterStart = clock.armed;
const heapAfterStart = heapUsed();

const ledger = timeLedger(core.ledger);
const issues: number[] = [];
const revokes: number[] = [];
for (let i = 0; i < plan.changes; i++) {
  t = performance.now();
  const { lease } = await core.leases.issue('dev');
  issues.push(performance.now() - t);
  t = performance.now();
  await core.leases.revoke(lease.lease_id);
  revokes.push(performance.now() - t);
}
ledger.restore();
const armedAfterChanges = clock.armed;
const ledgerBytes = fs.statSync(core.ledger.path).size;

let idle: ScaleResult['idle'] = null;
if (plan.idleStateDir) {
  // A simulated minute on the test clock: every timer the core arms fires as it would.
  clock.reset();
  await fake.advance(60_000, async () => {
    await flush();
    await core.leases.settled();
  });
  const simulatedMinute = { armed: clock.armedCalls, fired: clock.fired };

  // Real time: a second Keyfob on the system clock, idle with no leases, watched for two seconds.
  const realClock = new CountingClock(systemClock);
  const idler = openHeadlessCore({ stateDir: plan.idleStateDir, secretStore, clock: realClock });
  await idler.connect({ url: plan.url, adminKey: plan.adminKey });
  await idler.start();
  realClock.reset();
  let globalTimers = 0;
  const { setTimeout: realSetTimeout, setInterval: realSetInterval } = globalThis;
  globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => {
    globalTimers++;
    return realSetTimeout(...a);
  }) as typeof setTimeout;
  globalThis.setInterval = ((...a: Parameters<typeof setInterval>) => {
    globalTimers++;
    return realSetInterval(...a);
  }) as typeof setInterval;
  const seconds = 2;
  await sleep(seconds * 1000);
  globalThis.setTimeout = realSetTimeout;
  globalThis.setInterval = realSetInterval;
  const activeTimeouts = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  idle = { simulatedMinute, realSeconds: seconds, real: { clockArmed: realClock.armedCalls, clockFired: realClock.fired, globalTimers, activeTimeouts } };
  await idler.stop();
}

await core.stop();
await secretStore.delete('admin-key').catch(() => false);
const result: ScaleResult = {
  leases: plan.leases,
  startMs,
  resumed: report.resumed,
  armedAfterStart,
  armedAfterChanges,
  heapBaseline,
  heapAfterStart,
  ledgerWrites: ledger.updates,
  ledgerFsyncs: ledger.fsyncs,
  ledgerBytes,
  issueMs: median(issues),
  revokeMs: median(revokes),
  idle,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
// Keep-alive sockets to the simulator would hold the process a few seconds longer.
process.exit(0);
