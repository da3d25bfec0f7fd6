// The lease suite against every LiteLLM era the contract page names (../shared/litellm-admin-api.md): issue, renew,
// revoke, expiry, crash recovery, reconcile and revoke-all through the real core, with the no-key-material scan of
// the state directory at the end of each era. What differs between eras is the proxy's business; what Keyfob shows
// (token hash, expiry, outcome) must be the same in all of them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tokenHash } from '../../main/core/litellm/index.js';
import { ERAS, startSimulator } from '../sim/index.js';
import { ADMIN_KEY, chat, harness, type Harness } from '../core/leases/helpers.js';
import { assertNothingLost } from '../faults/support.js';
import { scanTree } from '../secrets/scan.js';

// A Wednesday afternoon with seconds and milliseconds: era C's calendar alignment shows at once
// ("604800s" would end tomorrow at 14:37:00, "3600s" at 15:37:00).
const START = Date.parse('2026-03-18T14:37:26.250Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

for (const era of ERAS) {
  describe(`era ${era}`, () => {
    let h: Harness;
    const keys: string[] = [];
    before(async () => {
      const sim = await startSimulator({ era, masterKey: ADMIN_KEY, startTime: START });
      h = await harness({ sim, startTime: START, role: { name: 'dev', models: ['gpt-4o'], ttl: '1h', max_ttl: '3h' } });
      h.core.updateSettings({ max_lease_ttl_seconds: 7 * 86_400 });
      h.core.saveRole({ name: 'week', models: [], ttl: '7d', max_ttl: '7d' });
    });
    after(async () => h.close());

    test('issue: the local token hash, the asked expiry (era C set right), the key works', async () => {
      h.sim.clearRequests();
      const { lease, key } = await h.core.leases.issue('dev');
      keys.push(key);
      assert.equal(lease.token_hash, tokenHash(key), 'hash computed locally (era L sends the plaintext as token)');
      assert.doesNotMatch(lease.token_hash ?? '', /^sk-/);
      const row = h.sim.keys().find((k) => k.key_alias === lease.key_alias);
      assert.equal(row?.token, lease.token_hash);
      assert.equal(lease.expires_at, iso(START + HOUR), 'exactly the role ttl');
      assert.equal(Date.parse(row?.expires ?? ''), START + HOUR, "and the server's real expiry says so");
      const fixes = h.sim.requests.filter((r) => r.path === '/key/update').length;
      assert.equal(fixes, era === 'C' ? 1 : 0, 'one /key/update only where the proxy aligns to the calendar');
      assert.equal((await chat(h.sim, key)).status, 200);

      const week = await h.core.leases.issue('week');
      keys.push(week.key);
      assert.equal(week.lease.expires_at, iso(START + 7 * 24 * HOUR), 'a week is a week, not "tomorrow 14:37"');
      await h.core.leases.revoke(week.lease.lease_id);
    });

    test('renew: now + ttl, capped at the max ttl', async () => {
      const lease = h.core.leases.list().find((l) => l.role === 'dev');
      assert.ok(lease, 'lease is set');
      await h.advance(30 * MIN);
      const renewed = await h.core.leases.renew(lease.lease_id);
      assert.equal(renewed.expires_at, iso(h.clock.now() + HOUR));
      const row = h.sim.keys().find((k) => k.token === lease.token_hash);
      assert.equal(Date.parse(row?.expires ?? ''), h.clock.now() + HOUR);
    });

    test('revoke: the key is gone on the proxy and refused', async () => {
      const lease = h.core.leases.list().find((l) => l.role === 'dev');
      assert.ok(lease, 'lease is set');
      const ended = await h.core.leases.revoke(lease.lease_id);
      assert.equal(ended.state, 'revoked');
      assert.equal(h.sim.keys().some((k) => k.token === lease.token_hash), false);
      assert.notEqual((await chat(h.sim, keys[0] as string)).status, 200);
      // Revoking again is success: the proxy's "none found" (404 from 1.68.2, 200 before) means already gone.
      assertNothingLost(h.core, h.sim);
    });

    test('expiry: an idle lease runs out and its key is deleted', async () => {
      const { lease, key } = await h.core.leases.issue('dev');
      keys.push(key);
      h.activity.snapshot = { idleSeconds: 24 * 3600, locked: true };
      await h.advance(HOUR + MIN);
      assert.equal(h.core.leases.get(lease.lease_id).state, 'expired');
      assert.equal(h.sim.keys().some((k) => k.token === lease.token_hash), false);
      h.activity.snapshot = { idleSeconds: 0, locked: false };
      assertNothingLost(h.core, h.sim);
    });

    test('crash recovery: a generate whose answer is lost leaves no orphan', async () => {
      h.sim.fault('/key/generate', { kind: 'reset', afterProcessing: true });
      await assert.rejects(h.core.leases.issue('dev'));
      await h.advance(5 * MIN);
      assertNothingLost(h.core, h.sim);
    });

    test('reconcile: a restarted core resumes live leases; one whose key vanished closes at its renewal (per-era "gone")', async () => {
      const kept = await h.core.leases.issue('dev');
      const vanished = await h.core.leases.issue('dev');
      keys.push(kept.key, vanished.key);
      await h.core.stop();
      // Deleted by hand on the proxy while Keyfob was not running.
      h.sim.store.delete(vanished.lease.token_hash as string);
      const core = h.reopen();
      h.core = core;
      const report = await core.start();
      assert.equal(report.resumed, core.leases.list().filter((l) => l.state === 'active').length);
      assert.equal(core.leases.get(kept.lease.lease_id).state, 'active');
      // L–N answer 401 "does not exist in db", N2+ 404: both mean gone; the lease is closed, not kept as live.
      await assert.rejects(core.leases.renew(vanished.lease.lease_id), (e: Error & { kind?: string }) => e.kind === 'not-found');
      assert.notEqual(core.leases.get(vanished.lease.lease_id).state, 'active');
      assertNothingLost(core, h.sim);
    });

    test('revoke-all: nothing Keyfob issued is left on the proxy; no key material in the state directory', async () => {
      const more = await h.core.leases.issue('dev');
      keys.push(more.key);
      const summary = await h.core.leases.revokeAll({ reason: 'test' });
      assert.equal(summary.failed, 0);
      assert.deepEqual(h.sim.keys().map((k) => k.key_alias), []);
      assertNothingLost(h.core, h.sim);
      assert.deepEqual(scanTree(h.stateDir, [ADMIN_KEY, ...keys]), []);
    });
  });
}

