// What the next Keyfob process does with the leases of a process that died (issue 12, majors 1 and 2): an issue
// killed during a slow /key/generate is cleaned up by alias only once that generate has surely ended, so a key that
// lands late is still found; a process-scoped lease (`keyfob exec`) is revoked; a free lease (`keyfob issue`) lives
// until its expiry; and nobody renews a lease whose owner is dead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advancePastPendingCleanup, harness, ledgerVersusServer } from './helpers.js';
import { killWorker, runWorker, until } from './workers.js';

const CONSISTENT = { unknownOnServer: [], missingOnServer: [] };
const MIN = 60_000;

test('kill -9 during a slow /key/generate whose key lands after the next start: no orphan, the pending entry waits', async () => {
  const h = await harness({ startTime: Date.now(), start: false });
  try {
    h.sim.fault('/key/generate', { kind: 'latency', ms: 4000 }); // long enough for the next start to come first, even under load
    const worker = runWorker(h, { start: false, steps: [{ op: 'issue', role: 'dev' }] });
    await until(() => h.requests('/key/generate') === 1, 'the generate to reach the proxy');
    await killWorker(worker);

    // The next process starts while the proxy is still working on the dead process's generate.
    const report = await h.core.start();
    assert.equal(h.sim.keys().length, 0, 'the key has not landed yet');
    assert.equal(report.pending_cleaned, 0, JSON.stringify(report));
    assert.equal(report.still_revoking, 1, JSON.stringify(report));
    // Swept at once (a key found would be deleted now); "none found" proves nothing while the generate may land.
    const [pending] = h.core.leases.list();
    assert.equal(pending?.state, 'pending', 'the pending entry stays');
    const deletes = h.requests('/key/delete');
    await h.core.leases.revokeAll();
    assert.equal(h.requests('/key/delete'), deletes, 'swept early once per process: a wait does not poll the proxy');

    // Before the fix the entry was dropped on "No keys found", and this key was an orphan.
    await until(() => h.sim.keys().length === 1, 'the late key to land');
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), CONSISTENT, 'the late key is known by its pending alias');

    await advancePastPendingCleanup(h);
    assert.equal(h.sim.keys().length, 0, 'deleted by alias once the generate had surely ended');
    assert.deepEqual(h.core.leases.list({ all: true }), []);
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), CONSISTENT);
  } finally {
    await h.close();
  }
});

test('a killed exec (process-scoped lease) is revoked by the next Keyfob process; a free lease lives until its expiry', async () => {
  const h = await harness({ startTime: Date.now(), start: false });
  const exec = runWorker(h, { start: true, steps: [{ op: 'issue', role: 'dev', scope: 'process' }, { op: 'hold' }] });
  try {
    const issue = runWorker(h, { start: true, steps: [{ op: 'issue', role: 'dev' }] }); // `keyfob issue`: exits at once
    await until(() => exec.lines.some((l) => l.holding), 'the exec-like worker to hold its lease');
    assert.equal((await issue.exited).code, 0);
    const execLease = exec.lines.find((l) => l.issued)?.issued as string;
    const freeLease = issue.lines.find((l) => l.issued)?.issued as string;

    // While the exec lives, its lease is its own: the next process leaves it alone and does not renew it.
    const other = h.reopen();
    assert.equal((await other.start()).resumed, 2);
    assert.equal(other.leases.get(execLease).scope, 'process');
    assert.equal(other.leases.get(execLease).will_auto_renew, true, 'its live owner renews it');
    assert.equal(other.leases.get(freeLease).will_auto_renew, false, "nobody renews a lease whose owner has exited");
    await other.stop();

    await killWorker(exec);
    const report = await h.core.start();
    assert.equal(report.revoked, 1, JSON.stringify(report));
    const ended = h.core.leases.get(execLease);
    assert.equal(ended.state, 'revoked', 'before the fix it stayed active for good');
    assert.equal(ended.ended_reason, 'its process ended without revoking it');
    assert.equal(h.core.leases.get(freeLease).state, 'active', 'the free lease lives on');
    assert.deepEqual(h.sim.keys().map((k) => k.key_alias), [h.core.leases.get(freeLease).key_alias]);

    // Nobody renews the free lease of the exited `keyfob issue` (before the fix, any later process did, up to its max TTL).
    await h.advance(60 * MIN);
    assert.equal(h.requests('/key/update'), 0);
    assert.equal(h.core.leases.get(freeLease).state, 'expired', 'it lived until its expiry, then was revoked');
    assert.equal(h.sim.keys().length, 0);
  } finally {
    await killWorker(exec); // a failed assertion must not leave it holding
    await h.close();
  }
});

test('a running app notices within a minute that an exec died, and revokes its lease', async () => {
  const h = await harness({ startTime: Date.now() });
  const exec = runWorker(h, { start: true, steps: [{ op: 'issue', role: 'dev', scope: 'process' }, { op: 'hold' }] });
  try {
    await until(() => exec.lines.some((l) => l.holding), 'the exec-like worker to hold its lease');
    const leaseId = exec.lines.find((l) => l.issued)?.issued as string;
    h.core.leases.refresh();
    assert.ok((h.clock.nextDeadline ?? Infinity) <= h.clock.now() + MIN, 'the app looks again within a minute');
    await killWorker(exec);
    await h.advance(MIN);
    assert.equal(h.core.leases.get(leaseId).state, 'revoked');
    assert.equal(h.sim.keys().length, 0);
  } finally {
    await killWorker(exec);
    await h.close();
  }
});
