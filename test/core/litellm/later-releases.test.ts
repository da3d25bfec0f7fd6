// LiteLLM after v1.83, through the real core and the simulator: a renewal over upperbound_key_generate_params is
// asked again at the bound and reported as capped (1.83.3 holds /key/update to the bound), and a budget on a personal
// key refused by the proxy for a sign-in session reads as the same advice Keyfob gives when the role is saved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScriptedBrowser } from '../../sim/sso-browser.js';
import { removeTeamMember, scimDeprovision, startSimulator } from '../../sim/index.js';
import { ADMIN_KEY, START, harness } from '../leases/helpers.js';

test('1.83.3: a renewal over the duration bound is renewed at the bound, capped, in one more request', async () => {
  const sim = await startSimulator({ masterKey: ADMIN_KEY, startTime: START, upperboundKeyGenerateParams: { duration: '3600s' } });
  sim.later.release = '1.83.3';
  const h = await harness({ sim, role: { name: 'dev', models: ['gpt-4o'], ttl: '30m', max_ttl: '8h' } });
  try {
    const { lease } = await h.core.leases.issue('dev');
    sim.clearRequests();
    const renewed = await h.core.leases.renew(lease.lease_id, 2 * 3600);
    assert.deepEqual(sim.requests.map((r) => r.path), ['/key/update', '/key/update'], 'refused once, then at the bound');
    assert.equal(Date.parse(renewed.expires_at ?? ''), h.clock.now() + 3600 * 1000, 'renewed for the bound');
    const row = sim.liveKeys().find((k) => k.metadata.keyfob_lease_id === lease.lease_id);
    assert.equal(Date.parse(row?.expires ?? ''), h.clock.now() + 3600 * 1000, 'the proxy agrees');
    const event = h.events.find((e) => e.type === 'renewed' && e.lease.lease_id === lease.lease_id);
    assert.equal(event?.type === 'renewed' && event.capped, true, 'reported as capped');

  } finally {
    await h.keychain.delete('admin-key').catch(() => false);
    await h.close();
  }
});

test('a budget on a personal key, refused by the proxy for a sign-in session: the same advice, on team_id', async () => {
  const h = await harness({ role: null });
  try {
    h.sim.sso.release = '1.100.4';
    h.sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
    // Saved while connected with a key (no session yet), then the person signs in with SSO.
    h.core.saveRole({ name: 'spend', models: ['gpt-4o'], max_budget: 5, ttl: '30m' });
    await h.core.connectSso({ url: h.sim.url }, async (url) => {
      void new ScriptedBrowser().open(url, { decision: 'approve' });
    });
    await assert.rejects(h.core.leases.issue('spend'), (e: Error & { kind?: string; fields?: Array<{ field: string }> }) => {
      assert.equal(e.kind, 'invalid-request');
      assert.match(e.message, /a sign-in session cannot give a personal key a budget: set --team-id/);
      assert.deepEqual(e.fields?.map((f) => f.field), ['team_id']);
      return true;
    });
  } finally {
    await h.keychain.delete('sso-session').catch(() => false);
    await h.keychain.delete('admin-key').catch(() => false);
    await h.close();
  }
});

test('a key blocked by SCIM deprovisioning ends its lease at the next renewal, saying why and what to do', async () => {
  const h = await harness({ role: { name: 'dev', models: ['gpt-4o'], ttl: '30m', max_ttl: '8h', user_id: 'alice' } });
  try {
    h.sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
    const { lease } = await h.core.leases.issue('dev');
    assert.equal(scimDeprovision(h.sim, 'alice'), 1);
    await assert.rejects(h.core.leases.renew(lease.lease_id, 3600), /blocked on the proxy: your account was deprovisioned \(SCIM\).*ask your identity or proxy admin/);
    assert.equal(h.core.leases.get(lease.lease_id).state, 'revoked');
    assert.match(h.notifier.sent.at(-1)?.body ?? '', /deprovisioned \(SCIM\)/);
  } finally {
    await h.keychain.delete('admin-key').catch(() => false);
    await h.close();
  }
});

test('a team key deleted with the person\'s team membership ends its lease naming the team to ask about', async () => {
  const h = await harness({ role: { name: 'dev', models: ['gpt-4o'], ttl: '30m', max_ttl: '8h', user_id: 'alice', team_id: 'team-a' } });
  try {
    h.sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
    h.sim.addTeam({ team_id: 'team-a', members: [{ user_id: 'alice', role: 'user' }] });
    const { lease } = await h.core.leases.issue('dev');
    assert.equal(removeTeamMember(h.sim, 'team-a', 'alice'), 1);
    await assert.rejects(h.core.leases.renew(lease.lease_id, 3600), /no longer exists on the proxy: a team's keys are deleted when you leave the team, so check with the admin of team team-a/);
    assert.equal(h.core.leases.get(lease.lease_id).state, 'revoked');
  } finally {
    await h.keychain.delete('admin-key').catch(() => false);
    await h.close();
  }
});
