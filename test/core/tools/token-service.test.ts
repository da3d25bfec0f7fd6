// The token rules against the real lease manager, keychain and simulator: reuse with no request, renew past the
// renew point, a new lease at the max TTL (the old one left alone), a key missing from the keychain, and concurrent
// askers sharing one lease.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { renewLeadMs as schedulerRenewLead } from '../../../main/core/leases/index.js';
import { leaseAccount } from '../../../main/core/keychain/index.js';
import { decideToken, minLeftMs, helperRefreshMs, obtainToken, readLiveKey, readToolAsks, renewLeadMs } from '../../../main/core/tools/index.js';
import { harness } from '../leases/helpers.js';
import type { Harness } from '../leases/helpers.js';
import { ledgerLease } from '../../support/lease-builder.js';

async function withHarness(fn: (h: Harness) => Promise<void>, role = { name: 'dev', models: ['gpt-4o'], ttl: '30m', max_ttl: '1h' }): Promise<void> {
  // Not started: no scheduler renews behind the test's back; only the token path acts.
  const h = await harness({ start: false, role });
  // The person is away: the scheduler's own renewals skip, so only a tool asking renews (as while an agent works).
  h.activity.snapshot = { idleSeconds: 1e6, locked: false };
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const ask = (h: Harness, extra: { minLeftSeconds?: number } = {}) => obtainToken({ core: h.core, stateDir: h.stateDir, role: 'dev', now: () => h.clock.now(), ...extra });
const ledger = (h: Harness) => path.join(h.stateDir, 'leases.json');

describe('token policy', () => {
  test('the renew lead is the lease scheduler\'s, for short and long TTLs', () => {
    for (const ttl of [1, 30, 60, 179, 240, 241, 360, 600, 1800, 3600, 86_400]) assert.equal(renewLeadMs(ttl), schedulerRenewLead(ttl), `ttl ${ttl}s`);
  });

  test('the least time left is max(2 min, 10 % of the TTL); the helper refresh is half of it', () => {
    assert.equal(minLeftMs(600), 120_000);
    assert.equal(minLeftMs(3600), 360_000);
    assert.equal(minLeftMs(3600, 30), 30_000);
    assert.equal(helperRefreshMs(3600), 180_000);
    assert.equal(helperRefreshMs(300), 60_000);
    assert.equal(minLeftMs(60), 30_000, 'a 1 min TTL: half of it, or no fresh lease would ever do');
    assert.equal(minLeftMs(0), 120_000, 'a lease that never expires');
  });

  test('a role with a 1 min TTL: a fresh lease is used again, not renewed and re-issued on every call', async () => withHarness(async (h) => {
    const first = await ask(h);
    await h.clock.advance(20_000);
    const again = await ask(h);
    assert.equal(again.action, 'used');
    assert.equal(again.key, first.key);
    assert.equal(h.requests('/key/generate'), 1);
  }, { name: 'dev', models: ['gpt-4o'], ttl: '1m', max_ttl: '1h' }));

  test('the longest-lived live lease of the role is chosen; other roles and ended leases are not', () => {
    const now = Date.parse('2026-03-01T10:00:00.000Z');
    let n = 0;
    const mk = (over: Parameters<typeof ledgerLease>[0]) => ledgerLease({ lease_id: `11111111-2222-4333-8444-${String(++n).padStart(12, '0')}`, ...over });
    const short = mk({ role: 'dev', state: 'active', ttl_seconds: 3600, issued_at: '2026-03-01T09:30:00.000Z', expires_at: '2026-03-01T10:50:00.000Z', max_expires_at: '2026-03-01T20:00:00.000Z' });
    const long = mk({ role: 'dev', state: 'active', ttl_seconds: 3600, issued_at: '2026-03-01T09:40:00.000Z', expires_at: '2026-03-01T10:55:00.000Z', max_expires_at: '2026-03-01T20:00:00.000Z' });
    const other = mk({ role: 'ops', state: 'active', ttl_seconds: 3600, expires_at: '2026-03-01T11:00:00.000Z' });
    const revoked = mk({ role: 'dev', state: 'revoked', ttl_seconds: 3600, expires_at: '2026-03-01T11:59:00.000Z' });
    const d = decideToken({ leases: [short, long, other, revoked], role: 'dev', now });
    assert.deepEqual(d, { action: 'use', lease: long });
    assert.deepEqual(decideToken({ leases: [other, revoked], role: 'dev', now }), { action: 'issue' });
  });

  test('a lease scoped to another process (a running exec) is never handed to a tool, however long it has left', () => {
    const now = Date.parse('2026-03-01T10:00:00.000Z');
    const exec = ledgerLease({ lease_id: '11111111-2222-4333-8444-000000000101', role: 'dev', state: 'active', scope: 'process', ttl_seconds: 3600, expires_at: '2026-03-01T10:59:00.000Z', max_expires_at: '2026-03-01T20:00:00.000Z' });
    const shared = ledgerLease({ lease_id: '11111111-2222-4333-8444-000000000102', role: 'dev', state: 'active', scope: 'free', ttl_seconds: 3600, expires_at: '2026-03-01T10:50:00.000Z', max_expires_at: '2026-03-01T20:00:00.000Z' });
    assert.deepEqual(decideToken({ leases: [exec, shared], role: 'dev', now }), { action: 'use', lease: shared });
    assert.deepEqual(decideToken({ leases: [exec], role: 'dev', now }), { action: 'issue' }, 'only an exec lease: a lease of its own');
  });
});

describe('obtainToken', () => {
  test('none live: one /key/generate; asked again: the same key with no request', async () => withHarness(async (h) => {
    const first = await ask(h);
    assert.equal(first.action, 'issued');
    assert.equal(h.requests('/key/generate'), 1);
    const before = h.sim.requests.length;
    const again = await ask(h);
    assert.equal(again.action, 'used');
    assert.equal(again.key, first.key);
    assert.equal(h.sim.requests.length, before, 'no request at all');
    const hot = await readLiveKey({ ledgerPath: ledger(h), role: 'dev', now: h.clock.now(), secretStore: h.keychain });
    assert.equal(hot?.key, first.key, 'the hot path finds the same key in the ledger file and the keychain');
    assert.equal(h.sim.requests.length, before);
    assert.equal(readToolAsks(h.stateDir)[0]?.lease_id, first.lease.lease_id, 'the ask is recorded for the Keys screen');
  }));

  test('past the renew point: renewed (one /key/update), same key; the hot path leaves that to the slow path', async () => withHarness(async (h) => {
    const first = await ask(h);
    await h.clock.advance(30 * 60_000 - renewLeadMs(1800) + 1000); // 10 min lead on a 30 min TTL: just past it
    assert.equal(await readLiveKey({ ledgerPath: ledger(h), role: 'dev', now: h.clock.now(), secretStore: h.keychain }), null);
    const renewed = await ask(h);
    assert.equal(renewed.action, 'renewed');
    assert.equal(renewed.key, first.key);
    assert.equal(h.requests('/key/update'), 1);
    assert.equal(h.requests('/key/generate'), 1);
    assert.equal(Date.parse(renewed.lease.expires_at ?? ''), h.clock.now() + 30 * 60_000);
    const logged = h.core.auditLog().find((e) => e.action === 'renew' && e.outcome === 'ok');
    assert.match(logged?.detail ?? '', /^helper: \+1800s/, 'the audit log says a helper renewed it, not a person');
  }));

  test('at the max TTL with too little left: a new lease; the old one is left to expire on its own', async () => withHarness(async (h) => {
    const first = await ask(h);
    await h.clock.advance(25 * 60_000);
    assert.equal((await ask(h)).action, 'renewed'); // 09:25, past the renew point: expires 09:55
    await h.clock.advance(26 * 60_000);
    const capped = await ask(h); // 09:51: renewed again, capped at the max TTL (10:00)
    assert.equal(capped.action, 'renewed');
    assert.equal(capped.lease.expires_at, capped.lease.max_expires_at);
    await h.clock.advance(7.5 * 60_000); // 09:58:30: less than the 3 min minimum, nothing left to renew
    const fresh = await ask(h);
    assert.equal(fresh.action, 'issued');
    assert.notEqual(fresh.key, first.key);
    assert.equal(h.requests('/key/generate'), 2);
    assert.equal(h.core.leases.get(first.lease.lease_id).state, 'active', 'not revoked: another tool may still hold it');
    assert.equal(h.requests('/key/delete'), 0);
  }));

  test('--min-left larger than what is left: renewed when it can be, else a new lease', async () => withHarness(async (h) => {
    await ask(h);
    const r = await ask(h, { minLeftSeconds: 45 * 60 }); // 30 min left < 45: renewing cannot give 45 either → new lease
    assert.equal(r.action, 'issued');
    assert.equal(h.requests('/key/update'), 1);
  }));

  test('a key missing from the keychain is passed over: a new lease', async () => withHarness(async (h) => {
    const first = await ask(h);
    await h.keychain.delete(leaseAccount(first.lease.lease_id));
    const next = await ask(h);
    assert.equal(next.action, 'issued');
    assert.notEqual(next.key, first.key);
  }));

  test('eight cores asking at once with no live lease share one /key/generate', async () => withHarness(async (h) => {
    const cores = Array.from({ length: 8 }, () => h.reopen());
    const got = await Promise.all(cores.map((core) => obtainToken({ core, stateDir: h.stateDir, role: 'dev', now: () => h.clock.now() })));
    assert.equal(h.requests('/key/generate'), 1);
    assert.equal(new Set(got.map((g) => g.key)).size, 1);
  }));

  test('an unknown role is refused before any request', async () => withHarness(async (h) => {
    h.sim.clearRequests();
    await assert.rejects(obtainToken({ core: h.core, stateDir: h.stateDir, role: 'nope', now: () => h.clock.now() }), { kind: 'role-not-found' });
    assert.equal(h.sim.requests.length, 0);
  }));
});
