// Issue 15's lease rules: warn only about a key that will not be renewed (a short key that renews itself is never
// "expiring"; failing renewals are), renewing never shortens a lease unless asked, and a capped renewal has one expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyfobError } from '../../../main/core/errors.js';
import { harness } from './helpers.js';

const MIN = 60_000;

test('a 10-minute key that renews itself raises no expiring alarm; its view says it will auto-renew', async () => {
  const h = await harness({ role: { name: 'dev', ttl: '10m', max_ttl: '24h' } });
  try {
    const { lease } = await h.core.leases.issue('dev');
    assert.equal(h.core.leases.get(lease.lease_id).will_auto_renew, true);
    for (let i = 0; i < 30; i++) {
      await h.advance(MIN);
      assert.equal(h.core.leases.get(lease.lease_id).will_auto_renew, true, `minute ${i + 1}`);
    }
    assert.ok(h.requests('/key/update') >= 4, 'it renewed itself');
    assert.equal(h.events.filter((e) => e.type === 'expiring-soon').length, 0);
    assert.ok(!h.notifier.sent.some((n) => n.title === 'Key expiring soon'));
  } finally {
    await h.close();
  }
});

test('renewals failing: the key will not be renewed, so it is warned about (once), and retried meanwhile', async () => {
  const h = await harness({ role: { name: 'dev', ttl: '15m', max_ttl: '24h' } });
  try {
    const { lease } = await h.core.leases.issue('dev');
    h.sim.fault('/key/update', { kind: 'fail', status: 503, count: Infinity });
    await h.advance(10 * MIN); // the renew point: 5 minutes before the expiry
    assert.equal(h.core.leases.get(lease.lease_id).will_auto_renew, false, 'renewals are failing');
    await h.advance(MIN);
    const warnings = h.events.filter((e) => e.type === 'expiring-soon');
    assert.equal(warnings.length, 1, 'before the fix a renewable key was never warned about, even with renewals failing');
    assert.match(h.notifier.sent.find((n) => n.title === 'Key expiring soon')?.body ?? '', /renewing it keeps failing/);
    const tries = h.requests('/key/update');
    h.sim.clearFaults();
    await h.advance(2 * MIN);
    assert.ok(h.requests('/key/update') > tries, 'still retried');
    assert.equal(h.core.leases.get(lease.lease_id).will_auto_renew, true, 'renewed again: no longer expiring');
  } finally {
    await h.close();
  }
});

test('a renewal that would shorten the lease is refused unless asked for; auto-renew keeps at least the current expiry', async () => {
  const h = await harness({ role: { name: 'dev', ttl: '15m', max_ttl: '3h' } });
  try {
    const { lease } = await h.core.leases.issue('dev');
    const long = await h.core.leases.renew(lease.lease_id, 3600);
    const expiresAt = Date.parse(long.expires_at as string);
    assert.equal(expiresAt, h.clock.now() + 60 * MIN);

    // Issue 15: a plain renew (the role's 15 minutes) after `renew --increment 1h` cut the lease to 15 minutes.
    const sent = h.requests('/key/update');
    await assert.rejects(h.core.leases.renew(lease.lease_id), (e: KeyfobError) =>
      e.kind === 'invalid' && /would shorten it/.test(e.message) && /--shorten/.test(e.message));
    assert.equal(h.requests('/key/update'), sent);
    assert.equal(h.core.leases.get(lease.lease_id).expires_at, long.expires_at);

    // The scheduled renewals only ever push the expiry later, up to the cap.
    let last = expiresAt;
    for (let t = 0; t < 170; t += 5) {
      await h.advance(5 * MIN);
      const view = h.core.leases.get(lease.lease_id);
      if (view.state !== 'active') break;
      const now = Date.parse(view.expires_at as string);
      assert.ok(now >= last, `expiry went from ${new Date(last).toISOString()} back to ${view.expires_at}`);
      last = now;
    }
    assert.ok(h.requests('/key/update') > sent, 'auto-renewed');

    const shortened = await h.core.leases.issue('dev');
    await h.core.leases.renew(shortened.lease.lease_id, 3600);
    const cut = await h.core.leases.renew(shortened.lease.lease_id, 60, { allowShorten: true });
    assert.equal(Date.parse(cut.expires_at as string), h.clock.now() + 60_000, 'shortened when asked');
  } finally {
    await h.close();
  }
});

test('a capped renewal records one expiry: the max TTL itself, not an instant a fraction of a second before it', async () => {
  const h = await harness({ role: { name: 'dev', ttl: '1h', max_ttl: '90m' } });
  try {
    const { lease } = await h.core.leases.issue('dev');
    // 39 min 59.5 s left below the cap: whole seconds are sent (2399 s), so the proxy's expiry falls 0.5 s short.
    h.clock.jump(50 * MIN + 500);
    const capped = await h.core.leases.renew(lease.lease_id, 3600);
    assert.equal(capped.expires_at, capped.max_expires_at, 'before the fix: 09:29:59.500 and 09:30:00.000');
  } finally {
    await h.close();
  }
});
