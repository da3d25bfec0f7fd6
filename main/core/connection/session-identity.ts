// Who a sign-in session is: its user, as the token exchange named it. The proxy's `/key/info` knows no row for a
// session token (it is no key), so asking it would mistake the session for the master key and issue ownerless keys
// the session could then neither renew nor delete. The role is left to the proxy (it re-reads it on every call).
import type { CallerIdentity } from '../backend/index.js';

export function sessionIdentity(session: { userId: string; teamId: string | null }): CallerIdentity {
  const team = session.teamId ? `, team ${session.teamId}` : '';
  return {
    userId: session.userId,
    role: 'unknown',
    teams: session.teamId ? [{ id: session.teamId, alias: null, memberRole: null }] : [],
    keyTeamId: null,
    summary: `signed in with SSO as ${session.userId}${team}: keys are created for ${session.userId}`,
  };
}
