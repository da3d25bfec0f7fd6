// What the connected credential may do, read from /key/info (the calling key) and /user/info (its user and teams),
// and which roles it stops at save time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canIssue, identityFrom, roleProblems } from '../../../main/core/litellm/caller-identity.js';

const userInfo = (role: string, teams: Array<[string, string]> = []) => ({
  user_id: 'alice',
  user_info: { user_id: 'alice', user_role: role, teams: teams.map(([id]) => id) },
  keys: [],
  teams: teams.map(([id, memberRole]) => ({ team_id: id, team_alias: `${id}-team`, members_with_roles: [{ user_id: 'alice', role: memberRole }, { user_id: 'bob', role: 'admin' }] })),
});

describe('identityFrom', () => {
  test('the master key: no row of its own', () => {
    const who = identityFrom(null, null);
    assert.equal(who.role, 'master-key');
    assert.equal(canIssue(who), true);
    assert.match(who.summary, /master key/);
  });
  test('an internal user with teams: keys are created for the user; team roles read from members_with_roles', () => {
    const who = identityFrom({ user_id: 'alice', team_id: null }, userInfo('internal_user', [['t1', 'admin'], ['t2', 'user']]));
    assert.deepEqual({ userId: who.userId, role: who.role }, { userId: 'alice', role: 'internal_user' });
    assert.deepEqual(who.teams, [{ id: 't1', alias: 't1-team', memberRole: 'admin' }, { id: 't2', alias: 't2-team', memberRole: 'user' }]);
    assert.equal(who.summary, 'connected as alice, internal user: keys are created for alice; team keys for t1-team (team admin), t2-team');
  });
  test('viewers and keys without a user may issue nothing', () => {
    assert.equal(canIssue(identityFrom({ user_id: 'v' }, userInfo('internal_user_viewer'))), false);
    assert.equal(canIssue(identityFrom({ user_id: 'v' }, userInfo('proxy_admin_viewer'))), false);
    assert.equal(canIssue(identityFrom({ user_id: null, team_id: 't1' }, null)), false);
  });
  test('remote text is cleaned', () => {
    const who = identityFrom({ user_id: 'al\u001b[2Jice' }, null);
    assert.equal(who.userId, 'alice');
    assert.equal(who.role, 'unknown');
  });
});

describe('roleProblems: what is stopped at save time', () => {
  const alice = identityFrom({ user_id: 'alice' }, userInfo('internal_user', [['t1', 'admin']]));
  test('an internal user: another user_id, or a team it is not in', () => {
    assert.deepEqual(roleProblems(alice, { user_id: null, team_id: null }), []);
    assert.deepEqual(roleProblems(alice, { user_id: 'alice', team_id: 't1' }), []);
    assert.deepEqual(roleProblems(alice, { user_id: 'bob', team_id: 't9' }).map((p) => p.field), ['user_id', 'team_id']);
    assert.match(roleProblems(alice, { user_id: 'bob', team_id: null })[0]?.message ?? '', /only for itself, not for bob/);
  });
  test('a viewer: every role, with what to ask the admin for', () => {
    const viewer = identityFrom({ user_id: 'v' }, userInfo('internal_user_viewer'));
    const [problem] = roleProblems(viewer, { user_id: null, team_id: null });
    assert.equal(problem?.field, 'credential');
    assert.match(problem?.message ?? '', /Ask the proxy admin for an internal-user key/);
  });
  test('an admin or the master key: nothing is stopped', () => {
    assert.deepEqual(roleProblems(identityFrom(null, null), { user_id: 'anyone', team_id: 'any' }), []);
    assert.deepEqual(roleProblems(identityFrom({ user_id: 'root' }, userInfo('proxy_admin')), { user_id: 'bob', team_id: 'x' }), []);
  });
});
