// Reconcile records its outcomes in batches (ledger-write-batch.ts), and the scheduler keeps the parsed instants of
// frozen ledger leases: both are caches of a sort, and both must never change what ends up in the ledger or the plan.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeaseLedger } from '../../../main/core/leases/lease-ledger.js';
import { planLease } from '../../../main/core/leases/lease-scheduler.js';
import type { PlanMemory } from '../../../main/core/leases/lease-scheduler.js';
import { LedgerWriteBatch } from '../../../main/core/leases/ledger-write-batch.js';
import type { Lease } from '../../../main/core/types.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ledgerLease } from '../../support/lease-builder.js';
import { tempStateDir } from './helpers.js';

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function lease(n: number, over: Partial<Lease> = {}): Lease {
  return ledgerLease({
    lease_id: `11111111-2222-4333-8444-${String(n).padStart(12, '0')}`,
    key_alias: `keyfob-dev-${n}`,
    issued_at: iso(T0),
    expires_at: iso(T0 + 60 * MIN),
    max_expires_at: iso(T0 + 180 * MIN),
    ...over,
  });
}

test('a write batch rewrites the ledger once per full batch and once more on flush, every change applied in order', async () => {
  const ledger = new LeaseLedger({ stateDir: tempStateDir(), clock: new FakeClock(T0) });
  await ledger.update((d) => {
    for (let n = 0; n < 120; n++) d.put(lease(n));
  });
  const startRevision = ledger.current().revision;
  const batch = new LedgerWriteBatch((change) => ledger.update(change), 50);
  const writes: Array<Promise<string>> = [];
  const handedOver: Array<Promise<void>> = [];
  for (let n = 0; n < 120; n++) {
    const { write, queued } = batch.writer();
    handedOver.push(queued);
    writes.push(write((d) => {
      const current = d.get(lease(n).lease_id) as Lease;
      d.put({ ...current, state: 'revoked', ended_at: iso(T0) });
      return current.key_alias;
    }));
  }
  await Promise.all(handedOver); // each writer resolves `queued` at once, before anything is on disk
  await batch.flush();
  assert.deepEqual(await Promise.all(writes), Array.from({ length: 120 }, (_, n) => `keyfob-dev-${n}`));
  assert.equal(ledger.current().revision - startRevision, 3, '50 + 50 + 20: three rewrites for 120 changes');
  const fresh = new LeaseLedger({ stateDir: ledger.stateDir, clock: new FakeClock(T0) }).read();
  assert.equal([...fresh.leases.values()].filter((l) => l.state === 'revoked').length, 120, 'every change reached the file');
});

test('a change that throws fails alone; a failed write fails every change of its batch', async () => {
  const ledger = new LeaseLedger({ stateDir: tempStateDir(), clock: new FakeClock(T0) });
  const batch = new LedgerWriteBatch((change) => ledger.update(change), 10);
  const good = batch.write((d) => d.put(lease(1)));
  const bad = batch.write(() => {
    throw new Error('a bug in one change');
  });
  await batch.flush();
  await good;
  await assert.rejects(bad, /a bug in one change/);
  assert.equal(ledger.read().leases.size, 1);

  const failing = new LedgerWriteBatch(async () => {
    throw new Error('disk full');
  }, 10);
  const a = failing.write((d) => d.put(lease(2)));
  const b = failing.write((d) => d.put(lease(3)));
  await failing.flush();
  await assert.rejects(a, /disk full/);
  await assert.rejects(b, /disk full/);
});

test("the plan of a lease follows the lease: a frozen lease's instants are remembered, an unfrozen one is read each time", () => {
  const memory: PlanMemory = { renewalSkipped: () => false, warned: () => false, renewRetryAt: () => undefined, inFlight: () => false, renewsHere: () => true, ownerGone: () => false };
  const frozen = Object.freeze(lease(1));
  assert.deepEqual(planLease(frozen, undefined, T0, memory, 'me'), { due: null, next: T0 + 40 * MIN });
  assert.deepEqual(planLease(frozen, undefined, T0, memory, 'me'), { due: null, next: T0 + 40 * MIN });
  // A renewed lease is a new object in the ledger: its own instants.
  const renewed = Object.freeze({ ...frozen, expires_at: iso(T0 + 120 * MIN) });
  assert.deepEqual(planLease(renewed, undefined, T0, memory, 'me'), { due: null, next: T0 + 100 * MIN });
  const open = lease(2);
  assert.deepEqual(planLease(open, undefined, T0, memory, 'me'), { due: null, next: T0 + 40 * MIN });
  open.expires_at = iso(T0 + 120 * MIN);
  assert.deepEqual(planLease(open, undefined, T0, memory, 'me'), { due: null, next: T0 + 100 * MIN });
  const revoking = lease(3, { state: 'revoking', next_attempt_at: iso(T0 + 5 * MIN) });
  assert.deepEqual(planLease(revoking, undefined, T0, memory, 'me'), { due: null, next: T0 + 5 * MIN });
  revoking.next_attempt_at = iso(T0);
  assert.deepEqual(planLease(revoking, undefined, T0, memory, 'me'), { due: 'revoke', next: null });
});
