// GET /user/info, one row at a time: the caller's own user (with or without `user_id`), its teams with the member
// roles, its keys as hashes; another user's → 403 from the route check, unless the caller is a proxy admin.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, envelope, START } from './http-helpers.js';
import { startSimulator } from './index.js';
import type { Simulator } from './index.js';

interface UserInfoJson {
  user_id: string | null;
  user_info: { user_id: string; user_role: string; teams: string[] } | null;
  keys: Array<{ token: string; user_id: string | null; key_alias: string | null }>;
  teams: Array<{ team_id: string; team_alias: string | null; members_with_roles: Array<{ user_id: string; role: string }> }>;
}

/** alice (internal_user, admin of platform, member of research), bob (internal_user), vic (proxy_admin_viewer). */
async function withAlice(body: (sim: Simulator, keys: Record<string, string>) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ startTime: START });
  try {
    const keys: Record<string, string> = {};
    for (const [user, role] of [['alice', 'internal_user'], ['bob', 'internal_user'], ['vic', 'proxy_admin_viewer'], ['una', 'internal_user_viewer']] as const) {
      sim.addUser({ user_id: user, user_role: role });
      keys[user] = sim.addKey({ user_id: user, key_alias: `login-${user}` }).key;
    }
    sim.addTeam({ team_id: 'research', team_alias: 'Research', members: [{ user_id: 'alice', role: 'user' }, { user_id: 'bob', role: 'admin' }] });
    sim.addTeam({ team_id: 'platform', team_alias: 'Platform', members: [{ user_id: 'alice', role: 'admin' }] });
    sim.addTeam({ team_id: 'sales', members: [{ user_id: 'bob', role: 'user' }] });
    await body(sim, keys);
  } finally {
    await sim.close();
  }
}

describe('GET /user/info', () => {
  test('?user_id=<own> → 200: the user row with its role and team ids, its teams (by alias) with members, its keys', () => withAlice(async (sim, keys) => {
    const res = await call(sim, 'GET', '/user/info?user_id=alice', { key: keys.alice! });
    assert.equal(res.status, 200);
    const body = res.json as UserInfoJson;
    assert.equal(body.user_id, 'alice');
    assert.equal(body.user_info?.user_role, 'internal_user');
    assert.deepEqual(body.user_info?.teams, ['platform', 'research']);
    assert.deepEqual(body.teams.map((t) => [t.team_id, t.team_alias]), [['platform', 'Platform'], ['research', 'Research']]);
    assert.deepEqual(body.teams[1]?.members_with_roles.map((m) => `${m.user_id}:${m.role}`), ['alice:user', 'bob:admin']);
    assert.deepEqual(body.keys.map((k) => k.key_alias), ['login-alice']);
    assert.equal(body.keys[0]?.token, sim.keys().find((k) => k.key_alias === 'login-alice')?.token, 'the hash, never the key');
    assert.equal(res.text.includes(keys.alice!), false, 'no plaintext key');
  }));

  test('no user_id → the calling key\'s user', () => withAlice(async (sim, keys) => {
    const res = await call(sim, 'GET', '/user/info', { key: keys.bob! });
    assert.equal(res.status, 200);
    const body = res.json as UserInfoJson;
    assert.equal(body.user_id, 'bob');
    assert.deepEqual(body.teams.map((t) => t.team_id), ['sales', 'research'], "'' (no alias) sorts first");
  }));

  test('another user\'s → 403 auth_error "key not allowed to access this user\'s info. user_id=bob, key\'s user_id=alice"', () => withAlice(async (sim, keys) => {
    const res = await call(sim, 'GET', '/user/info?user_id=bob', { key: keys.alice! });
    assert.equal(res.status, 403);
    assert.deepEqual(envelope(res), { message: "key not allowed to access this user's info. user_id=bob, key's user_id=alice", type: 'auth_error', param: 'None', code: '403' });
  }));

  test('a proxy_admin_viewer is held to its own user too (the route check runs before the viewer rule)', () => withAlice(async (sim, keys) => {
    assert.equal((await call(sim, 'GET', '/user/info?user_id=alice', { key: keys.vic! })).status, 403);
    const own = await call(sim, 'GET', '/user/info', { key: keys.vic! });
    assert.equal((own.json as UserInfoJson).user_info?.user_role, 'proxy_admin_viewer');
  }));

  test('an internal_user_viewer reads its own', () => withAlice(async (sim, keys) => {
    const res = await call(sim, 'GET', '/user/info?user_id=una', { key: keys.una! });
    assert.equal(res.status, 200);
    assert.equal((res.json as UserInfoJson).user_info?.user_role, 'internal_user_viewer');
  }));

  test('the master key: any user; with no user_id every key and team, no user row', () => withAlice(async (sim) => {
    const bob = await call(sim, 'GET', '/user/info?user_id=bob');
    assert.equal((bob.json as UserInfoJson).user_info?.user_id, 'bob');
    const all = (await call(sim, 'GET', '/user/info')).json as UserInfoJson;
    assert.equal(all.user_id, null);
    assert.equal(all.user_info, null);
    assert.equal(all.keys.length, sim.keys().length);
    assert.equal(all.teams.length, 3);
  }));

  test('a user not in the user table → 404 "User <id> not found"; a key without a user asks about None', () => withAlice(async (sim) => {
    const ghost = await call(sim, 'GET', '/user/info?user_id=ghost');
    assert.equal(ghost.status, 404);
    assert.equal(envelope(ghost).message, 'User ghost not found');
    const orphan = await call(sim, 'GET', '/user/info', { key: sim.addKey({}).key });
    assert.equal(orphan.status, 404);
    assert.equal(envelope(orphan).message, 'User None not found');
    assert.equal((await call(sim, 'GET', '/user/info', { key: null })).status, 401, 'no key: the auth layer first');
  }));

  test('POST → 405', () => withAlice(async (sim) => {
    assert.equal((await call(sim, 'POST', '/user/info', { body: {} })).status, 405);
  }));
});
