// Claims name the lease manager that holds them (host, pid, an instance nonce, its start time), not just the
// process: two cores in one process share a pid, and a container restarts with the same small pid. A stopped core
// releases its claims, and a lease on its way out (`revoking`, `pending`) always has a deadline for its next attempt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LeaseLedger } from '../../../main/core/leases/lease-ledger.js';
import type { LedgerDocument } from '../../../main/core/leases/lease-ledger.js';
import type { Lease } from '../../../main/core/types.js';
import { flush } from '../../support/fake-clock.js';
import { advancePastPendingCleanup, START, chat, harness } from './helpers.js';

const iso = (ms: number) => new Date(ms).toISOString();

function ledgerOnDisk(stateDir: string): LedgerDocument {
  return JSON.parse(fs.readFileSync(path.join(stateDir, 'leases.json'), 'utf8')) as LedgerDocument;
}

/** Lets real I/O (sockets to the simulator, the keyring) deliver `condition`; no time passes on any clock. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 20_000) assert.fail(`never happened: ${what}`);
    await flush(1);
  }
}

test('quit against a hung proxy: while revoking, every lease has a deadline; stop() releases the claims', async () => {
  const h = await harness();
  try {
    await h.core.leases.issue('dev');
    await h.core.leases.issue('dev');
    h.sim.fault('*', { kind: 'hang', count: Infinity });
    const quitting = h.core.leases.revokeAll({ reason: 'revoked on quit', deadlineMs: 5000 });
    await until(() => h.requests('/key/delete') === 2, 'both deletes sent');

    const during = ledgerOnDisk(h.stateDir);
    for (const lease of Object.values(during.leases)) {
      const claim = during.claims[lease.lease_id];
      assert.equal(lease.state, 'revoking');
      assert.ok(claim, 'claimed while the delete is in flight');
      assert.equal(claim.instance, h.core.leases.instance, 'the claim names the lease manager, not only the pid');
      assert.equal(claim.pid, process.pid);
      assert.equal(typeof claim.started_at, 'string');
      assert.equal(lease.next_attempt_at, claim.until, 'should the outcome never be recorded, the claim\'s end is the deadline');
    }

    await h.advance(5000);
    assert.equal((await quitting).left.length, 2);
    await h.core.stop();

    const after = ledgerOnDisk(h.stateDir);
    assert.deepEqual(after.claims, {}, 'a stopped core holds no claim');
    for (const lease of Object.values(after.leases)) {
      assert.equal(lease.state, 'revoking');
      assert.equal(lease.next_attempt_at, iso(h.clock.now()), 'due at once for whoever comes next');
      assert.equal(lease.last_error?.kind, 'timeout', 'the interruption is recorded');
      assert.equal(lease.revoke_attempts, 0, 'an unanswered attempt is not counted as a failure');
    }
  } finally {
    await h.close();
  }
});

test('a core in the same process retries a stopped core\'s revocations at once, not when its claims would have ended', async () => {
  // A long request timeout makes a claim last 2 × 300 s + 30 s: longer than the ten minutes watched below.
  const h = await harness({ requestTimeoutSeconds: 300 });
  try {
    const other = h.reopen(); // the app, say, running beside a core that quits
    await other.start();
    const issued = [await h.core.leases.issue('dev'), await h.core.leases.issue('dev')];
    h.sim.fault('*', { kind: 'hang', count: Infinity });
    const quitting = h.core.leases.revokeAll({ deadlineMs: 5000 });
    await until(() => h.requests('/key/delete') === 2, 'both deletes sent');
    await h.advance(5000);
    await quitting;
    await h.core.stop();

    h.sim.clearFaults();
    other.leases.refresh(); // what the ledger watcher does when the file changes
    await h.advance(1000);
    assert.deepEqual(other.leases.list({ all: true }).map((l) => l.state), ['revoked', 'revoked'], 'retried by the other core\'s timer');
    assert.equal(h.sim.keys().length, 0);
    for (const { key } of issued) assert.equal((await chat(h.sim, key)).status, 401);
    assert.equal(h.clock.armedTimers, 0, 'nothing left to do');
  } finally {
    await h.close();
  }
});

test('a claim left with this process\'s pid by another lease manager (an earlier process, a stopped core) is void', async () => {
  const h = await harness({ start: false });
  try {
    const { lease, key } = await h.core.leases.issue('dev');
    const ledger = new LeaseLedger({ stateDir: h.stateDir, clock: h.clock });
    await ledger.update((d) => {
      // What a killed Keyfob left, if it had the same pid (containers reuse small pids): revoking, claimed for an
      // hour, no next attempt recorded (an older ledger).
      d.put({ ...(d.get(lease.lease_id) as Lease), state: 'revoking', ended_reason: 'revoked by person', next_attempt_at: null });
      const instance = randomUUID();
      d.setClaim(lease.lease_id, { owner: `${os.hostname()}:${process.pid}:${instance}`, host: os.hostname(), pid: process.pid, instance, until: iso(START + 3600_000) });
    });

    const report = await h.core.start();
    assert.equal(report.revoked, 1, 'revoked at start, not in an hour');
    assert.equal(h.core.leases.get(lease.lease_id).state, 'revoked');
    assert.equal((await chat(h.sim, key)).status, 401);
  } finally {
    await h.close();
  }
});

test('a live claim of another process on this host is respected until it ends, then retried', async () => {
  const h = await harness({ start: false });
  try {
    const { lease } = await h.core.leases.issue('dev');
    const ledger = new LeaseLedger({ stateDir: h.stateDir, clock: h.clock });
    await ledger.update((d) => {
      d.put({ ...(d.get(lease.lease_id) as Lease), state: 'revoking', ended_reason: 'revoked by person', next_attempt_at: iso(START + 40_000) });
      d.setClaim(lease.lease_id, { owner: `${os.hostname()}:${process.ppid}:live`, host: os.hostname(), pid: process.ppid, until: iso(START + 40_000) });
    });
    const report = await h.core.start();
    // Issue 12: reported as "still being revoked" from an earlier run, with a failed reconcile in the audit log.
    assert.equal(report.still_revoking, 0, 'not left over from an earlier run: a live process is on it');
    assert.ok(h.core.takeNotices().some((n) => n.kind === 'revoking-elsewhere' && /being revoked by another Keyfob process \(pid \d+\) right now/.test(n.text)));
    assert.ok(!h.core.auditLog(10).some((e) => e.action === 'reconcile' && e.outcome === 'failed'), 'no failed reconcile recorded');
    assert.equal(h.clock.nextDeadline, START + 40_000);
    await h.advance(40_000);
    assert.equal(h.core.leases.get(lease.lease_id).state, 'revoked', 'its claim ran out: retried');
  } finally {
    await h.close();
  }
});

test('an issue in flight when its core stops keeps its claim until /key/generate answers; the late key is deleted', async () => {
  const h = await harness();
  try {
    const held = h.sim.hold('/key/generate');
    const issuing = h.core.leases.issue('dev');
    const hold = await held; // the proxy has created the key; its answer is held back
    await h.core.stop();
    const [pending] = Object.values(ledgerOnDisk(h.stateDir).leases);
    assert.equal(pending?.state, 'pending');
    assert.ok(ledgerOnDisk(h.stateDir).claims[pending.lease_id], 'the alias is protected while the key may still appear');

    const next = h.reopen();
    const report = await next.start();
    assert.equal(report.pending_cleaned, 0, 'not deleted by alias under the running /key/generate');
    assert.equal(h.sim.keys().length, 1);

    hold.release();
    await assert.rejects(issuing, (e: Error & { kind?: string }) => e.kind === 'state-unavailable');
    assert.equal(h.sim.keys().length, 0, 'the key nobody will hold is deleted on the proxy at once');

    next.leases.refresh();
    await advancePastPendingCleanup(h, next);
    assert.deepEqual(next.leases.list({ all: true }), [], 'the next core cleaned the pending entry up (404 by alias) once the generate surely ended');
  } finally {
    await h.close();
  }
});
