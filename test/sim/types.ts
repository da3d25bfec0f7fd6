// The simulator's public types (re-exported by index.ts). Other suites code against these names.

/** A LiteLLM release range of the contract page (eras.ts says what each plays). */
export type SimEra = 'L' | 'M' | 'C' | 'N' | 'N2' | 'N3';

/** An era, or a deprecated flavor name: `current` = N3, `older` = N. */
export type SimFlavor = SimEra | 'current' | 'older';

/** LiteLLM's `user_role` values. */
export type SimUserRole = 'proxy_admin' | 'proxy_admin_viewer' | 'internal_user' | 'internal_user_viewer';

/** A team member's role in the team. */
export type SimTeamRole = 'admin' | 'user';

/** Fields `upperbound_key_generate_params` / `default_key_generate_params` may name. */
export interface SimKeyParamLimits {
  max_budget?: number;
  budget_duration?: string;
  duration?: string;
  max_parallel_requests?: number;
  tpm_limit?: number;
  rpm_limit?: number;
}

export interface SimDefaultKeyParams extends SimKeyParamLimits {
  user_id?: string;
  team_id?: string;
  models?: string[];
  metadata?: Record<string, unknown>;
}

/** `litellm_settings.key_generation_settings`. */
export interface SimKeyGenerationSettings {
  team_key_generation?: { allowed_team_member_roles?: SimTeamRole[]; required_params?: string[] };
  personal_key_generation?: { allowed_user_roles?: SimUserRole[]; required_params?: string[] };
}

export interface SimUser {
  user_id: string;
  user_role: SimUserRole;
}

export interface SimTeam {
  team_id: string;
  /** The team's display name (`/user/info` lists it). */
  team_alias?: string;
  members: Array<{ user_id: string; role: SimTeamRole }>;
  /** Routes a non-admin member may call for the team's keys. Default ['/key/info', '/key/health']. */
  team_member_permissions?: string[];
}

export interface SimOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default '127.0.0.1'. Any 127.0.0.0/8 address (a hostile second proxy on 127.0.0.2); nothing else. */
  host?: string;
  /** Default 'sk-admin'. */
  masterKey?: string;
  /** A proxy started without `master_key`: every caller, with any key or none, is proxy_admin. Default false. */
  noMasterKey?: boolean;
  /** The release range played. Default 'N3' (the newest). Settable at runtime (`sim.era`). */
  era?: SimEra;
  /** @deprecated use `era`: `current` = N3, `older` = N. Ignored when `era` is given. */
  flavor?: SimFlavor;
  /** `SERVER_ROOT_PATH`, e.g. '/api/v1': every proxy route is served under it, none at the root. Default ''. */
  rootPath?: string;
  /** `general_settings.litellm_key_header_name`: only this header carries the key (with `Bearer ` optional). */
  keyHeaderName?: string;
  /** `general_settings.litellm_settings.timezone` for era C's calendar-aligned `expires`. Default 'UTC'. */
  timezone?: string;
  /** Play an L proxy older than 1.61.3: `/key/list?return_full_object=` → 400 `Unsupported parameter(s)`. */
  listRejectsFullObject?: boolean;
  /**
   * The per-replica key cache (`user_api_key_cache_ttl`): a virtual key validated once keeps being accepted, as it
   * was then, for this long on the sim clock — after delete, update or block too (the change reached another
   * replica). Default 0: no cache.
   */
  keyCacheTtlMs?: number;
  /** `litellm_settings.upperbound_key_generate_params`. */
  upperboundKeyGenerateParams?: SimKeyParamLimits;
  /** `litellm_settings.default_key_generate_params`. */
  defaultKeyGenerateParams?: SimDefaultKeyParams;
  /** `litellm_settings.key_generation_settings`. */
  keyGenerationSettings?: SimKeyGenerationSettings;
  /**
   * Era L only: play a release ≤1.58, whose `/key/generate` answer has no `token` field (`token_id` is still there).
   * Default false (L plays 1.59–1.67.0: `token` = the plaintext).
   */
  generateOmitsToken?: boolean;
  /**
   * `/key/update` of an unknown key retries up to 3 times with back-off (0–3 s) before it answers: this many ms pass on
   * the sim clock before the (unchanged) 401/404. Default 0.
   */
  updateUnknownKeyDelayMs?: number;
  /**
   * Spend is flushed to the database every 10 s (so keys overshoot their budget): spend a model call charges becomes
   * visible to the budget check, `/key/info` and `keys()` only this many ms later on the sim clock. Default 0: at once.
   */
  spendFlushMs?: number;
  /**
   * Budgets reset by a job that runs every ~600 s, not at `budget_reset_at` itself (so keys overshoot): every this many
   * ms on the sim clock, keys past their `budget_reset_at` get spend 0 and a new reset time. Default 0: never.
   */
  budgetResetJobMs?: number;
  /** `/health/readiness` fails its DB check: 503 `{"detail":"Service Unhealthy (…)"}`. Default false. */
  readinessFails?: boolean;
  /** Default true; false plays a proxy started without a database ("DB not connected"). */
  database?: boolean;
  /** Default ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4']. */
  models?: string[];
  /** USD added to a key's spend per /chat/completions call. Default 0.01. */
  completionCost?: number;
  /** The server clock's initial epoch ms. Default Date.now(). */
  startTime?: number;
  /**
   * Default false: the server clock stands still and moves only by `clock.advance`/`clock.set` (tests).
   * true: it also follows wall time (`npm run sim`, demos), so a "30s" key really expires after 30 s.
   */
  realTime?: boolean;
  /** Called after each logged request is answered (or dropped): the CLI prints these. */
  onRequest?: (entry: SimRequestLogEntry) => void;
}

/** One row of the simulated database, as tests see it (datetimes as ISO-8601 `Z`, millisecond precision). */
export interface SimKey {
  token: string;
  key_name: string;
  key_alias: string | null;
  expires: string | null;
  models: string[];
  max_budget: number | null;
  spend: number;
  blocked: boolean;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  updated_by: string | null;
  user_id: string | null;
  team_id: string | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_parallel_requests: number | null;
  budget_duration: string | null;
  budget_reset_at: string | null;
  aliases: Record<string, unknown>;
  config: Record<string, unknown>;
  permissions: Record<string, unknown>;
  allowed_cache_controls: unknown[];
  budget_id: string | null;
}

export type SimFault =
  /** Every call to the route waits `ms` (real time) before it is processed, until cleared. */
  | { kind: 'latency'; ms: number }
  /** The next `count` calls (default 1; Infinity ok) answer `status` without being processed. */
  | { kind: 'fail'; status: number; count?: number; body?: string; contentType?: 'json' | 'text' }
  /**
   * The next `count` calls get their socket destroyed without an answer. With `afterProcessing`, the request is
   * processed first (a generated key exists) and only the answer is lost.
   */
  | { kind: 'reset'; count?: number; afterProcessing?: boolean }
  /** The next `count` calls are never answered (until the client gives up or close()). */
  | { kind: 'hang'; count?: number }
  /** The next `count` answers are processed, then sent one byte every `intervalMs` (real time) after the headers. */
  | { kind: 'drip'; intervalMs: number; count?: number }
  /** The next `count` calls get 200 with `megabytes` MB of valid-looking JSON, streamed (never buffered). */
  | { kind: 'huge'; megabytes: number; count?: number }
  /**
   * The next `count` answers are processed, then carry another key's hash as `token`/`token_id`: `token` if given,
   * else the hash of the key named `alias`, else the oldest other key in the database, else a random hash.
   */
  | { kind: 'wrong-token'; token?: string; alias?: string; count?: number }
  /** The next `count` calls answer an error envelope (default 400) whose message holds ANSI CSI and OSC escapes. */
  | { kind: 'escapes'; status?: number; count?: number }
  /** The next `count` calls answer `status` (default 307) with `Location: <location>` (another host or port). */
  | { kind: 'redirect'; location: string; status?: number; count?: number };

export interface SimRequestLogEntry {
  /** Server clock (epoch ms) when the request arrived. */
  time: number;
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body (key material redacted), the raw text if it was not read as JSON, or null when empty. */
  body: unknown;
  /** null while unanswered, and for requests that were reset or hung. */
  status: number | null;
  auth: 'master' | 'virtual' | 'none' | 'invalid';
  /** Which fault played on this request, if any. */
  fault?: SimFault['kind'];
}
