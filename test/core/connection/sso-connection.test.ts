// The Connection with an SSO session, through the real core, keychain and simulator: one credential at a time (a
// session replaces a key and a key signs a session out), signing out only once nothing live is left, and the
// personal-key budget refused while the credential is a session.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSessionRecord } from '../../../main/core/sso/index.js';
import { ScriptedBrowser } from '../../sim/sso-browser.js';
import { ADMIN_KEY, harness, type Harness } from '../leases/helpers.js';

async function signedIn(): Promise<Harness> {
  const h = await harness({ role: { name: 'dev', models: ['gpt-4o'], ttl: '1h', max_ttl: '3h' } });
  h.sim.sso.release = '1.100.4';
  h.sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
  h.sim.addTeam({ team_id: 'team-a', members: [{ user_id: 'alice', role: 'user' }] });
  const who = await h.core.connectSso({ url: h.sim.url }, async (url) => {
    void new ScriptedBrowser().open(url, { decision: 'approve' });
  });
  assert.equal(who.user, 'alice');
  return h;
}

async function cleanUp(h: Harness): Promise<void> {
  await h.keychain.delete('sso-session').catch(() => false);
  await h.keychain.delete('admin-key').catch(() => false);
  await h.close();
}

test('signing in with SSO replaces the stored key; connecting with a key signs the session out', async () => {
  const h = await signedIn();
  try {
    assert.equal(await h.keychain.get('admin-key'), null, 'the key is gone');
    const status = await h.core.connectionStatus();
    assert.equal(status.sso?.user, 'alice');
    assert.match(status.identity?.summary ?? '', /^signed in with SSO as alice/);
    const record = decodeSessionRecord(await h.keychain.get('sso-session'));
    assert.ok(record, 'record is set');

    await h.core.connect({ url: h.sim.url, adminKey: ADMIN_KEY });
    assert.equal(await h.keychain.get('sso-session'), null, 'the session is removed');
    assert.equal(h.sim.sso.refreshRecord(record.refreshToken)?.used, true, 'and its refresh token revoked');
    assert.equal((await h.core.connectionStatus()).sso, null);
  } finally {
    await cleanUp(h);
  }
});

test('signOut keeps the session while a lease cannot be revoked, and discards it once nothing is live', async () => {
  const h = await signedIn();
  try {
    const issued = await h.core.leases.issue('dev');
    assert.equal(h.sim.liveKeys().find((k) => k.metadata.keyfob_lease_id === issued.lease.lease_id)?.user_id, 'alice');
    h.sim.fault('/key/delete', { kind: 'fail', status: 503, count: Infinity, contentType: 'text', body: 'Service Unavailable' });
    const blocked = await h.core.signOut();
    assert.equal(blocked.discarded, false);
    assert.deepEqual(blocked.left.map((l) => l.lease_id), [issued.lease.lease_id]);
    assert.notEqual(await h.keychain.get('sso-session'), null, 'still signed in, so the key can still be revoked');

    h.sim.clearFaults();
    await h.advance(10 * 60_000); // the scheduled retry revokes it
    const done = await h.core.signOut();
    assert.deepEqual(done.left, []);
    assert.equal(done.discarded, true);
    assert.equal(done.kind, 'sso-session');
    assert.equal(await h.keychain.get('sso-session'), null);
    assert.deepEqual(h.sim.liveKeys().filter((k) => k.metadata.keyfob_lease_id), [], 'nothing live on the proxy');
  } finally {
    await cleanUp(h);
  }
});

test('a role with a budget and no team is refused while signed in with SSO; with a team it is saved', async () => {
  const h = await signedIn();
  try {
    assert.throws(() => h.core.saveRole({ name: 'spend', max_budget: 5 }), /a sign-in session cannot give a personal key a budget: set --team-id/);
    assert.equal(h.core.saveRole({ name: 'spend', max_budget: 5, team_id: 'team-a' }).team_id, 'team-a');
    assert.equal(h.core.saveRole({ name: 'free' }).max_budget, 0, 'no budget, no team: fine');
  } finally {
    await cleanUp(h);
  }
});
