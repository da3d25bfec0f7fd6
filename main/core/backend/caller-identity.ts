// Who the backend says the caller is: what `describeCaller()` answers (the LiteLLM proxy reads its own key and user
// records for it; Vault looks its token up). The views show `summary`; the LiteLLM roles checks read the rest.

/** What the connected credential may do (on the LiteLLM proxy: `/key/info` of itself, `/user/info`, its teams). */
export interface CallerIdentity {
  /** The user the key belongs to; null for the master key or a key without a user. */
  userId: string | null;
  role: CallerRole;
  /** Teams the user is in, with the user's role in each (`admin` or `user`). */
  teams: Array<{ id: string; alias: string | null; memberRole: string | null }>;
  /** The team the key itself belongs to (a team key), if any. */
  keyTeamId: string | null;
  /** One line for a person: "connected as alice, internal user: keys are created for alice". */
  summary: string;
}

export type CallerRole = 'master-key' | 'proxy_admin' | 'proxy_admin_viewer' | 'internal_user' | 'internal_user_viewer' | 'key-without-user' | 'unknown';
