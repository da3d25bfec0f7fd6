// Who may do what on the key routes (route_checks.py and key_management_endpoints.py): the contract's "Roles" table,
// personal keys, team keys within `key_generation_settings`, and the refusals each check words.
import { authenticate, isAdmin, routeDenied } from './auth.js';
import type { Caller } from './auth.js';
import type { KeyRecord } from './key-store.js';
import { proxyError, pythonDictRepr } from './responses.js';
import type { RouteRequest, SimState } from './state.js';
import type { SimTeam } from './types.js';

/** Routes that change keys: refused to viewers. */
const WRITE_ROUTES = new Set(['/key/generate', '/key/update', '/key/delete', '/key/block', '/key/unblock', '/key/regenerate']);

const pythonList = (items: readonly string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;

/** HTTPExceptions raised inside the key handlers reach the envelope as internal_server_error, status kept. */
function refused(state: SimState, status: number, message: string) {
  return proxyError(state.era, status, 'internal_server_error', message);
}

/** Authenticates and applies the route-level rule of the caller's role. The per-key rules follow in the handlers. */
export function keyRouteCaller(req: RouteRequest, state: SimState): Caller {
  const caller = authenticate(req, state);
  if (isAdmin(caller)) return caller;
  if (caller.role === 'proxy_admin_viewer') {
    if (!WRITE_ROUTES.has(req.path)) return caller;
    throw proxyError(state.era, 403, 'auth_error',
      `user not allowed to access this route, role= proxy_admin_viewer. Trying to access: ${req.path}`);
  }
  if (caller.role === 'internal_user') {
    if (req.path === '/key/block' || req.path === '/key/unblock' || req.path === '/key/regenerate') throw routeDenied(req, state, caller);
    return caller;
  }
  // internal_user_viewer, or a key without a user: read-only, and only about itself.
  if (WRITE_ROUTES.has(req.path)) throw routeDenied(req, state, caller);
  return caller;
}

function teamMemberPermissionError(state: SimState, route: string, team: SimTeam) {
  return proxyError(state.era, 401, 'team_member_permission_error',
    `Team member does not have permissions for endpoint: ${route}. You only have access to the following endpoints: ${pythonList(state.directory.teamPermissions(team))} for team ${team.team_id}. To create keys for this team, please ask your proxy admin to make you a team admin or modify the team's member permissions.`);
}

/** A non-admin member of `team` may use `route` on its keys: team admins always, members if the team allows it (≥1.66). */
function memberMayUse(state: SimState, team: SimTeam, userId: string | null, route: string): boolean {
  const role = state.directory.memberRole(team, userId);
  if (role === undefined) return false;
  if (role === 'admin' || !state.rules.teamMemberPermissions) return true;
  return state.directory.teamPermissions(team).includes(route);
}

function requireParams(state: SimState, data: Record<string, unknown>, required: readonly string[] | undefined): void {
  for (const param of required ?? []) {
    if (data[param] === undefined || data[param] === null) throw refused(state, 400, `Required param ${param} not in data`);
  }
}

/** `/key/generate`: personal keys for oneself, team keys within the team's and the settings' limits. */
export function checkGenerate(caller: Caller, data: Record<string, unknown>, state: SimState): void {
  const settings = state.config.keyGenerationSettings;
  const teamId = typeof data.team_id === 'string' ? data.team_id : null;
  const delegatesBudget = (data.max_budget !== undefined && data.max_budget !== null) || (data.budget_limits !== undefined && data.budget_limits !== null);
  if (caller.kind === 'virtual' && caller.session === true && teamId === null && delegatesBudget) {
    // PRs #31469/#31631: a session has no budget of its own to hand a personal key.
    throw refused(state, 400, 'A CLI session token cannot delegate budget for a personal key; specify `team_id`.');
  }
  if (teamId !== null) {
    if (isAdmin(caller)) return;
    const team = state.directory.team(teamId);
    if (!team) {
      if (settings) throw refused(state, 400, `Unable to find team object in database. Team ID: ${teamId}`);
      return;
    }
    for (const userId of [caller.userId, typeof data.user_id === 'string' ? data.user_id : undefined]) {
      if (userId === undefined) continue;
      if (state.directory.memberRole(team, userId) === undefined) throw refused(state, 400, `User=${userId ?? 'None'} not assigned to team=${teamId}`);
    }
    const role = state.directory.memberRole(team, caller.userId) ?? 'user';
    const allowed = settings?.team_key_generation?.allowed_team_member_roles ?? ['admin', 'user'];
    if (!allowed.includes(role)) {
      throw refused(state, 400, `Team member role ${role} not in allowed_team_member_roles=${pythonList(allowed)}`);
    }
    if (!memberMayUse(state, team, caller.userId, '/key/generate')) throw teamMemberPermissionError(state, '/key/generate', team);
    if (role !== 'admin') requireParams(state, data, settings?.team_key_generation?.required_params);
    return;
  }
  const allowedRoles = settings?.personal_key_generation?.allowed_user_roles;
  if (allowedRoles && !allowedRoles.includes(caller.role ?? 'internal_user')) {
    throw refused(state, 400,
      `Personal key creation has been restricted by admin. Allowed roles=${pythonList(allowedRoles)}. Your role=${caller.role ?? 'None'}`);
  }
  requireParams(state, data, settings?.personal_key_generation?.required_params);
  if (isAdmin(caller)) return;
  const userId = data.user_id;
  if (typeof userId === 'string' && userId !== caller.userId) {
    throw refused(state, 403, `User can only create keys for themselves. Got user_id=${userId}, Your ID=${caller.userId ?? 'None'}`);
  }
}

/** `/key/update` by a non-admin: its own personal keys (any personal key ≤1.77.5), or a team key it may update. */
export function checkUpdate(caller: Caller, row: KeyRecord, data: Record<string, unknown>, state: SimState): void {
  if (isAdmin(caller)) return;
  if (typeof data.user_id === 'string' && data.user_id !== row.user_id && data.user_id !== caller.userId) {
    throw refused(state, 403, `User=${caller.userId ?? 'None'} is not allowed to update key=${row.token} to belong to user=${data.user_id}`);
  }
  const team = state.directory.team(row.team_id);
  if (team) {
    if (!memberMayUse(state, team, caller.userId, '/key/update')) throw teamMemberPermissionError(state, '/key/update', team);
    return;
  }
  if (row.team_id === null && state.rules.internalUserUpdatesAnyPersonalKey) return;
  if (row.user_id === null || row.user_id !== caller.userId) {
    throw refused(state, 403, `User=${caller.userId ?? 'None'} is not allowed to update key=${row.token}`);
  }
}

/** May a non-admin delete this key? Its own personal key; a team key as team admin, or (≤C) a member allowed to. */
export function mayDelete(caller: Caller, row: KeyRecord, state: SimState): boolean {
  if (isAdmin(caller)) return true;
  const team = state.directory.team(row.team_id);
  if (team) {
    if (state.directory.memberRole(team, caller.userId) === 'admin') return true;
    if (state.rules.teamKeyDeleteByOwner) return row.user_id !== null && row.user_id === caller.userId;
    return memberMayUse(state, team, caller.userId, '/key/delete');
  }
  return row.user_id !== null && row.user_id === caller.userId;
}

export function notAuthorizedToDelete(state: SimState) {
  return refused(state, 403, pythonDictRepr({ error: 'You are not authorized to delete this key' }));
}

/** `/key/info`: admins and admin viewers any key; internal users their own, their teams' and themselves; others themselves. */
export function checkInfo(caller: Caller, row: KeyRecord, state: SimState): void {
  if (isAdmin(caller) || caller.role === 'proxy_admin_viewer') return;
  if (caller.kind === 'virtual' && caller.row.token === row.token) return;
  if (caller.role === 'internal_user' && caller.userId !== null) {
    if (row.user_id === caller.userId) return;
    const team = state.directory.team(row.team_id);
    if (team && state.directory.memberRole(team, caller.userId) !== undefined) return;
  }
  throw refused(state, 403, `You are not allowed to access this key's info. Your role=${caller.role ?? 'None'}`);
}

/** `/key/list`: the user filter a non-admin is held to, or its refusal. */
export function listUserScope(caller: Caller, query: { user_id?: string; team_id?: string }, state: SimState): string | null {
  if (isAdmin(caller) || caller.role === 'proxy_admin_viewer') return null;
  if (caller.userId === null) {
    throw refused(state, 403, "User not found. No 'user_id' is associated with your API key.");
  }
  if (query.user_id !== undefined && query.user_id !== caller.userId) {
    throw refused(state, 403, "You are not authorized to check another user's keys");
  }
  if (query.team_id !== undefined) {
    const team = state.directory.team(query.team_id);
    if (!team || state.directory.memberRole(team, caller.userId) !== 'admin') {
      throw refused(state, 403, "You are not authorized to check this team's keys");
    }
  }
  return caller.userId;
}
