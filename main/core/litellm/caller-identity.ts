// Who the connected credential is, and what it may do: Keyfob connects with the master key or with any LiteLLM key
// a person has (a personal key of an internal user, a team member's key). LiteLLM decides by the key's user and that
// user's role (../shared/litellm-admin-api.md, "Roles"): a proxy admin creates anything, an internal user personal
// keys (which Keyfob then owns by the user's id) and keys for its teams within `key_generation_settings`, a viewer
// or a key without a user nothing.
import type { FieldError } from '../errors.js';
import type { CallerIdentity, CallerRole } from '../backend/index.js';
import { cleanRemoteText } from './remote-text.js';

const ROLES: readonly CallerRole[] = ['proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer'];

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? cleanRemoteText(value).slice(0, 256) : null;
}

function record(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * The identity from `/key/info`'s `info` for the calling key (null: the proxy does not hold that key — the master
 * key) and `/user/info`'s answer for its user (null when unknown or not readable).
 */
export function identityFrom(keyInfo: Record<string, unknown> | null, userInfo: Record<string, unknown> | null): CallerIdentity {
  if (keyInfo === null) return withSummary({ userId: null, role: 'master-key', teams: [], keyTeamId: null });
  const userId = text(keyInfo.user_id);
  const keyTeamId = text(keyInfo.team_id);
  const info = record(userInfo?.user_info);
  const roleText = text(info?.user_role) ?? text(keyInfo.user_role);
  const role: CallerRole = userId === null ? 'key-without-user' : ROLES.find((r) => r === roleText) ?? 'unknown';
  const teams: CallerIdentity['teams'] = [];
  const teamObjects = Array.isArray(userInfo?.teams) ? userInfo.teams : [];
  for (const t of teamObjects) {
    const team = record(t);
    const id = text(team?.team_id);
    if (!team || !id) continue;
    const members = Array.isArray(team.members_with_roles) ? team.members_with_roles : [];
    const me = members.map(record).find((m) => m !== null && text(m.user_id) === userId);
    teams.push({ id, alias: text(team.team_alias), memberRole: text(me?.role) });
  }
  // Older answers list only team ids under user_info.teams.
  for (const id of Array.isArray(info?.teams) ? info.teams : []) {
    const teamId = text(id);
    if (teamId && !teams.some((t) => t.id === teamId)) teams.push({ id: teamId, alias: null, memberRole: null });
  }
  return withSummary({ userId, role, teams, keyTeamId });
}

function withSummary(who: Omit<CallerIdentity, 'summary'>): CallerIdentity {
  return { ...who, summary: summarize(who) };
}

function teamList(who: Omit<CallerIdentity, 'summary'>): string {
  return who.teams.map((t) => `${t.alias ?? t.id}${t.memberRole === 'admin' ? ' (team admin)' : ''}`).join(', ');
}

function summarize(who: Omit<CallerIdentity, 'summary'>): string {
  const name = who.userId ?? '';
  switch (who.role) {
    case 'master-key':
      return "connected with the proxy's master key: keys can be created for anyone";
    case 'proxy_admin':
      return `connected as ${name}, proxy admin: keys can be created for anyone`;
    case 'internal_user': {
      const teams = who.teams.length ? `; team keys for ${teamList(who)}` : '';
      return `connected as ${name}, internal user: keys are created for ${name}${teams}`;
    }
    case 'proxy_admin_viewer':
    case 'internal_user_viewer':
      return `connected as ${name}, view-only (${who.role}): Keyfob cannot issue keys with this credential`;
    case 'key-without-user':
      return 'connected with a key that belongs to no user: Keyfob cannot issue keys with it (ask the admin for a personal or team key)';
    default:
      return `connected as ${name} (role not readable): the proxy decides what this key may create`;
  }
}

/** True when the credential can create keys at all. */
export function canIssue(who: CallerIdentity): boolean {
  return who.role === 'master-key' || who.role === 'proxy_admin' || who.role === 'internal_user' || who.role === 'unknown';
}

/**
 * What stops a role's `user_id`/`team_id` with this credential, field by field (empty when nothing does). The proxy
 * still decides (its key_generation_settings are not readable by a non-admin); this catches what is certain.
 */
export function roleProblems(who: CallerIdentity, role: { user_id: string | null; team_id: string | null }): FieldError[] {
  const problems: FieldError[] = [];
  if (!canIssue(who)) {
    problems.push({ field: 'credential', message: `${who.summary}. Ask the proxy admin for an internal-user key (personal keys) or a team key` });
    return problems;
  }
  if (who.role !== 'internal_user') return problems;
  if (role.user_id !== null && role.user_id !== who.userId) {
    problems.push({
      field: 'user_id',
      message: `the connected credential (user ${who.userId}) may create keys only for itself, not for ${role.user_id}: clear user_id (Keyfob sets ${who.userId}), or ask the proxy admin for a key that may`,
    });
  }
  if (role.team_id !== null && who.teams.length > 0 && !who.teams.some((t) => t.id === role.team_id)) {
    problems.push({
      field: 'team_id',
      message: `user ${who.userId} is not a member of team ${role.team_id} (member of: ${teamList(who)}): ask that team's admin to add you`,
    });
  }
  return problems;
}
