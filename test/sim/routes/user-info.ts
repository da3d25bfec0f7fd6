// GET /user/info (internal_user_endpoints.py `user_info`, route_checks.py): a user's row, keys and teams. Any caller
// may ask about its own user (no `user_id` = the calling key's user); only a proxy admin about another one — the
// route check refuses even a proxy_admin_viewer before the handler runs.
import { authenticate, isAdmin } from '../auth.js';
import { json, proxyError } from '../responses.js';
import type { SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';
import { isoDatabase } from '../time-format.js';
import type { SimTeam } from '../types.js';
import { rowJson } from './key-rows.js';

const VIRTUAL_KEYS_DOCS = 'https://docs.litellm.ai/docs/simple_proxy#managing-auth---virtual-keys';

/** A team as `list_team` returns it: the member list under `members_with_roles`. */
function teamJson(team: SimTeam): Record<string, unknown> {
  return {
    team_id: team.team_id,
    team_alias: team.team_alias ?? null,
    members_with_roles: team.members.map((m) => ({ user_id: m.user_id, user_email: null, role: m.role })),
    team_member_permissions: team.team_member_permissions ?? null,
    models: [],
    max_budget: null,
    spend: 0,
    blocked: false,
    metadata: {},
  };
}

/** LiteLLM sorts the teams by alias, as Python compares strings (a missing alias sorts as ''). */
function byAlias(a: SimTeam, b: SimTeam): number {
  const [x, y] = [a.team_alias ?? '', b.team_alias ?? ''];
  return x < y ? -1 : x > y ? 1 : 0;
}

export function userInfo(req: RouteRequest, state: SimState): SimResponse {
  const caller = authenticate(req, state);
  const asked = req.query.get('user_id') || null;
  if (!isAdmin(caller) && asked !== null && asked !== caller.userId) {
    // An HTTPException from the route check: its detail is the message, as is (no "Authentication Error, ").
    throw proxyError(state.era, 403, 'auth_error',
      `key not allowed to access this user's info. user_id=${asked}, key's user_id=${caller.userId ?? 'None'}`);
  }
  if (!state.databaseConnected) {
    throw proxyError(state.era, 500, 'internal_server_error', `Internal Server Error, Database not connected. Connect a database to your proxy - ${VIRTUAL_KEYS_DOCS}`);
  }
  if (asked === null && isAdmin(caller)) {
    // `_get_user_info_for_proxy_admin`: every key and team, no user row.
    const keys = state.store.all().map((r) => rowJson(r, isoDatabase));
    return json({ user_id: null, user_info: null, keys, teams: state.directory.allTeams().sort(byAlias).map(teamJson) });
  }
  const userId = asked ?? caller.userId;
  const user = state.directory.user(userId);
  if (!user) throw proxyError(state.era, 404, 'internal_server_error', `User ${userId ?? 'None'} not found`);
  const teams = state.directory.allTeams().filter((t) => state.directory.memberRole(t, user.user_id) !== undefined).sort(byAlias);
  return json({
    user_id: user.user_id,
    user_info: {
      user_id: user.user_id,
      user_role: user.user_role,
      teams: teams.map((t) => t.team_id),
      user_email: null,
      user_alias: null,
      max_budget: null,
      spend: 0,
      models: [],
      metadata: {},
    },
    keys: state.store.all().filter((r) => r.user_id === user.user_id).map((r) => rowJson(r, isoDatabase)),
    teams: teams.map(teamJson),
  });
}
