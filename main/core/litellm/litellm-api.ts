// The admin client's contract (implemented in litellm-client.ts). Every method throws KeyfobError.
import type { CallerIdentity } from '../backend/index.js';

export interface ClientOptions {
  /** The URL as the person gave it (path prefix and any trailing `/v1` kept). */
  baseUrl: string;
  /** The connected credential: the master key, or any LiteLLM key (personal, team). */
  adminKey: string;
  /** Wall-clock deadline of each request, from its start to its last byte (default 10_000). */
  timeoutMs?: number;
  caFile?: string | null;
  /** The CA file's text, read by the caller without blocking (connection/ca-file.ts); when absent, caFile is read here. */
  caPem?: string | null;
  allowInsecureTls?: boolean;
  /**
   * Where the key goes: null or `authorization` → `Authorization: Bearer <key>` (the default); any other header name
   * (`x-litellm-api-key`, or a gateway's custom name, LiteLLM's `litellm_key_header_name`) → `<name>: Bearer <key>`,
   * with no Authorization header at all.
   */
  authHeader?: string | null;
  /** The form of `baseUrl` that answered last time (it, or it without its trailing `/v1`): skips the probe. */
  knownBaseUrl?: string | null;
  /** Told once when a form of `baseUrl` answered that differs from `knownBaseUrl`, so it can be remembered. */
  onBaseUrlResolved?: (url: string) => void;
  /** What this credential is, if already known (skips the look-up before the first generate). */
  knownIdentity?: CallerIdentity | null;
  /** Told when the client has learned what the credential is. */
  onIdentity?: (identity: CallerIdentity) => void;
  /** Local wall clock (epoch ms), to notice a proxy that shortened a new key's expiry. Default: none (then only the form of `expires` tells). */
  now?: () => number;
}


export interface GenerateKeyRequest {
  models: string[];
  key_alias: string;
  metadata: Record<string, string>;
  duration?: string; // "<n>s"
  max_budget?: number;
  budget_duration?: string;
  tpm_limit?: number;
  rpm_limit?: number;
  max_parallel_requests?: number;
  team_id?: string;
  user_id?: string;
}

export interface GeneratedKey {
  key: string; // plaintext: the only time it exists
  /** SHA-256 hex of `key`, computed here: the server's `token`/`token_id` is used only as a cross-check. */
  token: string;
  key_alias: string | null;
  /** The server's real expiry, ISO-8601 UTC (normalised to `Z`), or null when the key never expires. */
  expires: string | null;
  /**
   * Set when the expiry is not what was asked, in words: the proxy put one on a key asked without one
   * (`default_key_generate_params`/`upperbound_key_generate_params`), or aligned it to the calendar and Keyfob could
   * not set it right. Null when the key expires as asked.
   */
  expiry_note: string | null;
}

export interface KeyInfo {
  key_alias: string | null;
  spend: number;
  max_budget: number | null;
  expires: string | null;
  models: string[];
  blocked: boolean;
  metadata: Record<string, unknown>;
}

export interface KeyListPage {
  keys: Array<string | Record<string, unknown>>;
  total_count: number;
  current_page: number;
  total_pages: number;
}

export interface ProxyHealth {
  alive: boolean;
  db_connected: boolean | null;
}

export interface LiteLLMAdmin {
  generateKey(req: GenerateKeyRequest): Promise<GeneratedKey>;
  /** `/key/update {key, duration: "<seconds>s"}`; returns the new expiry (ISO `Z`). */
  /** `blocked`: the key is blocked on the proxy (`scimBlocked`: by SCIM deprovisioning, `metadata.scim_blocked`). */
  renewKey(tokenOrKey: string, seconds: number): Promise<{ expires: string | null; blocked?: boolean; scimBlocked?: boolean }>;
  /** 404 ("none found") resolves with alreadyGone: true — deleting is idempotent from here up. */
  deleteKeys(target: { keys: string[] } | { key_aliases: string[] }): Promise<{ alreadyGone: boolean }>;
  keyInfo(tokenOrKey: string): Promise<KeyInfo>;
  listKeys(opts?: { page?: number; size?: number; key_alias?: string; return_full_object?: boolean }): Promise<KeyListPage>;
  listModels(): Promise<string[]>;
  health(): Promise<ProxyHealth>;
  /** `GET /key/list?size=1`: proves URL, admin key and database in one call. */
  verifyAdmin(): Promise<void>;
  /** What the connected credential may do (cached per client). */
  identity(): Promise<CallerIdentity>;
}
