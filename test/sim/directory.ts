// The proxy's user and team tables (LiteLLM_UserTable, LiteLLM_TeamTable), as far as key generation checks them.
import type { SimTeam, SimTeamRole, SimUser, SimUserRole } from './types.js';

export const USER_ROLES: readonly SimUserRole[] = ['proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer'];

/** `team_member_permissions` when a team sets none. */
export const DEFAULT_TEAM_MEMBER_PERMISSIONS: readonly string[] = ['/key/info', '/key/health'];

export class Directory {
  private readonly users = new Map<string, SimUser>();
  private readonly teams = new Map<string, SimTeam>();

  addUser(user: SimUser): SimUser {
    if (!user.user_id) throw new RangeError('user_id must not be empty');
    if (!USER_ROLES.includes(user.user_role)) throw new RangeError(`user_role must be one of ${USER_ROLES.join(', ')}, got ${String(user.user_role)}`);
    const copy = structuredClone(user);
    this.users.set(user.user_id, copy);
    return structuredClone(copy);
  }

  addTeam(team: SimTeam): SimTeam {
    if (!team.team_id) throw new RangeError('team_id must not be empty');
    for (const member of team.members) {
      if (member.role !== 'admin' && member.role !== 'user') throw new RangeError(`member role must be admin or user, got ${String(member.role)}`);
    }
    const copy = structuredClone(team);
    this.teams.set(team.team_id, copy);
    return structuredClone(copy);
  }

  removeTeam(teamId: string): boolean {
    return this.teams.delete(teamId);
  }

  user(userId: string | null): SimUser | undefined {
    return userId === null ? undefined : this.users.get(userId);
  }

  team(teamId: string | null): SimTeam | undefined {
    return teamId === null ? undefined : this.teams.get(teamId);
  }

  memberRole(team: SimTeam, userId: string | null): SimTeamRole | undefined {
    return userId === null ? undefined : team.members.find((m) => m.user_id === userId)?.role;
  }

  teamPermissions(team: SimTeam): readonly string[] {
    return team.team_member_permissions ?? DEFAULT_TEAM_MEMBER_PERMISSIONS;
  }

  allUsers(): SimUser[] {
    return [...this.users.values()].map((u) => structuredClone(u));
  }

  allTeams(): SimTeam[] {
    return [...this.teams.values()].map((t) => structuredClone(t));
  }
}
