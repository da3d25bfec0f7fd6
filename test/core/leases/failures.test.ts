// When the proxy misbehaves: ambiguous issue failures leave no unknown key, failed revocations are retried with
// back-off across restarts and end as irrevocable (never dropped), and a quit with a deadline returns on time.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDENTITY_FILE } from '../../../main/core/connection/index.js';
import type { KeyfobError } from '../../../main/core/errors.js';
import { MAX_REVOKE_ATTEMPTS } from '../../../main/core/leases/lease-scheduler.js';
import type { LeaseEvent } from '../../../main/core/types.js';
import { flush } from '../../support/fake-clock.js';
import { START, chat, eventTypes, harness, ledgerVersusServer } from './helpers.js';
import { until } from './workers.js';

const iso = (ms: number) => new Date(ms).toISOString();
const consistent = { unknownOnServer: [], missingOnServer: [] };

test('issue: a reset after the proxy created the key is cleaned up by alias at once', async () => {
  const h = await harness();
  try {
    h.sim.fault('/key/generate', { kind: 'reset', afterProcessing: true });
    await assert.rejects(h.core.leases.issue('dev'), (e: KeyfobError) => e.kind === 'unreachable' && /No key was left on the proxy/.test(e.message));
    const deletes = h.sim.requests.filter((r) => r.path === '/key/delete');
    assert.equal(deletes.length, 1);
    assert.ok(Array.isArray((deletes[0]?.body as { key_aliases?: unknown }).key_aliases), 'deleted by alias: the token was never seen');
    assert.equal(h.sim.keys().length, 0);
    assert.equal(h.core.leases.list({ all: true }).length, 0);
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), consistent);
  } finally {
    await h.close();
  }
});

test('issue: a text/plain 500 is reported with its cause and leaves nothing behind', async () => {
  const h = await harness();
  try {
    h.sim.fault('/key/generate', { kind: 'fail', status: 500, contentType: 'text', body: 'Internal Server Error' });
    await assert.rejects(h.core.leases.issue('dev'), (e: KeyfobError) => e.kind === 'server-error' && /failed/.test(e.message));
    assert.equal(h.sim.keys().length, 0);
    assert.equal(h.core.leases.list({ all: true }).length, 0);
  } finally {
    await h.close();
  }
});

test('issue: a proxy that hangs past the timeout gives a timeout error and no unknown key', async () => {
  const h = await harness({ requestTimeoutSeconds: 1 });
  try {
    h.sim.fault('/key/generate', { kind: 'hang' });
    await assert.rejects(h.core.leases.issue('dev'), (e: KeyfobError) => e.kind === 'timeout');
    assert.equal(h.sim.keys().length, 0);
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), consistent);
  } finally {
    await h.close();
  }
});

test('issue: when the clean-up fails too, the pending lease stays and is deleted as soon as the proxy answers', async () => {
  const h = await harness();
  try {
    h.sim.fault('/key/generate', { kind: 'reset', afterProcessing: true });
    h.sim.fault('/key/delete', { kind: 'fail', status: 502 });
    await assert.rejects(h.core.leases.issue('dev'), (e: KeyfobError) => /may have created the key "keyfob-dev-[0-9a-f]{8}"/.test(e.message));
    const [pending] = h.core.leases.list();
    assert.equal(pending?.state, 'pending');
    assert.equal(pending?.next_attempt_at, iso(START + 5000));
    assert.equal(h.sim.keys().length, 1, 'the orphan exists for now');
    await h.advance(5000);
    assert.equal(h.sim.keys().length, 0, 'deleted by alias on the retry');
    assert.equal(h.core.leases.list({ all: true }).length, 0);
  } finally {
    await h.close();
  }
});

test('issue: definite rejections (admin key rotated on the proxy, database lost) leave nothing to clean up', async () => {
  const h = await harness();
  try {
    h.sim.masterKey = 'sk-rotated';
    await assert.rejects(h.core.leases.issue('dev'), (e: KeyfobError) => e.kind === 'admin-key-rejected');
    h.sim.masterKey = 'sk-admin';
    h.sim.databaseConnected = false;
    await assert.rejects(h.core.leases.issue('dev'), (e: KeyfobError) => e.kind === 'no-database' && /database/.test(e.message));
    assert.equal(h.requests('/key/delete'), 0);
    assert.equal(h.core.leases.list({ all: true }).length, 0);
  } finally {
    await h.close();
  }
});

test('revoke: failures are retried with back-off that survives a restart, then the lease becomes irrevocable', async () => {
  const h = await harness();
  try {
    const { lease, key } = await h.core.leases.issue('dev');
    h.sim.fault('/key/delete', { kind: 'fail', status: 500, count: Infinity });
    const first = await h.core.leases.revoke(lease.lease_id);
    assert.equal(first.state, 'revoking');
    assert.equal(first.revoke_attempts, 1);
    assert.equal(first.next_attempt_at, iso(START + 5000));
    assert.equal(first.last_error?.kind, 'server-error');
    assert.equal(h.notifier.sent.at(-1)?.title, 'Revoking a key failed');
    await h.advance(5000);
    assert.equal(h.core.leases.get(lease.lease_id).revoke_attempts, 2);
    assert.equal(h.core.leases.get(lease.lease_id).next_attempt_at, iso(START + 15_000), '10 s after the second failure');

    // Restart: the attempts and the next instant come back from the ledger.
    await h.core.stop();
    const restarted = h.reopen();
    const events: LeaseEvent[] = [];
    restarted.leases.on((e) => events.push(e));
    const deletesBefore = h.requests('/key/delete');
    const report = await restarted.start();
    assert.equal(report.still_revoking, 1);
    assert.equal(h.requests('/key/delete'), deletesBefore, 'not retried before its time');
    assert.equal(h.clock.nextDeadline, START + 15_000);
    for (let attempt = 3; attempt <= MAX_REVOKE_ATTEMPTS; attempt++) await h.advance(300_000);
    const given = restarted.leases.get(lease.lease_id);
    assert.equal(given.state, 'irrevocable');
    assert.equal(given.revoke_attempts, MAX_REVOKE_ATTEMPTS);
    assert.deepEqual(eventTypes(events).slice(-2), ['revoke-failed', 'irrevocable']);
    const critical = h.notifier.sent.at(-1);
    assert.equal(critical?.urgency, 'critical');
    assert.ok(critical?.body.includes(lease.key_alias) && critical.body.includes(lease.key_hint as string), 'names the key to delete by hand');
    assert.equal(h.clock.armedTimers, 0, 'no more retries once irrevocable');
    assert.equal((await chat(h.sim, key)).status, 200, 'the key still works: that is why the person is told');

    // The proxy is back: the person's revoke finishes it.
    h.sim.clearFaults();
    assert.equal((await restarted.leases.revoke(lease.lease_id)).state, 'revoked');
    assert.equal((await chat(h.sim, key)).status, 401);
  } finally {
    await h.close();
  }
});

test('revokeAll with a deadline returns on time; what did not finish stays revoking and is finished at the next start', async () => {
  const h = await harness({ coreOptions: { maxConcurrency: 1 } });
  try {
    const issued = [await h.core.leases.issue('dev'), await h.core.leases.issue('dev'), await h.core.leases.issue('dev')];
    const held = h.sim.hold('/key/delete');
    const quitting = h.core.leases.revokeAll({ reason: 'revoked on quit', deadlineMs: 5000 });
    const hold = await held;
    await h.clock.advance(5000, async () => undefined); // only the deadline fires; the app quits right after
    const summary = await quitting;
    assert.equal(summary.left.length, 3);
    assert.ok(summary.left.every((l) => l.state === 'revoking' && l.ended_reason === 'revoked on quit'));
    assert.equal(h.requests('/key/delete'), 1, 'no new request after the deadline');

    const revoked = new Promise<void>((resolve) => h.core.leases.on((e) => e.type === 'revoked' && resolve()));
    hold.release();
    await revoked;
    await flush();
    await h.core.stop();

    const next = h.reopen();
    const report = await next.start();
    assert.equal(report.revoked, 2);
    assert.equal(h.sim.keys().length, 0);
    for (const { key } of issued) assert.equal((await chat(h.sim, key)).status, 401);
    assert.ok(next.leases.list({ all: true }).every((l) => l.state === 'revoked' && l.ended_reason === 'revoked on quit'));
  } finally {
    await h.close();
  }
});

test('renew: an expired lease is refused with no request — /key/update would re-base the dead key on now and revive it', async () => {
  const h = await harness();
  try {
    const { lease } = await h.core.leases.issue('dev');
    // A wall-clock jump past the expiry (a resume before the timer has caught up): the lease is still `active`.
    h.clock.jump(60 * 60_000 + 1_000);
    h.sim.clearRequests();
    await assert.rejects(h.core.leases.renew(lease.lease_id), (e: KeyfobError) => e.kind === 'not-renewable' && /has expired/.test(e.message));
    assert.equal(h.requests('/key/update'), 0, 'no renewal was sent');
    await h.advance(0);
    assert.equal(h.core.leases.list({ all: true })[0]?.state, 'expired', 'the re-armed timer expired it');
    assert.equal(h.sim.keys().length, 0, 'and deleted the key on the proxy');
  } finally {
    await h.close();
  }
});

test('issue: after a timeout, a "none found" from the clean-up proves nothing — a late generate is swept up later', async () => {
  const h = await harness({ requestTimeoutSeconds: 1 });
  try {
    // The proxy answers the generate only after the client gave up, and still creates the key.
    h.sim.fault('/key/generate', { kind: 'latency', ms: 2_500 });
    await assert.rejects(h.core.leases.issue('dev'), (e: KeyfobError) => e.kind === 'timeout' && /may have created the key/.test(e.message));
    const [pending] = h.core.leases.list();
    assert.equal(pending?.state, 'pending', 'kept: the key may still appear');
    assert.equal(pending?.next_attempt_at, iso(START + 31_000), 'swept once the generate has surely ended');
    // Wait (real time, bounded) for the late generate to land on the proxy.
    for (let i = 0; i < 200 && h.sim.keys().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.sim.keys().length, 1, 'the late key exists for now');
    await h.advance(31_000);
    assert.equal(h.sim.keys().length, 0, 'deleted by alias on the sweep');
    assert.equal(h.core.leases.list({ all: true }).length, 0);
    await flush();
  } finally {
    await h.close();
  }
});

// Issue 18, "fast, honest failure": against a proxy that never answers, an issue waits one request timeout, not four
// (/key/info, /key/generate, then a clean-up's /key/list and /key/delete each waiting the full timeout).
test('issue against a hung proxy, caller not known yet: one request (the look-up), nothing sent that could create a key, nothing left', async () => {
  const h = await harness({ requestTimeoutSeconds: 1 });
  try {
    await h.core.stop();
    fs.rmSync(path.join(h.stateDir, IDENTITY_FILE), { force: true }); // nothing remembered from an earlier process
    const fresh = h.reopen(); // a new process: who the caller is has not been asked yet
    await fresh.start();
    h.sim.fault('*', { kind: 'hang', count: Infinity });
    const before = h.sim.requests.length;
    await assert.rejects(fresh.leases.issue('dev'), (e: KeyfobError) => e.kind === 'timeout' && /did not answer within 1 s/.test(e.message));
    assert.deepEqual(h.sim.requests.slice(before).map((r) => r.path), ['/key/info'], 'the look-up only: no generate, no clean-up');
    assert.deepEqual(fresh.leases.list({ all: true }), [], 'nothing can have been created: no pending entry');
    await fresh.stop();
  } finally {
    h.sim.clearFaults();
    await h.close();
  }
});

test('issue against a hung proxy, caller known: the clean-up gets only what is left of 1.5 timeouts, and the entry is left pending', async () => {
  const h = await harness({ requestTimeoutSeconds: 2 });
  try {
    await h.core.leases.issue('dev'); // the caller's identity is known from now on
    h.sim.fault('*', { kind: 'hang', count: Infinity });
    const before = h.sim.requests.length;
    let settled = false;
    const issuing = h.core.leases.issue('dev').then(() => assert.fail('issued under a hung proxy'), (e: unknown) => e as KeyfobError)
      .finally(() => { settled = true; });
    await until(() => h.sim.requests.slice(before).some((r) => r.path !== '/key/generate'), 'the clean-up by alias to start');
    // The budget runs on Keyfob's clock: once it is spent the issue returns, with the clean-up's request unanswered
    // (it would take another 2 s per request to time out on its own).
    await h.advance(3000);
    assert.equal(settled, true, 'the issue did not wait for the clean-up');
    const err = await issuing;
    assert.equal(err.kind, 'timeout');
    assert.match(err.message, /may have created the key "keyfob-dev-[0-9a-f]{8}"/);
    assert.deepEqual(h.sim.requests.slice(before, before + 1).map((r) => r.path), ['/key/generate']);
    const pending = h.core.leases.list().find((l) => l.state === 'pending');
    assert.ok(pending, 'left pending for the next command or the scheduler');
    assert.ok(Date.parse(pending.next_attempt_at ?? '') >= START + 32_000, 'swept again once the generate has surely ended');
  } finally {
    h.sim.clearFaults();
    await h.close();
  }
});
