// Keyfob connected with a credential that is not the master key, in every era: an internal user's personal key
// (Keyfob owns each new key by the user's id, so the user can renew and delete it where the proxy allows only the
// owner, ≥1.77.7), a team member within the team's rules, a view-only user. Every refusal says what to ask for.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KeyfobError } from '../../main/core/errors.js';
import { ERAS, startSimulator } from '../sim/index.js';
import { ADMIN_KEY, chat, harness, ledgerVersusServer, type Harness } from '../core/leases/helpers.js';
import { unfinished } from '../faults/support.js';

/** Both sides agree and nothing waits — the credential's own key (made by the admin) aside. */
function assertNothingLost(h: Harness): void {
  const { unknownOnServer, missingOnServer } = ledgerVersusServer(h.core, h.sim);
  assert.deepEqual({ unknownOnServer: unknownOnServer.filter((a) => a !== 'alice-laptop'), missingOnServer }, { unknownOnServer: [], missingOnServer: [] });
  assert.deepEqual(unfinished(h.core).map((l) => `${l.key_alias}: ${l.state}`), []);
}

for (const era of ERAS) {
  describe(`era ${era}: a personal key of an internal user`, () => {
    let h: Harness;
    let aliceKey: string;
    before(async () => {
      const sim = await startSimulator({ era, masterKey: ADMIN_KEY });
      sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
      sim.addUser({ user_id: 'bob', user_role: 'internal_user' });
      sim.addTeam({ team_id: 'platform', members: [{ user_id: 'alice', role: 'admin' }] });
      sim.addTeam({ team_id: 'research', members: [{ user_id: 'alice', role: 'user' }] });
      aliceKey = sim.addKey({ user_id: 'alice', key_alias: 'alice-laptop' }).key;
      h = await harness({ sim, connect: false, start: false });
      await h.core.connect({ url: sim.url, adminKey: aliceKey });
      await h.core.start();
    });
    after(async () => h.close());

    test('status says who is connected and for whom keys are made', async () => {
      const status = await h.core.connectionStatus();
      assert.equal(status.identity?.userId, 'alice');
      assert.equal(status.identity?.role, 'internal_user', 'read from /user/info');
      assert.equal(status.identity?.summary, 'connected as alice, internal user: keys are created for alice; team keys for platform (team admin), research');
      const probe = await h.core.testConnection();
      assert.equal(probe.admin_ok, true);
      assert.equal(probe.identity?.userId, 'alice');
    });

    test('issue, renew, revoke: the key belongs to alice, so alice can manage it', async () => {
      h.core.saveRole({ name: 'dev', models: ['gpt-4o'], ttl: '1h', max_ttl: '3h' });
      const { lease, key } = await h.core.leases.issue('dev');
      const row = h.sim.keys().find((k) => k.token === lease.token_hash);
      assert.equal(row?.user_id, 'alice', 'owned by the caller, never ownerless');
      assert.equal((await chat(h.sim, key)).status, 200);
      await h.advance(10 * 60_000);
      const renewed = await h.core.leases.renew(lease.lease_id);
      assert.equal(renewed.expires_at, new Date(h.clock.now() + 3_600_000).toISOString());
      assert.equal((await h.core.leases.revoke(lease.lease_id)).state, 'revoked');
      assert.equal(h.sim.keys().some((k) => k.token === lease.token_hash), false);
      assertNothingLost(h);
    });

    test('a team key for a team alice administers', async () => {
      h.core.saveRole({ name: 'platform', models: [], ttl: '15m', max_ttl: '1h', team_id: 'platform' });
      const { lease } = await h.core.leases.issue('platform');
      const row = h.sim.keys().find((k) => k.token === lease.token_hash);
      assert.equal(row?.team_id, 'platform');
      await h.core.leases.revoke(lease.lease_id);
      assertNothingLost(h);
    });

    test('a role asking for another user: refused, saying what to do', async () => {
      const attempt = (): Promise<unknown> => {
        try {
          h.core.saveRole({ name: 'for-bob', models: [], ttl: '15m', max_ttl: '1h', user_id: 'bob' });
        } catch (e) {
          return Promise.reject(e);
        }
        return h.core.leases.issue('for-bob');
      };
      await assert.rejects(attempt(), (e: unknown) => {
        assert.ok(e instanceof KeyfobError);
        assert.ok(e.fields.some((f) => f.field === 'user_id'), JSON.stringify(e.fields));
        assert.match(`${e.message} ${e.hint ?? ''} ${e.fields.map((f) => f.message).join(' ')}`, /only for itself|only for/i);
        return true;
      });
      assertNothingLost(h);
    });

    test('a team member without the route permission: refused, naming what to ask the team admin for', { skip: era === 'L' ? 'no team_member_permissions before 1.66' : false }, async () => {
      h.core.saveRole({ name: 'research', models: [], ttl: '15m', max_ttl: '1h', team_id: 'research' });
      await assert.rejects(h.core.leases.issue('research'), (e: unknown) => {
        assert.ok(e instanceof KeyfobError);
        assert.equal(e.kind, 'invalid-request');
        assert.match(e.hint ?? '', /team's admin .*team_member_permissions|make you a team admin/);
        return true;
      });
      assertNothingLost(h);
    });
  });
}

describe('a view-only credential and a key without a user', () => {
  let h: Harness;
  before(async () => {
    const sim = await startSimulator({ era: 'N3', masterKey: ADMIN_KEY });
    sim.addUser({ user_id: 'vera', user_role: 'internal_user_viewer' });
    h = await harness({ sim, connect: false, start: false });
    await h.core.start();
  });
  after(async () => h.close());

  test('a view-only user may issue nothing: a new role is stopped at save time, an older one by the proxy; both say what to ask for', async () => {
    h.core.saveRole({ name: 'dev', models: [], ttl: '15m', max_ttl: '1h' }); // saved before this credential
    await h.core.connect({ url: h.sim.url, adminKey: h.sim.addKey({ user_id: 'vera' }).key });
    assert.throws(() => h.core.saveRole({ name: 'dev2', models: [], ttl: '15m', max_ttl: '1h' }), (e: unknown) => {
      assert.ok(e instanceof KeyfobError);
      assert.equal(e.kind, 'validation');
      assert.deepEqual(e.fields.map((f) => f.field), ['credential']);
      assert.match(e.message, /connected as vera, view-only \(internal_user_viewer\)/, 'the role /user/info reports');
      assert.match(e.message, /Ask the proxy admin for an internal-user key .* or a team key/);
      return true;
    });
    await assert.rejects(h.core.leases.issue('dev'), (e: unknown) => {
      assert.ok(e instanceof KeyfobError);
      assert.equal(e.kind, 'invalid-request');
      assert.match(e.message, /\(internal_user_viewer\) may not create or change keys/);
      assert.match(e.hint ?? '', /Ask the proxy admin for an internal-user key .* or a team key/);
      assert.match(e.detail ?? '', /Only proxy admin can be used/, 'the proxy\'s words kept for --verbose and the audit log');
      return true;
    });
    assert.deepEqual(unfinished(h.core), []);
  });

  test('a key without a user is refused at connect, saying why', async () => {
    await assert.rejects(h.core.connect({ url: h.sim.url, adminKey: h.sim.addKey({}).key }), (e: unknown) => {
      assert.ok(e instanceof KeyfobError);
      assert.match(e.message, /may not list the proxy's keys/);
      assert.match(e.hint ?? '', /Ask the proxy admin for a key that belongs to a user/);
      return true;
    });
  });
});

describe('save-time check, with the role /user/info reports', () => {
  // Nothing stubbed: the client reads alice's role and teams from the simulator's /key/info and /user/info.
  let h: Harness;
  before(async () => {
    const sim = await startSimulator({ era: 'N3', masterKey: ADMIN_KEY });
    sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
    sim.addTeam({ team_id: 'platform', team_alias: 'Platform', members: [{ user_id: 'alice', role: 'admin' }] });
    const aliceKey = sim.addKey({ user_id: 'alice', key_alias: 'alice-laptop' }).key;
    h = await harness({ sim, connect: false, start: false });
    await h.core.connect({ url: sim.url, adminKey: aliceKey });
  });
  after(async () => h.close());

  test('a role for another user or another team is stopped when it is saved, with the reason', async () => {
    assert.equal((await h.core.connectionStatus()).identity?.summary, 'connected as alice, internal user: keys are created for alice; team keys for Platform (team admin)');
    assert.throws(() => h.core.saveRole({ name: 'bad', models: [], ttl: '15m', max_ttl: '1h', user_id: 'bob', team_id: 'research' }), (e: unknown) => {
      assert.ok(e instanceof KeyfobError);
      assert.equal(e.kind, 'validation');
      assert.deepEqual(e.fields.map((f) => f.field), ['user_id', 'team_id']);
      assert.match(e.message, /may create keys only for itself, not for bob/);
      assert.match(e.message, /not a member of team research .*ask that team's admin/);
      return true;
    });
    assert.throws(() => h.core.getRole('bad'));
    assert.equal(h.core.saveRole({ name: 'ok', models: [], ttl: '15m', max_ttl: '1h', team_id: 'platform' }).team_id, 'platform');
  });
});
