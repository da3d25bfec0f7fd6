// The admin client's contract (implemented with axios in litellm-client.ts). Every method throws KeyfobError.

export interface ClientOptions {
  baseUrl: string;
  adminKey: string;
  timeoutMs?: number; // default 10_000
  caFile?: string | null;
  allowInsecureTls?: boolean;
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
  token: string; // sha-256 hex
  key_alias: string | null;
  /** ISO-8601 UTC (normalised to `Z`), or null when the key never expires. */
  expires: string | null;
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
  renewKey(tokenOrKey: string, seconds: number): Promise<{ expires: string | null }>;
  /** 404 ("none found") resolves with alreadyGone: true — deleting is idempotent from here up. */
  deleteKeys(target: { keys: string[] } | { key_aliases: string[] }): Promise<{ alreadyGone: boolean }>;
  keyInfo(tokenOrKey: string): Promise<KeyInfo>;
  listKeys(opts?: { page?: number; size?: number; key_alias?: string; return_full_object?: boolean }): Promise<KeyListPage>;
  listModels(): Promise<string[]>;
  health(): Promise<ProxyHealth>;
  /** `GET /key/list?size=1`: proves URL, admin key and database in one call. */
  verifyAdmin(): Promise<void>;
}
