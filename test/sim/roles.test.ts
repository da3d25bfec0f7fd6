// The contract's "Roles" section: who may generate, update, delete, read and list which keys, and how each refusal
// is worded — personal keys, team keys and key_generation_settings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, envelope, START } from './http-helpers.js';
import { startSimulator } from './index.js';
import type { SimOptions, Simulator } from './index.js';

/** A simulator with alice (internal_user), vic (proxy_admin_viewer), una (internal_user_viewer), root (proxy_admin). */
async function withUsers(opts: SimOptions, body: (sim: Simulator, keys: Record<string, string>) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ startTime: START, ...opts });
  try {
    const keys: Record<string, string> = {};
    for (const [user, role] of [['alice', 'internal_user'], ['bob', 'internal_user'], ['carol', 'internal_user'], ['dave', 'internal_user'],
      ['vic', 'proxy_admin_viewer'], ['una', 'internal_user_viewer'], ['root', 'proxy_admin']] as const) {
      sim.addUser({ user_id: user, user_role: role });
      keys[user] = sim.addKey({ user_id: user, key_alias: `login-${user}` }).key;
    }
    sim.addTeam({ team_id: 'team-a', members: [{ user_id: 'alice', role: 'admin' }, { user_id: 'carol', role: 'user' }] });
    await body(sim, keys);
  } finally {
    await sim.close();
  }
}

const as = (key: string) => ({ key });

describe('internal_user: personal keys', () => {
  test('user_id = its own → 200, the key belongs to it and it created it', () => withUsers({}, async (sim, keys) => {
    const res = await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { user_id: 'alice', duration: '1h' } });
    assert.equal(res.status, 200);
    const row = sim.keys().find((k) => k.token === (res.json as { token_id: string }).token_id);
    assert.equal(row?.user_id, 'alice');
    assert.equal(row?.created_by, 'alice');
  }));

  test('another user_id → 403 "User can only create keys for themselves. Got user_id=bob, Your ID=alice"', () => withUsers({}, async (sim, keys) => {
    const res = await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { user_id: 'bob' } });
    assert.equal(res.status, 403);
    assert.equal(envelope(res).message, 'User can only create keys for themselves. Got user_id=bob, Your ID=alice');
  }));

  test('user_id omitted → 200 but the key has no owner; from 1.77.7 (C+) its creator cannot renew it, in no era delete it', async () => {
    for (const [era, update] of [['L', 200], ['M', 200], ['C', 403], ['N', 403], ['N2', 403], ['N3', 403]] as const) {
      await withUsers({ era }, async (sim, keys) => {
        const res = await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { duration: '1h' } });
        assert.equal(res.status, 200, era);
        const token = (res.json as { token_id: string }).token_id;
        assert.equal(sim.keys().find((k) => k.token === token)?.user_id, null, 'never forced to the caller');
        const renew = await call(sim, 'POST', '/key/update', { ...as(keys.alice!), body: { key: token, duration: '2h' } });
        assert.equal(renew.status, update, `${era} update`);
        const revoke = await call(sim, 'POST', '/key/delete', { ...as(keys.alice!), body: { keys: [token] } });
        assert.equal(revoke.status, 403, `${era} delete`);
        assert.equal(envelope(revoke).message, "{'error': 'You are not authorized to delete this key'}");
        assert.ok(sim.keys().some((k) => k.token === token), 'still live');
      });
    }
  });

  test('its own key: update and delete work; another user\'s: update 403 (C+), delete 403', () => withUsers({}, async (sim, keys) => {
    const own = (await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { user_id: 'alice' } })).json as { token_id: string };
    const bobs = sim.addKey({ user_id: 'bob' }).token;
    assert.equal((await call(sim, 'POST', '/key/update', { ...as(keys.alice!), body: { key: own.token_id, duration: '60s' } })).status, 200);
    assert.equal((await call(sim, 'POST', '/key/update', { ...as(keys.alice!), body: { key: bobs, duration: '60s' } })).status, 403);
    assert.equal((await call(sim, 'POST', '/key/delete', { ...as(keys.alice!), body: { keys: [bobs] } })).status, 403);
    assert.equal((await call(sim, 'POST', '/key/delete', { ...as(keys.alice!), body: { keys: [own.token_id] } })).status, 200);
  }));

  test('delete of nothing by a non-admin: L (<1.68.2) 500 "Failed to delete all tokens…", M+ 404 "No keys found"', async () => {
    for (const [era, status] of [['L', 500], ['M', 404]] as const) {
      await withUsers({ era }, async (sim, keys) => {
        const res = await call(sim, 'POST', '/key/delete', { ...as(keys.alice!), body: { keys: ['sk-neverExisted00000000'] } });
        assert.equal(res.status, status, era);
        assert.match(envelope(res).message, status === 500 ? /^Internal Server Error, Failed to delete all tokens/ : /No keys found/);
      });
    }
  });

  test('a non-admin delete where only some keys exist: 500 up to C, 200 from N — the found ones go only in N', async () => {
    for (const [era, status] of [['C', 500], ['N', 200]] as const) {
      await withUsers({ era }, async (sim, keys) => {
        const { token } = sim.addKey({ user_id: 'alice' });
        const res = await call(sim, 'POST', '/key/delete', { ...as(keys.alice!), body: { keys: [token, 'sk-neverExisted00000000'] } });
        assert.equal(res.status, status, era);
        assert.equal(sim.keys().some((k) => k.token === token), status !== 200, era);
      });
    }
  });

  test('update may not hand a key to someone else → 403 "User=alice is not allowed to update key=<k> to belong to user=bob"', () => withUsers({}, async (sim, keys) => {
    const { token } = sim.addKey({ user_id: 'alice' });
    const res = await call(sim, 'POST', '/key/update', { ...as(keys.alice!), body: { key: token, user_id: 'bob' } });
    assert.equal(res.status, 403);
    assert.equal(envelope(res).message, `User=alice is not allowed to update key=${token} to belong to user=bob`);
  }));

  test('list: its own keys only; asking for another user\'s → 403', () => withUsers({}, async (sim, keys) => {
    const own = sim.addKey({ user_id: 'alice' }).token;
    sim.addKey({ user_id: 'bob' });
    const list = await call(sim, 'GET', '/key/list?size=100', as(keys.alice!));
    assert.equal(list.status, 200);
    const tokens = (list.json as { keys: string[] }).keys;
    assert.ok(tokens.includes(own), 'tokens.includes(own) is set');
    assert.equal(tokens.length, 2, 'its login key and its own key');
    const other = await call(sim, 'GET', '/key/list?user_id=bob', as(keys.alice!));
    assert.equal(other.status, 403);
    assert.equal(envelope(other).message, "You are not authorized to check another user's keys");
  }));

  test('info: its own keys and its teams\' keys; another user\'s → 403 "You are not allowed to access this key\'s info. Your role=internal_user"', () => withUsers({}, async (sim, keys) => {
    const teamKey = sim.addKey({ team_id: 'team-a', user_id: 'carol' }).token;
    const bobs = sim.addKey({ user_id: 'bob' }).token;
    assert.equal((await call(sim, 'GET', `/key/info?key=${teamKey}`, as(keys.alice!))).status, 200);
    const refused = await call(sim, 'GET', `/key/info?key=${bobs}`, as(keys.alice!));
    assert.equal(refused.status, 403);
    assert.equal(envelope(refused).message, "You are not allowed to access this key's info. Your role=internal_user");
  }));

  test('block is for admins: 401 "Only proxy admin…" (N3 403)', () => withUsers({ era: 'N' }, async (sim, keys) => {
    const { token } = sim.addKey({ user_id: 'alice' });
    const res = await call(sim, 'POST', '/key/block', { ...as(keys.alice!), body: { key: token } });
    assert.equal(res.status, 401);
    assert.match(envelope(res).message, /Only proxy admin .* Route=\/key\/block\. Your role=internal_user\. Your user_id=alice$/);
  }));
});

describe('viewers and admins', () => {
  test('proxy_admin_viewer: 403 "user not allowed to access this route, role= proxy_admin_viewer…" on writes; reads all', () => withUsers({}, async (sim, keys) => {
    for (const [path, body] of [['/key/generate', {}], ['/key/update', { key: 'x' }], ['/key/delete', { keys: ['x'] }]] as const) {
      const res = await call(sim, 'POST', path, { ...as(keys.vic!), body });
      assert.equal(res.status, 403, path);
      assert.equal(envelope(res).message, `user not allowed to access this route, role= proxy_admin_viewer. Trying to access: ${path}`);
    }
    const list = await call(sim, 'GET', '/key/list?size=100', as(keys.vic!));
    assert.equal((list.json as { total_count: number }).total_count, sim.keys().length);
    const bobs = sim.addKey({ user_id: 'bob' }).token;
    assert.equal((await call(sim, 'GET', `/key/info?key=${bobs}`, as(keys.vic!))).status, 200);
  }));

  test('internal_user_viewer: generate → 401 admin-only (N3 403); info about itself only', async () => {
    for (const [era, status] of [['N2', 401], ['N3', 403]] as const) {
      await withUsers({ era }, async (sim, keys) => {
        const res = await call(sim, 'POST', '/key/generate', { ...as(keys.una!), body: {} });
        assert.equal(res.status, status, era);
        assert.match(envelope(res).message, /Only proxy admin can be used .* Your role=internal_user_viewer\. Your user_id=una$/);
        assert.equal((await call(sim, 'GET', '/key/info', as(keys.una!))).status, 200, 'itself');
        const bobs = sim.addKey({ user_id: 'bob' }).token;
        assert.equal((await call(sim, 'GET', `/key/info?key=${bobs}`, as(keys.una!))).status, 403);
      });
    }
  });

  test('a key without a user: list → 403 "…No \'user_id\' is associated with your API key."', () => withUsers({}, async (sim) => {
    const { key } = sim.addKey({});
    const res = await call(sim, 'GET', '/key/list', as(key));
    assert.equal(res.status, 403);
    assert.match(envelope(res).message, /No 'user_id' is associated with your API key\.$/);
  }));

  test('a key whose user is proxy_admin may do anything the master key may', () => withUsers({}, async (sim, keys) => {
    const res = await call(sim, 'POST', '/key/generate', { ...as(keys.root!), body: { user_id: 'bob' } });
    assert.equal(res.status, 200);
    const token = (res.json as { token_id: string }).token_id;
    assert.equal((await call(sim, 'POST', '/key/block', { ...as(keys.root!), body: { key: token } })).status, 200);
    assert.equal((await call(sim, 'POST', '/key/delete', { ...as(keys.root!), body: { keys: [token] } })).status, 200);
  }));
});

describe('team keys', () => {
  test('a team admin creates keys for its team', () => withUsers({}, async (sim, keys) => {
    const res = await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { team_id: 'team-a' } });
    assert.equal(res.status, 200);
    assert.equal((res.json as { team_id: string }).team_id, 'team-a');
  }));

  test('M+ (≥1.66): a plain member needs /key/generate in team_member_permissions → 401 team_member_permission_error', () => withUsers({}, async (sim, keys) => {
    const res = await call(sim, 'POST', '/key/generate', { ...as(keys.carol!), body: { team_id: 'team-a' } });
    assert.equal(res.status, 401);
    assert.equal(envelope(res).type, 'team_member_permission_error');
    assert.match(envelope(res).message, /^Team member does not have permissions for endpoint: \/key\/generate\. /);
    sim.addTeam({ team_id: 'team-a', members: [{ user_id: 'carol', role: 'user' }], team_member_permissions: ['/key/generate', '/key/info'] });
    assert.equal((await call(sim, 'POST', '/key/generate', { ...as(keys.carol!), body: { team_id: 'team-a' } })).status, 200);
  }));

  test('L (<1.66): a plain member creates team keys without team_member_permissions', () => withUsers({ era: 'L' }, async (sim, keys) => {
    assert.equal((await call(sim, 'POST', '/key/generate', { ...as(keys.carol!), body: { team_id: 'team-a' } })).status, 200);
  }));

  test('not a member → 400 "User=dave not assigned to team=team-a"; nor may a member create one for an outsider', () => withUsers({}, async (sim, keys) => {
    const res = await call(sim, 'POST', '/key/generate', { ...as(keys.dave!), body: { team_id: 'team-a' } });
    assert.equal(res.status, 400);
    assert.equal(envelope(res).message, 'User=dave not assigned to team=team-a');
    const forOutsider = await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { team_id: 'team-a', user_id: 'dave' } });
    assert.equal(forOutsider.status, 400);
    assert.equal(envelope(forOutsider).message, 'User=dave not assigned to team=team-a');
  }));

  test('a team not in the DB: allowed without key_generation_settings; with them → 400 "Unable to find team object in database. Team ID: t"', async () => {
    await withUsers({}, async (sim, keys) => {
      assert.equal((await call(sim, 'POST', '/key/generate', { ...as(keys.dave!), body: { team_id: 'ghost' } })).status, 200);
    });
    await withUsers({ keyGenerationSettings: { team_key_generation: {} } }, async (sim, keys) => {
      const res = await call(sim, 'POST', '/key/generate', { ...as(keys.dave!), body: { team_id: 'ghost' } });
      assert.equal(res.status, 400);
      assert.equal(envelope(res).message, 'Unable to find team object in database. Team ID: ghost');
    });
  });

  test('allowed_team_member_roles → 400 "Team member role user not in allowed_team_member_roles=[\'admin\']"', () => withUsers({
    keyGenerationSettings: { team_key_generation: { allowed_team_member_roles: ['admin'] } },
  }, async (sim, keys) => {
    sim.addTeam({ team_id: 'team-a', members: [{ user_id: 'alice', role: 'admin' }, { user_id: 'carol', role: 'user' }], team_member_permissions: ['/key/generate'] });
    const res = await call(sim, 'POST', '/key/generate', { ...as(keys.carol!), body: { team_id: 'team-a' } });
    assert.equal(res.status, 400);
    assert.equal(envelope(res).message, "Team member role user not in allowed_team_member_roles=['admin']");
    assert.equal((await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { team_id: 'team-a' } })).status, 200);
  }));

  test('team required_params → 400 "Required param metadata not in data" for members; team admins are exempt', () => withUsers({
    keyGenerationSettings: { team_key_generation: { required_params: ['metadata'] } },
  }, async (sim, keys) => {
    sim.addTeam({ team_id: 'team-a', members: [{ user_id: 'alice', role: 'admin' }, { user_id: 'carol', role: 'user' }], team_member_permissions: ['/key/generate'] });
    const res = await call(sim, 'POST', '/key/generate', { ...as(keys.carol!), body: { team_id: 'team-a' } });
    assert.equal(res.status, 400);
    assert.equal(envelope(res).message, 'Required param metadata not in data');
    assert.equal((await call(sim, 'POST', '/key/generate', { ...as(keys.carol!), body: { team_id: 'team-a', metadata: { why: 'ci' } } })).status, 200);
    assert.equal((await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { team_id: 'team-a' } })).status, 200);
  }));

  test('delete a team key: team admin yes; a member allowed /key/delete yes ≤C; from N only the admin or the key\'s owner', async () => {
    for (const [era, memberMay] of [['C', true], ['N', false]] as const) {
      await withUsers({ era }, async (sim, keys) => {
        sim.addTeam({ team_id: 'team-a', members: [{ user_id: 'alice', role: 'admin' }, { user_id: 'carol', role: 'user' }], team_member_permissions: ['/key/delete'] });
        const adminOne = sim.addKey({ team_id: 'team-a', user_id: 'bob' }).token;
        assert.equal((await call(sim, 'POST', '/key/delete', { ...as(keys.alice!), body: { keys: [adminOne] } })).status, 200, era);
        const memberOne = sim.addKey({ team_id: 'team-a', user_id: 'bob' }).token;
        const res = await call(sim, 'POST', '/key/delete', { ...as(keys.carol!), body: { keys: [memberOne] } });
        assert.equal(res.status, memberMay ? 200 : 403, era);
        const owned = sim.addKey({ team_id: 'team-a', user_id: 'carol' }).token;
        assert.equal((await call(sim, 'POST', '/key/delete', { ...as(keys.carol!), body: { keys: [owned] } })).status, 200, `${era} owner`);
      });
    }
  });
});

describe('personal_key_generation settings', () => {
  test('allowed_user_roles → 400 "Personal key creation has been restricted by admin. Allowed roles=[…]. Your role=<r>" — admins too', () => withUsers({
    keyGenerationSettings: { personal_key_generation: { allowed_user_roles: ['internal_user'] } },
  }, async (sim, keys) => {
    assert.equal((await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { user_id: 'alice' } })).status, 200);
    const admin = await call(sim, 'POST', '/key/generate', { body: {} });
    assert.equal(admin.status, 400);
    assert.equal(envelope(admin).message, "Personal key creation has been restricted by admin. Allowed roles=['internal_user']. Your role=proxy_admin");
    assert.equal((await call(sim, 'POST', '/key/generate', { body: { team_id: 'team-a' } })).status, 200, 'team keys are not personal');
  }));

  test('required_params → 400 "Required param <p> not in data"', () => withUsers({
    keyGenerationSettings: { personal_key_generation: { required_params: ['key_alias'] } },
  }, async (sim, keys) => {
    const res = await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { user_id: 'alice' } });
    assert.equal(res.status, 400);
    assert.equal(envelope(res).message, 'Required param key_alias not in data');
    assert.equal((await call(sim, 'POST', '/key/generate', { ...as(keys.alice!), body: { user_id: 'alice', key_alias: 'a-1' } })).status, 200);
  }));
});

describe('the control API for users, teams and keys', () => {
  test('POST /__sim/users, /__sim/teams, /__sim/keys set up a non-admin caller from outside the process', async () => {
    const sim = await startSimulator({ startTime: START });
    try {
      const control = (path: string, body: unknown) => call(sim, 'POST', `/__sim/${path}`, { key: null, body });
      assert.equal((await control('users', { user_id: 'erin', user_role: 'internal_user' })).status, 200);
      assert.equal((await control('users', { user_id: 'x', user_role: 'emperor' })).status, 400);
      assert.equal((await control('teams', { team_id: 'team-b', members: [{ user_id: 'erin', role: 'admin' }] })).status, 200);
      const made = await control('keys', { user_id: 'erin', key_alias: 'erin-login' });
      assert.equal(made.status, 200);
      const { key, token } = made.json as { key: string; token: string };
      assert.match(key, /^sk-/);
      assert.equal(sim.keys().find((k) => k.token === token)?.user_id, 'erin');
      assert.equal((await call(sim, 'POST', '/key/generate', { key, body: { team_id: 'team-b' } })).status, 200);
      assert.deepEqual(((await call(sim, 'GET', '/__sim/users', { key: null })).json as Array<{ user_id: string }>).map((u) => u.user_id), ['erin']);
      assert.equal(((await call(sim, 'GET', '/__sim/teams', { key: null })).json as unknown[]).length, 1);
    } finally {
      await sim.close();
    }
  });
});
