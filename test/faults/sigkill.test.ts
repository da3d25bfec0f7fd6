// SIGKILL of a Keyfob process in the middle of issue, renew and revoke (the proxy has done the work; the answer
// never arrives), and the proxy still failing when Keyfob starts again: the restart names the cause of what it could
// not finish, keeps it, and finishes it once the proxy is back. Reuses the lease suite's child Keyfob process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyfobError } from '../../main/core/errors.js';
import { advancePastPendingCleanup, chat, harness, ledgerVersusServer } from '../core/leases/helpers.js';
import type { Harness } from '../core/leases/helpers.js';
import { runWorker } from '../core/leases/workers.js';
import type { WorkerStep } from '../core/leases/fixtures/lease-worker.js';
import { CONSISTENT, ROUTE, assertNothingLost } from './support.js';
import type { Operation } from './support.js';

const FIRST_RETRY_MS = 5000;
const STEPS: Record<Operation, WorkerStep[]> = {
  issue: [{ op: 'issue', role: 'dev' }],
  renew: [{ op: 'issue', role: 'dev' }, { op: 'renew' }],
  revoke: [{ op: 'issue', role: 'dev' }, { op: 'revoke' }],
};

/** Runs the child until the proxy has carried out `op` and holds the answer, then kills it. */
async function killDuring(h: Harness, op: Operation): Promise<void> {
  const held = h.sim.hold(ROUTE[op]);
  const worker = runWorker(h, { start: false, steps: STEPS[op] });
  const hold = await held;
  worker.child.kill('SIGKILL');
  assert.equal((await worker.exited).signal, 'SIGKILL');
  hold.release(); // the answer goes to a dead socket
}

const proxyDown = (h: Harness) => h.sim.fault('*', { kind: 'fail', status: 503, count: Infinity });
const CAUSE = /The proxy failed on POST \/key\/delete \(503\)/;

test('SIGKILL during issue, proxy down at restart: the orphan key is named, kept, and deleted when the proxy is back', async () => {
  const h = await harness({ startTime: Date.now(), start: false });
  try {
    await killDuring(h, 'issue');
    assert.equal(h.sim.keys().length, 1, 'the proxy created a key nobody received');
    proxyDown(h);

    const report = await h.core.start();
    assert.equal(report.still_revoking, 1, JSON.stringify(report));
    // Swept by alias at once (the key may be found), but the proxy is down: the entry stays pending, and is retried
    // with the back-off, never before the dead owner's generate has surely ended.
    assert.equal(h.requests('/key/delete'), 1, 'the cleanup by alias is tried at once');
    await advancePastPendingCleanup(h);
    const [pending] = h.core.leases.list();
    assert.equal(pending?.state, 'pending');
    assert.equal(pending?.last_error?.kind, 'server-error');
    assert.match(pending?.last_error?.message ?? '', CAUSE);
    const told = h.notifier.sent.at(-1);
    assert.ok(told?.body.includes(pending?.key_alias as string), 'the notification names the key');
    assert.match(told?.body ?? '', CAUSE);
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), CONSISTENT, 'the orphan is known by its alias');

    h.sim.clearFaults();
    await h.advance(30_000); // the retries meanwhile doubled their back-off: within 30 s whatever the child's start
    assert.equal(h.sim.keys().length, 0);
    assert.ok(h.core.auditLog(5).some((e) => e.detail === 'unfinished issue cleaned up on the proxy'));
    assertNothingLost(h.core, h.sim);
  } finally {
    await h.close();
  }
});

test('SIGKILL during renew, proxy down at restart: the lease resumes; renewing names the cause, then works', async () => {
  const h = await harness({ startTime: Date.now(), start: false });
  try {
    await killDuring(h, 'renew');
    proxyDown(h);
    const report = await h.core.start();
    assert.equal(report.resumed, 1, JSON.stringify(report));
    const [lease] = h.core.leases.list();
    assert.equal(lease?.state, 'active');
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), CONSISTENT);

    await assert.rejects(h.core.leases.renew(lease?.lease_id as string), (e: KeyfobError) =>
      e.kind === 'server-error' && /POST \/key\/update \(503\)/.test(e.message));
    h.sim.clearFaults();
    await h.core.leases.renew(lease?.lease_id as string);
    const key = await h.core.leases.revealKey(lease?.lease_id as string);
    assert.equal((await chat(h.sim, key)).status, 200, 'the key in the keychain is the one on the proxy');
    assertNothingLost(h.core, h.sim);
  } finally {
    await h.close();
  }
});

test('SIGKILL during revoke, proxy down at restart: the revocation is kept with its cause and completes later', async () => {
  const h = await harness({ startTime: Date.now(), start: false });
  try {
    await killDuring(h, 'revoke');
    proxyDown(h);
    const report = await h.core.start();
    assert.equal(report.still_revoking, 1, JSON.stringify(report));
    const [revoking] = h.core.leases.list();
    assert.equal(revoking?.state, 'revoking');
    assert.match(revoking?.last_error?.message ?? '', CAUSE);
    assert.match(h.notifier.sent.at(-1)?.body ?? '', CAUSE);

    h.sim.clearFaults();
    await h.advance(FIRST_RETRY_MS);
    const done = h.core.leases.get(revoking?.lease_id as string);
    assert.equal(done.state, 'revoked', '404 on the retry: it was already gone');
    assert.equal(await h.keychain.get(`lease:${done.lease_id}`), null, 'its secret is removed too');
    assertNothingLost(h.core, h.sim);
  } finally {
    await h.close();
  }
});
