// The timing rules and the small building blocks, without a proxy: renew points, Vault's cap, back-off, the one
// timer, bounded concurrency, the audit log and the clipboard guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AuditLog } from '../../../main/core/audit-log.js';
import { mapBounded } from '../../../main/core/leases/bounded-concurrency.js';
import { ClipboardGuard } from '../../../main/core/clipboard-guard.js';
import {
  EXPIRING_SOON_MS, MAX_REVOKE_ATTEMPTS, cappedRenewal, canExtend, planLease, renewLeadMs, renewPointMs, revokeBackoffMs,
} from '../../../main/core/leases/lease-scheduler.js';
import type { PlanMemory } from '../../../main/core/leases/lease-scheduler.js';
import { SingleTimer } from '../../../main/core/single-timer.js';
import type { Lease } from '../../../main/core/types.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ledgerLease } from '../../support/lease-builder.js';
import { MemoryClipboard, tempStateDir } from './helpers.js';

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

function lease(over: Partial<Lease> = {}): Lease {
  return ledgerLease({
    key_alias: 'keyfob-dev-abcdef12',
    issued_at: iso(T0),
    expires_at: iso(T0 + 60 * MIN),
    max_expires_at: iso(T0 + 180 * MIN),
    ...over,
  });
}

// The lease's owner is this process, alive: it renews its own leases.
const noMemory: PlanMemory = { renewalSkipped: () => false, warned: () => false, renewRetryAt: () => undefined, inFlight: () => false, renewsHere: () => true, ownerGone: () => false };

test('renew point: a third of the TTL left, never later than 2 minutes before expiry, inside short leases', () => {
  assert.equal(renewLeadMs(3600), 20 * MIN); // 1 h: renew with 20 min left
  assert.equal(renewLeadMs(300), 2 * MIN); // 5 min: a third would be 100 s, but 2 min is the latest
  assert.equal(renewLeadMs(60), 30_000); // 1 min: half, so the renewal lands inside the lease
  assert.equal(renewPointMs(lease()), T0 + 40 * MIN);
});

test("Vault's renew rule: now + increment, capped at max_expires_at, sending exactly the capped seconds", () => {
  const l = lease();
  assert.deepEqual(cappedRenewal(l, T0 + 40 * MIN, 3600), { seconds: 3600, capped: false });
  assert.deepEqual(cappedRenewal(l, T0 + 150 * MIN, 3600), { seconds: 1800, capped: true });
  assert.deepEqual(cappedRenewal(l, T0 + 179.5 * MIN, 3600), { seconds: 30, capped: true });
  assert.equal(cappedRenewal(l, T0 + 180 * MIN - 500, 3600).seconds, 0); // nothing left below the cap
  assert.equal(canExtend(lease({ expires_at: iso(T0 + 180 * MIN) })), false);
  assert.equal(canExtend(lease({ renewable: false })), false);
});

test('revoke back-off: 5 s doubling to a 5 min cap, jittered by ±20 %', () => {
  assert.equal(revokeBackoffMs(1, () => 0.5), 5000);
  assert.equal(revokeBackoffMs(2, () => 0.5), 10_000);
  assert.equal(revokeBackoffMs(7, () => 0.5), 300_000);
  assert.equal(revokeBackoffMs(20, () => 0.5), 300_000);
  assert.equal(revokeBackoffMs(1, () => 0), 4000);
  assert.equal(revokeBackoffMs(1, () => 0.9999999), 6000);
  assert.ok(MAX_REVOKE_ATTEMPTS >= 3);
});

test('plan: renew at the renew point; warn 5 minutes before a final expiry; expire at expires_at', () => {
  const self = 'me';
  assert.deepEqual(planLease(lease(), undefined, T0, noMemory, self), { due: null, next: T0 + 40 * MIN });
  assert.deepEqual(planLease(lease(), undefined, T0 + 40 * MIN, noMemory, self), { due: 'renew', next: null });
  // Skipped (idle): nothing more until the expiry.
  const skipped: PlanMemory = { ...noMemory, renewalSkipped: () => true };
  assert.deepEqual(planLease(lease(), undefined, T0 + 41 * MIN, skipped, self), { due: null, next: T0 + 60 * MIN });
  // At the cap: a warning first, then the expiry.
  const final = lease({ expires_at: iso(T0 + 180 * MIN) });
  assert.deepEqual(planLease(final, undefined, T0, noMemory, self), { due: null, next: T0 + 180 * MIN - EXPIRING_SOON_MS });
  assert.equal(planLease(final, undefined, T0 + 176 * MIN, noMemory, self).due, 'warn');
  const warned: PlanMemory = { ...noMemory, warned: () => true };
  assert.deepEqual(planLease(final, undefined, T0 + 176 * MIN, warned, self), { due: null, next: T0 + 180 * MIN });
  assert.equal(planLease(final, undefined, T0 + 180 * MIN, warned, self).due, 'expire');
  // A short final lease gets no warning at all (it would come with under a minute left).
  const short = lease({ expires_at: iso(T0 + 50_000), max_expires_at: iso(T0 + 50_000), ttl_seconds: 50 });
  assert.deepEqual(planLease(short, undefined, T0, noMemory, self), { due: null, next: T0 + 50_000 });
});

test('plan: revocations wait for next_attempt_at; a live claim of another process is left alone; ended leases need nothing', () => {
  const revoking = lease({ state: 'revoking', next_attempt_at: iso(T0 + 5000) });
  assert.deepEqual(planLease(revoking, undefined, T0, noMemory, 'me'), { due: null, next: T0 + 5000 });
  assert.equal(planLease(revoking, undefined, T0 + 5000, noMemory, 'me').due, 'revoke');
  const claim = { owner: 'other', host: 'elsewhere', pid: 1, until: iso(T0 + 30_000) };
  assert.deepEqual(planLease(revoking, claim, T0 + 5000, noMemory, 'me'), { due: null, next: T0 + 30_000 });
  assert.equal(planLease(revoking, claim, T0 + 30_000, noMemory, 'me').due, 'revoke'); // the claim ran out
  assert.equal(planLease(lease({ state: 'pending' }), undefined, T0, noMemory, 'me').due, 'cleanup-pending');
  for (const state of ['revoked', 'expired', 'irrevocable'] as const) {
    assert.deepEqual(planLease(lease({ state }), undefined, T0, noMemory, 'me'), { due: null, next: null });
  }
  assert.deepEqual(planLease(lease(), undefined, T0 + 40 * MIN, { ...noMemory, inFlight: () => true }, 'me'), { due: null, next: null });
});

test('the single timer arms one timer for the earliest deadline of all sources, and none when idle', async () => {
  const clock = new FakeClock(T0);
  const timer = new SingleTimer(clock);
  const ran: string[] = [];
  const deadlines = new Map<string, number | null>([['a', T0 + 300], ['b', T0 + 100], ['c', null]]);
  for (const name of deadlines.keys()) {
    timer.add({
      nextDeadline: () => deadlines.get(name) ?? null,
      run: async (now) => {
        ran.push(`${name}@${now - T0}`);
        deadlines.set(name, null);
      },
    });
  }
  timer.start();
  assert.equal(clock.armedTimers, 1);
  assert.equal(clock.nextDeadline, T0 + 100);
  timer.rearm();
  timer.rearm();
  assert.equal(clock.armedTimers, 1, 're-arming never adds a timer');
  await clock.advance(1000, async () => timer.settled());
  assert.deepEqual(ran, ['b@100', 'a@300']);
  assert.equal(clock.armedTimers, 0, 'nothing to do: no timer, no wake-up');
  timer.stop();
});

test('the single timer does not spin on a source that stays due', async () => {
  const clock = new FakeClock(T0);
  const timer = new SingleTimer(clock);
  let runs = 0;
  timer.add({ nextDeadline: () => T0, run: async () => void runs++ });
  timer.start();
  await clock.advance(10_500, async () => timer.settled());
  assert.ok(runs >= 5 && runs <= 12, `ran ${runs} times in 10.5 s`);
  timer.stop();
  assert.equal(clock.armedTimers, 0);
});

test('mapBounded never runs more than the limit at once, keeps order, and stops starting work on request', async () => {
  let running = 0;
  let peak = 0;
  const items = Array.from({ length: 40 }, (_, i) => i);
  const results = await mapBounded(items, async (i) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setImmediate(r));
    running--;
    if (i === 3) throw new Error('boom');
    return i * 2;
  }, { limit: 4 });
  assert.equal(peak, 4);
  assert.deepEqual(results[5], { status: 'fulfilled', value: 10 });
  assert.equal(results[3]?.status, 'rejected');

  let started = 0;
  let stop = false;
  const partial = await mapBounded(items, async () => {
    started++;
    if (started === 6) stop = true;
    await new Promise((r) => setImmediate(r));
  }, { limit: 2, stopped: () => stop });
  assert.ok(started <= 7, `started ${started}`);
  assert.equal(partial.filter((r) => r === undefined).length, 40 - started);
});

test('audit log: JSON lines, newest first, mode 0600, keys redacted, rotated by size', () => {
  const dir = tempStateDir();
  try {
    const clock = new FakeClock(T0);
    const log = new AuditLog({ stateDir: dir, clock, maxBytes: 2000 });
    log.append({ action: 'issue', outcome: 'ok', lease_id: 'a', role: 'dev', key_alias: 'keyfob-dev-1', detail: 'got sk-abcdefghijklmnop' });
    clock.jump(1000);
    log.append({ action: 'revoke', outcome: 'failed', lease_id: 'a', detail: 'proxy down' });
    const entries = log.read(10);
    assert.deepEqual(entries.map((e) => e.action), ['revoke', 'issue']);
    assert.equal(entries[1]?.time, iso(T0));
    assert.equal(entries[1]?.detail, 'got sk-...mnop');
    assert.equal(fs.statSync(log.path).mode & 0o777, 0o600);
    assert.ok(!fs.readFileSync(log.path, 'utf8').includes('sk-abcdefghijklmnop'));

    fs.appendFileSync(log.path, '{"torn line\n');
    for (let i = 0; i < 40; i++) log.append({ action: 'renew', outcome: 'ok', lease_id: String(i) });
    assert.ok(fs.existsSync(log.rotatedPath), 'rotated');
    assert.ok(fs.statSync(log.path).size < 2000 + 200);
    const all = log.read(1000);
    assert.equal(all[0]?.lease_id, '39', 'newest first across both files');
    assert.ok(all.every((e) => typeof e.time === 'string'), 'torn lines skipped');
    assert.equal(log.read(3).length, 3);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('clipboard guard: clears after the delay only if the clipboard still holds the key; a new copy cancels the clear', async () => {
  const clock = new FakeClock(T0);
  const clipboard = new MemoryClipboard();
  const timer = new SingleTimer(clock);
  let seconds = 30;
  const guard = new ClipboardGuard({ clipboard, clock, clearAfterSeconds: () => seconds, onDeadlineChange: () => timer.rearm() });
  timer.add(guard);
  timer.start();
  const settle = async () => timer.settled();

  await guard.copy('sk-first-key-0001', 'lease-a');
  assert.equal(clipboard.text, 'sk-first-key-0001');
  assert.equal(clock.armedTimers, 1);
  await clock.advance(29_000, settle);
  assert.equal(clipboard.text, 'sk-first-key-0001');
  await clock.advance(1000, settle);
  assert.equal(clipboard.text, '', 'cleared after 30 s');
  assert.equal(clock.armedTimers, 0);

  await guard.copy('sk-first-key-0001', 'lease-a');
  clipboard.text = 'something the person copied';
  await clock.advance(30_000, settle);
  assert.equal(clipboard.text, 'something the person copied', 'never wipes what the person copied');

  await guard.copy('sk-first-key-0001', 'lease-a');
  await clock.advance(20_000, settle);
  await guard.copy('sk-second-key-0002', 'lease-b');
  await clock.advance(15_000, settle);
  assert.equal(clipboard.text, 'sk-second-key-0002', 'the first copy\'s clear was cancelled');
  assert.equal(clock.armedTimers, 1);
  await clock.advance(15_000, settle);
  assert.equal(clipboard.text, '');

  await guard.copy('sk-second-key-0002', 'lease-b');
  assert.equal(await guard.leaseEnded('lease-a'), false);
  assert.equal(clipboard.text, 'sk-second-key-0002');
  assert.equal(await guard.leaseEnded('lease-b'), true, 'the revoked lease\'s key is cleared at once');
  assert.equal(clipboard.text, '');

  seconds = 0;
  await guard.copy('sk-third-key-00003', 'lease-c');
  assert.equal(clock.armedTimers, 0, 'a delay of 0 never clears');
  assert.equal(await guard.clearOnQuit(), true);
  assert.equal(clipboard.text, '');
  timer.stop();
});

test('a path under a file cannot hold state: the ledger says so with state-unavailable', async () => {
  const dir = tempStateDir();
  try {
    const file = path.join(dir, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const { LeaseLedger } = await import('../../../main/core/leases/lease-ledger.js');
    const ledger = new LeaseLedger({ stateDir: path.join(file, 'state'), clock: new FakeClock(T0), lockTimeoutMs: 500 });
    await assert.rejects(ledger.update(() => undefined), (e: Error & { kind?: string }) => e.kind === 'state-unavailable' && /state directory/.test(e.message));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
