// Crash safety: a Keyfob process is SIGKILLed while the proxy holds its /key/generate, /key/update or /key/delete
// (the proxy has done the work; the answer never arrives). The next start reconciles, and then the proxy holds no key
// the ledger does not know, and the ledger no live lease the proxy lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chat, harness, ledgerVersusServer } from './helpers.js';
import { runWorker } from './workers.js';
import type { Worker } from './workers.js';

const consistent = { unknownOnServer: [], missingOnServer: [] };

async function kill(worker: Worker): Promise<void> {
  worker.child.kill('SIGKILL');
  const { signal } = await worker.exited;
  assert.equal(signal, 'SIGKILL');
}

/** kill -9 of a worker whose /key/generate the proxy has carried out: its key exists, nobody received it. */
async function killAfterGenerate(h: Awaited<ReturnType<typeof harness>>): Promise<void> {
  const held = h.sim.hold('/key/generate');
  const worker = runWorker(h, { start: false, steps: [{ op: 'issue', role: 'dev' }] });
  const hold = await held;
  const pending = [...h.core.ledger.read().leases.values()];
  assert.equal(pending.length, 1);
  assert.equal(pending[0]?.state, 'pending', 'written ahead, before the proxy was asked');
  await kill(worker);
  hold.release();
  assert.equal(h.sim.keys().length, 1, 'the proxy created a key nobody received');
}

test('SIGKILL while /key/generate is held, the key on the proxy: the next start deletes it by alias at once', async () => {
  const h = await harness({ startTime: Date.now(), start: false });
  try {
    await killAfterGenerate(h);
    // Found by its alias: deleted now, not after the generate's settle time (issue 22, point 8).
    const report = await h.core.start();
    assert.equal(report.pending_cleaned, 1, JSON.stringify(report));
    assert.equal(report.still_revoking, 0, JSON.stringify(report));
    assert.equal(h.sim.keys().length, 0, 'the orphan is gone at once');
    assert.deepEqual(h.core.leases.list({ all: true }), [], 'the pending entry is gone with its key');
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), consistent);
  } finally {
    await h.close();
  }
});

test('SIGKILL while /key/generate is held, the key on the proxy: revoke --all deletes it, with nothing failed or left', async () => {
  const h = await harness({ startTime: Date.now(), start: false });
  try {
    await killAfterGenerate(h);
    const summary = await h.core.leases.revokeAll();
    assert.deepEqual({ revoked: summary.revoked, failed: summary.failed, left: summary.left.length }, { revoked: 1, failed: 0, left: 0 });
    assert.equal(h.sim.keys().length, 0);
    assert.deepEqual(h.core.leases.list({ all: true }), []);
  } finally {
    await h.close();
  }
});

test('SIGKILL while /key/update is held: the lease is still active and its key still on the proxy', async () => {
  const h = await harness({ startTime: Date.now(), start: false });
  try {
    const held = h.sim.hold('/key/update');
    const worker = runWorker(h, { start: false, steps: [{ op: 'issue', role: 'dev' }, { op: 'renew' }] });
    const hold = await held;
    await kill(worker);
    hold.release();

    const report = await h.core.start();
    assert.equal(report.resumed, 1);
    const [lease] = h.core.leases.list();
    assert.equal(lease?.state, 'active');
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), consistent);
    const key = await h.core.leases.revealKey(lease?.lease_id as string);
    assert.equal((await chat(h.sim, key)).status, 200, 'the key in the keychain is the one on the proxy');
    await h.core.leases.revoke(lease?.lease_id as string);
    assert.equal(h.sim.keys().length, 0);
  } finally {
    await h.close();
  }
});

test('SIGKILL while /key/delete is held: the next start finishes the revocation (404 = done)', async () => {
  const h = await harness({ startTime: Date.now(), start: false });
  try {
    const held = h.sim.hold('/key/delete');
    const worker = runWorker(h, { start: false, steps: [{ op: 'issue', role: 'dev' }, { op: 'revoke' }] });
    const hold = await held;
    const [revoking] = [...h.core.ledger.read().leases.values()];
    assert.equal(revoking?.state, 'revoking', 'the intent was written before the request');
    await kill(worker);
    hold.release();

    const report = await h.core.start();
    assert.equal(report.revoked, 1);
    const lease = h.core.leases.get(revoking?.lease_id as string);
    assert.equal(lease.state, 'revoked');
    assert.equal(await h.keychain.get(`lease:${lease.lease_id}`), null, 'the secret is removed too');
    assert.equal(h.sim.keys().length, 0);
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), consistent);
  } finally {
    await h.close();
  }
});
