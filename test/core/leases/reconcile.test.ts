// Reconcile at start: whatever the last run left (expired, unfinished issues, unfinished revocations, a corrupt
// ledger), the next start makes the ledger and the proxy agree — with bounded concurrency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { LeaseLedger } from '../../../main/core/leases/lease-ledger.js';
import type { Lease } from '../../../main/core/types.js';
import type { Simulator } from '../../sim/index.js';
import { ledgerLease } from '../../support/lease-builder.js';
import { START, chat, harness, ledgerVersusServer } from './helpers.js';

const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const consistent = { unknownOnServer: [], missingOnServer: [] };

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

/** A key created on the proxy the way a killed Keyfob would have left it. */
async function createOnProxy(sim: Simulator, alias: string, leaseId: string): Promise<void> {
  const res = await fetch(`${sim.url}/key/generate`, {
    method: 'POST',
    headers: { Authorization: 'Bearer sk-admin', 'content-type': 'application/json' },
    body: JSON.stringify({ key_alias: alias, duration: '3600s', metadata: { keyfob_role: 'dev', keyfob_lease_id: leaseId } }),
  });
  assert.equal(res.status, 200);
}

function pendingLease(alias: string): Lease {
  return ledgerLease({
    lease_id: randomUUID(), key_alias: alias, token_hash: null, key_hint: null,
    issued_at: iso(START), expires_at: null, max_expires_at: iso(START + 3 * HOUR), state: 'pending',
  });
}

test('start: expired leases are revoked, active ones rescheduled, revocations retried', async () => {
  const h = await harness({ role: { name: 'dev', ttl: '1h', max_ttl: '1h' } });
  try {
    h.core.saveRole({ name: 'long', ttl: '8h', max_ttl: '8h' });
    const expired = await h.core.leases.issue('dev');
    const active = await h.core.leases.issue('long');
    const failing = await h.core.leases.issue('long');
    h.sim.fault('/key/delete', { kind: 'fail', status: 500 });
    assert.equal((await h.core.leases.revoke(failing.lease.lease_id)).state, 'revoking');
    await h.core.stop();

    h.clock.jump(2 * HOUR); // the app was not running
    const next = h.reopen();
    const report = await next.start();
    assert.deepEqual(report, { revoked: 1, expired: 1, resumed: 1, pending_cleaned: 0, still_revoking: 0, irrevocable: 0 });
    assert.equal(next.leases.get(expired.lease.lease_id).state, 'expired');
    assert.equal(next.leases.get(failing.lease.lease_id).state, 'revoked');
    assert.equal((await chat(h.sim, expired.key)).status, 401);
    assert.equal((await chat(h.sim, active.key)).status, 200);
    assert.equal(h.clock.armedTimers, 1, 'the active lease is scheduled again');
    assert.equal(next.auditLog(1)[0]?.action, 'reconcile');
    assert.deepEqual(ledgerVersusServer(next, h.sim), consistent);
  } finally {
    await h.close();
  }
});

test('start: an unfinished issue of a dead process is deleted by alias; one of a live process is left alone', async () => {
  const h = await harness({ start: false });
  try {
    const ledger = new LeaseLedger({ stateDir: h.stateDir, clock: h.clock });
    const orphan = pendingLease('keyfob-dev-0rphan01');
    const inFlight = pendingLease('keyfob-dev-1nfl1ght');
    await createOnProxy(h.sim, orphan.key_alias, orphan.lease_id);
    await createOnProxy(h.sim, inFlight.key_alias, inFlight.lease_id);
    await ledger.update((d) => {
      d.put(orphan);
      d.setClaim(orphan.lease_id, { owner: `${os.hostname()}:${deadPid()}:x`, host: os.hostname(), pid: deadPid(), until: iso(START + HOUR) });
      d.put(inFlight);
      // A live process that is not this one (the test runner's parent): a claim of this pid would be void unless a
      // lease manager of this process holds it.
      d.setClaim(inFlight.lease_id, { owner: `${os.hostname()}:${process.ppid}:live`, host: os.hostname(), pid: process.ppid, until: iso(START + 60_000) });
    });

    const report = await h.core.start();
    assert.equal(report.pending_cleaned, 1);
    assert.deepEqual(h.sim.keys().map((k) => k.key_alias), [inFlight.key_alias], 'the live process\'s key is untouched');
    assert.deepEqual(h.core.leases.list().map((l) => l.key_alias), [inFlight.key_alias]);
    assert.equal(h.clock.nextDeadline, START + 60_000, 'the claim\'s end is watched, in case that process dies');
  } finally {
    await h.close();
  }
});

test('start: many stale leases are reconciled with bounded concurrency, not a socket each', async () => {
  const h = await harness({ start: false });
  try {
    const ledger = new LeaseLedger({ stateDir: h.stateDir, clock: h.clock });
    const stale = Array.from({ length: 60 }, (_, i) => pendingLease(`keyfob-dev-st${String(i).padStart(6, '0')}`));
    for (const l of stale.slice(0, 20)) await createOnProxy(h.sim, l.key_alias, l.lease_id);
    await ledger.update((d) => stale.forEach((l) => d.put(l)));
    h.sim.resetPeakConnections();
    const alreadyOpen = h.sim.peakConnections; // idle keep-alive sockets from the set-up

    const report = await h.core.start();
    assert.equal(report.pending_cleaned, 60);
    assert.ok(h.sim.peakConnections - alreadyOpen <= 8, `peak ${h.sim.peakConnections} connections, ${alreadyOpen} open before`);
    assert.equal(h.sim.keys().length, 0);
    assert.equal(h.core.leases.list({ all: true }).length, 0);
  } finally {
    await h.close();
  }
});

test('start: a truncated ledger is backed up and rebuilt from the proxy: usable keys adopted, the rest revoked', async () => {
  const h = await harness();
  try {
    const kept = await h.core.leases.issue('dev');
    const lost = await h.core.leases.issue('dev');
    await h.keychain.delete(`lease:${lost.lease.lease_id}`); // its key can no longer be handed to anyone
    // Another Keyfob (another machine) uses the same proxy: its keys must never be touched.
    await createOnProxy(h.sim, 'keyfob-dev-f0re1gn0', randomUUID());
    await h.core.stop();
    const text = fs.readFileSync(h.core.ledger.path, 'utf8');
    fs.writeFileSync(h.core.ledger.path, text.slice(0, 120));

    const next = h.reopen();
    const report = await next.start();
    const taken = next.takeNotices();
    assert.ok(taken.some((n) => n.kind === 'recovered' && n.count === 2));
    const notices = taken.map((n) => n.text);
    assert.ok(notices.some((n) => /backed up to .*leases\.json\.corrupt-/.test(n)), notices.join('\n'));
    assert.ok(notices.some((n) => /Recovered 2 lease/.test(n)), notices.join('\n'));
    assert.equal(fs.readdirSync(h.stateDir).filter((f) => f.startsWith('leases.json.corrupt-')).length, 1);
    assert.equal(report.revoked, 1);

    const adopted = next.leases.get(kept.lease.lease_id);
    assert.equal(adopted.state, 'active');
    assert.equal(adopted.expires_at, kept.lease.expires_at);
    assert.equal(await next.leases.revealKey(kept.lease.lease_id), kept.key);
    assert.equal(next.leases.get(lost.lease.lease_id).state, 'revoked');
    assert.equal((await chat(h.sim, lost.key)).status, 401);
    assert.deepEqual(h.sim.keys().map((k) => k.key_alias).sort(), [kept.lease.key_alias, 'keyfob-dev-f0re1gn0'].sort());
    assert.equal(next.ledger.read().recoveryNeeded, false);
  } finally {
    await h.close();
  }
});

test('start without a connection: nothing is lost, the person is told what waits', async () => {
  const h = await harness({ connect: false, start: false });
  try {
    const ledger = new LeaseLedger({ stateDir: h.stateDir, clock: h.clock });
    await ledger.update((d) => d.put({ ...pendingLease('keyfob-dev-wa1t1ng0'), state: 'revoking', token_hash: 'b'.repeat(64) }));
    const report = await h.core.start();
    assert.equal(report.still_revoking, 1);
    assert.ok(h.core.takeNotices().some((n) => n.kind === 'waiting-to-revoke' && /connect Keyfob/.test(n.text)));
    assert.equal(h.core.leases.list()[0]?.state, 'revoking');
  } finally {
    await h.close();
  }
});

test('start: a reconcile that changes nothing writes no audit line; one that acts or leaves work undone does', async () => {
  const h = await harness({ role: { name: 'dev', ttl: '1h', max_ttl: '1h' } });
  try {
    const reconcileLines = () => h.core.auditLog(1000).filter((e) => e.action === 'reconcile');
    assert.deepEqual(reconcileLines(), [], 'the first start had nothing to do');
    await h.core.leases.issue('dev');
    for (let i = 0; i < 3; i++) {
      const cli = h.reopen(); // every CLI command starts a core
      assert.equal((await cli.start()).resumed, 1);
      await cli.stop();
    }
    assert.deepEqual(reconcileLines(), [], 'rescheduling a live lease is not worth a line');

    h.clock.jump(2 * HOUR); // it expired while nothing ran
    const next = h.reopen();
    assert.equal((await next.start()).expired, 1);
    assert.deepEqual(reconcileLines().map((e) => [e.outcome, e.detail]), [['ok', 'revoked=0 expired=1 resumed=0 pending_cleaned=0 still_revoking=0 irrevocable=0']]);

    const { lease } = await next.leases.issue('dev');
    h.sim.fault('/key/delete', { kind: 'fail', status: 500, count: 2 });
    await next.leases.revoke(lease.lease_id);
    h.clock.jump(60_000); // past the back-off: the next start retries, and fails again
    const failing = h.reopen();
    assert.equal((await failing.start()).still_revoking, 1);
    assert.equal(reconcileLines()[0]?.outcome, 'failed', 'work left undone is recorded');
  } finally {
    await h.close();
  }
});
