// Renewal: Vault's rule (capped at the max TTL, exactly the capped seconds sent), the clear errors that send no
// request, the key gone on the server, and automatic renewal only while the person is working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyfobError } from '../../../main/core/errors.js';
import type { LeaseEvent } from '../../../main/core/types.js';
import { START, chat, eventTypes, harness } from './helpers.js';

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

test("manual renew follows Vault's rule: now + increment, capped at max_expires_at, sending exactly the capped seconds", async () => {
  const h = await harness({ role: { name: 'dev', ttl: '1h', max_ttl: '90m' } });
  try {
    const { lease, key } = await h.core.leases.issue('dev');
    h.clock.jump(10 * MIN);
    const renewed = await h.core.leases.renew(lease.lease_id);
    assert.equal(renewed.expires_at, iso(START + 70 * MIN), 'the default increment is the role\'s ttl');
    const last = () => h.sim.requests.filter((r) => r.path === '/key/update').at(-1)?.body as Record<string, unknown>;
    assert.equal(last().duration, '3600s');
    assert.equal(last().key, lease.token_hash, 'renewed by token hash, never by the plaintext key');

    h.clock.jump(50 * MIN); // t = 60 min: 30 min left below the cap
    const capped = await h.core.leases.renew(lease.lease_id, 3600);
    assert.equal(last().duration, '1800s', 'exactly the distance to the cap');
    assert.equal(capped.expires_at, iso(START + 90 * MIN));
    const renewedEvents = h.events.filter((e): e is Extract<LeaseEvent, { type: 'renewed' }> => e.type === 'renewed');
    assert.deepEqual(renewedEvents.map((e) => e.capped), [false, true]);

    const updates = h.requests('/key/update');
    await assert.rejects(h.core.leases.renew(lease.lease_id), (e: KeyfobError) => e.kind === 'not-renewable' && /max TTL/.test(e.message));
    assert.equal(h.requests('/key/update'), updates, 'no request when nothing is left below the cap');

    await assert.rejects(h.core.leases.renew(lease.lease_id, 0), (e: KeyfobError) => e.kind === 'validation' && e.fields[0]?.field === 'increment');
    // A shorter increment would cut the lease short (Vault re-bases on now): refused, with no request, unless the
    // person asks for it (issue 15: `renew --increment 1h`, then a plain renew, cut the lease to the role's ttl).
    const beforeShorten = h.requests('/key/update');
    await assert.rejects(h.core.leases.renew(lease.lease_id, 60), (e: KeyfobError) =>
      e.kind === 'invalid' && /would shorten it/.test(e.message) && /--shorten/.test(e.message));
    assert.equal(h.requests('/key/update'), beforeShorten, 'nothing sent for a refused shortening');
    assert.equal(h.core.leases.get(lease.lease_id).expires_at, iso(START + 90 * MIN));
    const shorter = await h.core.leases.renew(lease.lease_id, 60, { allowShorten: true });
    assert.equal(shorter.expires_at, iso(START + 61 * MIN));
    assert.equal((await chat(h.sim, key)).status, 200);

    await h.core.leases.revoke(lease.lease_id);
    await assert.rejects(h.core.leases.renew(lease.lease_id), (e: KeyfobError) => e.kind === 'not-renewable' && /revoked/.test(e.message));
    assert.equal(h.requests('/key/update'), updates + 1);
  } finally {
    await h.close();
  }
});

test('a key deleted behind Keyfob\'s back: renew marks the lease gone and tells the person', async () => {
  const h = await harness();
  try {
    const { lease } = await h.core.leases.issue('dev');
    const res = await fetch(`${h.sim.url}/key/delete`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sk-admin', 'content-type': 'application/json' },
      body: JSON.stringify({ key_aliases: [lease.key_alias] }),
    });
    assert.equal(res.status, 200);
    await assert.rejects(h.core.leases.renew(lease.lease_id), (e: KeyfobError) => e.kind === 'not-found' && e.message.includes(lease.key_alias));
    const gone = h.core.leases.get(lease.lease_id);
    assert.equal(gone.state, 'revoked');
    assert.equal(gone.ended_reason, 'gone on the server');
    assert.deepEqual(eventTypes(h.events), ['issued', 'gone']);
    assert.equal(await h.keychain.get(`lease:${lease.lease_id}`), null);
    assert.equal(h.notifier.sent.at(-1)?.title, 'Key gone');
  } finally {
    await h.close();
  }
});

test('auto-renew while the person works: at each renew point, until the max TTL, then a warning and the expiry', async () => {
  const h = await harness();
  try {
    const { lease, key } = await h.core.leases.issue('dev'); // ttl 1h, max 3h
    assert.equal(h.clock.nextDeadline, START + 40 * MIN, 'renew point: a third of the TTL left');
    await h.advance(40 * MIN);
    assert.equal(h.core.leases.get(lease.lease_id).expires_at, iso(START + 100 * MIN));
    await h.advance(40 * MIN); // t = 80 min: the next renew point
    assert.equal(h.core.leases.get(lease.lease_id).expires_at, iso(START + 140 * MIN));
    await h.advance(40 * MIN); // t = 120: renewed up to the cap
    assert.equal(h.core.leases.get(lease.lease_id).expires_at, iso(START + 180 * MIN));
    assert.equal(h.requests('/key/update'), 3);
    await h.advance(55 * MIN); // t = 175: 5 min before the final expiry
    assert.deepEqual(eventTypes(h.events), ['issued', 'renewed', 'renewed', 'renewed', 'expiring-soon']);
    assert.equal((await chat(h.sim, key)).status, 200);
    await h.advance(5 * MIN);
    assert.equal(h.core.leases.get(lease.lease_id).state, 'expired');
    assert.equal(h.requests('/key/update'), 3, 'never renewed past the cap');
    assert.equal((await chat(h.sim, key)).status, 401);
  } finally {
    await h.close();
  }
});

for (const mode of ['idle', 'locked'] as const) {
  test(`auto-renew is skipped when the person is ${mode}: the lease is left to expire (and revoked)`, async () => {
    const h = await harness();
    try {
      const { lease } = await h.core.leases.issue('dev');
      h.activity.snapshot = mode === 'idle' ? { idleSeconds: 601, locked: false } : { idleSeconds: 0, locked: true };
      await h.advance(40 * MIN);
      assert.equal(h.requests('/key/update'), 0);
      const skipped = h.events.find((e) => e.type === 'renewal-skipped');
      assert.ok(skipped && skipped.type === 'renewal-skipped');
      assert.equal(skipped.reason, mode);
      const view = h.core.leases.get(lease.lease_id);
      assert.equal(view.idle_will_expire, true);
      assert.equal(h.notifier.sent.at(-1)?.title, 'Key not renewed');
      assert.equal(h.clock.nextDeadline, START + 60 * MIN, 'next: the expiry, not another renew attempt');
      await h.advance(20 * MIN);
      assert.equal(h.core.leases.get(lease.lease_id).state, 'expired');
      assert.equal(h.events.filter((e) => e.type === 'renewal-skipped').length, 1, 'announced once per renew point');
      assert.equal(h.sim.keys().length, 0);
    } finally {
      await h.close();
    }
  });
}

test('a person who comes back after a skipped renewal gets the lease renewed on refresh()', async () => {
  const h = await harness();
  try {
    const { lease } = await h.core.leases.issue('dev');
    h.activity.snapshot = { idleSeconds: 900, locked: false };
    await h.advance(45 * MIN);
    assert.equal(h.requests('/key/update'), 0);
    h.activity.snapshot = { idleSeconds: 3, locked: false };
    h.core.leases.refresh(); // the app calls it on unlock / resume / activity
    await h.advance(0);
    assert.equal(h.requests('/key/update'), 1);
    const view = h.core.leases.get(lease.lease_id);
    assert.equal(view.expires_at, iso(START + 105 * MIN));
    assert.equal(view.idle_will_expire, false);
  } finally {
    await h.close();
  }
});

test('an automatic renewal that fails on the network is retried while the lease lives', async () => {
  const h = await harness();
  try {
    const { lease } = await h.core.leases.issue('dev');
    h.sim.fault('/key/update', { kind: 'fail', status: 503, count: 1 });
    await h.advance(40 * MIN);
    assert.equal(h.requests('/key/update'), 1);
    assert.equal(h.core.leases.get(lease.lease_id).expires_at, iso(START + 60 * MIN));
    await h.advance(30_000);
    assert.equal(h.requests('/key/update'), 2);
    assert.equal(h.core.leases.get(lease.lease_id).expires_at, iso(START + 40.5 * MIN + 60 * MIN));
  } finally {
    await h.close();
  }
});

test('one armed timer for many leases, and none at all without leases', async () => {
  const h = await harness();
  try {
    assert.equal(h.clock.armedTimers, 0, 'no leases: nothing armed, no wake-ups');
    h.core.saveRole({ name: 'quick', ttl: '5m' });
    for (let i = 0; i < 12; i++) await h.core.leases.issue(i % 3 ? 'dev' : 'quick');
    await h.core.leases.copyRoleKey('dev'); // the clipboard clear shares the same timer
    assert.equal(h.clock.armedTimers, 1);
    assert.equal(h.clock.nextDeadline, START + 30_000, 'the earliest deadline of all: the clipboard clear');
    await h.advance(30_000);
    assert.equal(h.clock.armedTimers, 1);
    assert.equal(h.clock.nextDeadline, START + 3 * MIN, 'then a 5-minute lease\'s renew point');
    await h.advance(10 * MIN);
    assert.equal(h.clock.armedTimers, 1);
    await h.core.leases.revokeAll();
    await h.advance(60_000);
    assert.equal(h.clock.armedTimers, 0);
  } finally {
    await h.close();
  }
});

test('notifications respect the setting; the events are sent regardless', async () => {
  const h = await harness();
  try {
    h.core.updateSettings({ notifications: false });
    await h.core.leases.issue('dev');
    h.activity.snapshot = { idleSeconds: 3600, locked: false };
    await h.advance(60 * MIN);
    assert.deepEqual(eventTypes(h.events), ['issued', 'renewal-skipped', 'expired']);
    assert.deepEqual(h.notifier.sent, []);
  } finally {
    await h.close();
  }
});

test('a revocation overtakes a renewal in flight: the renewal\'s answer does not bring the lease back', async () => {
  const h = await harness();
  try {
    const { lease, key } = await h.core.leases.issue('dev');
    const held = h.sim.hold('/key/update');
    const renewing = h.core.leases.renew(lease.lease_id);
    const hold = await held;
    const revoked = await h.core.leases.revoke(lease.lease_id);
    assert.equal(revoked.state, 'revoked');
    hold.release();
    assert.equal((await renewing).state, 'revoked');
    assert.equal(h.core.leases.get(lease.lease_id).state, 'revoked');
    assert.ok(!eventTypes(h.events).includes('renewed'));
    assert.equal((await chat(h.sim, key)).status, 401);
  } finally {
    await h.close();
  }
});
