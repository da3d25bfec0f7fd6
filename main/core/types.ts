// The domain's data shapes, shared by core, the CLI, the app and (through preload/api.ts) the window.
import type { SerializedError } from './errors.js';

/** Which backend issued a lease: the LiteLLM proxy directly, or Vault/OpenBao running the LiteLLM engine. */
export type BackendKind = 'litellm' | 'vault';

/** A named key template (the seed's litellmRole plus the limits LiteLLM offers). Durations are whole seconds. */
export interface Role {
  name: string;
  /** Empty = all models. */
  models: string[];
  /** USD; 0 = no budget. */
  max_budget: number;
  /** LiteLLM duration string for budget resets (e.g. "30d"), or null. */
  budget_duration: string | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_parallel_requests: number | null;
  team_id: string | null;
  user_id: string | null;
  key_alias_prefix: string;
  metadata: Record<string, string>;
  /** Seconds; 0 = use the default lease TTL setting. */
  ttl: number;
  /** Seconds; 0 = use the max lease TTL setting. */
  max_ttl: number;
}

/** What a person types: durations as strings ("15m", "8h", "3600") or seconds; every field but name optional. */
export interface RoleInput {
  name: string;
  models?: string[];
  max_budget?: number | string;
  budget_duration?: string | null;
  tpm_limit?: number | string | null;
  rpm_limit?: number | string | null;
  max_parallel_requests?: number | string | null;
  team_id?: string | null;
  user_id?: string | null;
  key_alias_prefix?: string;
  metadata?: Record<string, string>;
  ttl?: number | string;
  max_ttl?: number | string;
}

export type RevokeTrigger = 'quit' | 'logout' | 'lock' | 'suspend';

export interface Settings {
  /** LiteLLM proxy base URL as given, normalised (no trailing slash; a trailing /v1 kept); null before the first connect. */
  litellm_url: string | null;
  /**
   * Learned, not chosen: the form of litellm_url that answered (it, or it without its trailing /v1). Null until known;
   * ignored when it is neither form of the current litellm_url.
   */
  litellm_resolved_url: string | null;
  /**
   * The header that carries the key: null = `Authorization: Bearer` (the default); `x-litellm-api-key`, or the name
   * a gateway leaves to LiteLLM (its `litellm_key_header_name`), for proxies behind a gateway that owns Authorization.
   */
  auth_header: string | null;
  /** PEM file with extra CA certificates for a corporate proxy. */
  ca_file: string | null;
  /** Skip TLS verification (explicit opt-in for self-signed proxies). */
  allow_insecure_tls: boolean;
  request_timeout_seconds: number;
  default_lease_ttl_seconds: number; // 3600
  max_lease_ttl_seconds: number; // 86400
  clipboard_clear_seconds: number; // 30; 0 = never clear
  idle_threshold_seconds: number; // 600
  revoke_on: Record<RevokeTrigger, boolean>; // quit, logout on; lock, suspend off
  launch_at_login: boolean;
  notifications: boolean;
}

/** The settings that are durations (whole seconds when stored). */
export type DurationSetting = 'request_timeout_seconds' | 'default_lease_ttl_seconds' | 'max_lease_ttl_seconds' | 'clipboard_clear_seconds' | 'idle_threshold_seconds';

/** A change to the settings: durations as seconds or as a person types them ("90s", "5min", "1h30m"); the core parses them. */
export type SettingsPatch = Partial<Omit<Settings, DurationSetting>> & Partial<Record<DurationSetting, number | string>>;

/** The settings document: one file, one schema, with a version for migrations. */
export interface StoredConfig {
  schema_version: number;
  settings: Settings;
  roles: Record<string, Role>;
}

export type LeaseState = 'pending' | 'active' | 'revoking' | 'revoked' | 'expired' | 'irrevocable';

/**
 * Revoked or expired: the key is gone (or was never issued). Every other lease may still hold a working key. The one
 * rule for the lease manager (on the ledger's Lease) and every view (on LeaseView, through preload/lease-rules.ts).
 */
export function hasEnded(lease: { state: LeaseState }): boolean {
  return lease.state === 'revoked' || lease.state === 'expired';
}

/**
 * How long a lease may live. `process`: bound to the process that issued it (`keyfob exec`): revoked by the next
 * Keyfob process that finds that process gone. `free` (`keyfob issue`, `token`, the tray and window): lives until
 * its expiry, whoever is running. Either way only a live owner renews it automatically.
 */
export type LeaseScope = 'process' | 'free';

/** The Keyfob process (lease manager) that issued a lease: the only one that renews it automatically. */
export interface LeaseOwner {
  host: string;
  pid: number;
  /** The lease manager's nonce (two cores in one process share the pid). */
  instance: string;
}

/** A lease as the ledger keeps it. Never holds the plaintext key (that lives in the SecretStore as `lease:<id>`). */
/**
 * What a notice for the person is about. Each view renders it in its own words where it needs to (the CLI says how
 * to connect, or why the keychain cannot be read); `text` is the core's own sentence, used as is otherwise.
 */
export type NoticeKind =
  | 'settings' // corrupt settings were backed up
  | 'ledger-backed-up' // the lease ledger was unreadable, backed up, and is being rebuilt
  | 'ledger-unavailable' // the lease ledger cannot be written (read-only state directory, lock)
  | 'recovered' // the ledger was rebuilt from the backend's key list
  | 'recovery-failed' // rebuilding it failed; retried at the next start
  | 'recovery-waits' // it must be rebuilt, and Keyfob is not connected
  | 'revoking-elsewhere' // another live Keyfob process is revoking leases right now
  | 'waiting-to-revoke' // leases wait to be revoked, and Keyfob is not connected
  | 'quarantined' // a ledger entry failed its seal check and is left alone
  | 'vault-session'; // the Vault session (token) ends soon or has ended, and its keys with it

export interface Notice {
  kind: NoticeKind;
  text: string;
  /** How many leases it is about, where it counts them. */
  count?: number;
}

export interface Lease {
  lease_id: string;
  role: string;
  key_alias: string;
  /** SHA-256 hex of the key, as LiteLLM's `token`; null while pending. */
  token_hash: string | null;
  /** Which backend issued the key (`litellm` for every lease of a ledger written before backends existed). */
  backend: BackendKind;
  /** That backend's own handle on the lease (Vault's `lease_id`); null for LiteLLM and for an unfinished issue. */
  backend_ref: string | null;
  /** `sk-...abcd`, for telling keys apart and for deleting by hand. */
  key_hint: string | null;
  models: string[];
  max_budget: number;
  /** ISO-8601 UTC instants. */
  issued_at: string;
  expires_at: string | null;
  max_expires_at: string | null;
  /** The role's resolved ttl, the default renew increment (seconds). */
  ttl_seconds: number;
  renewable: boolean;
  state: LeaseState;
  /** `free` for leases in ledgers written before scopes existed. */
  scope: LeaseScope;
  /** Who issued it; null for leases of older ledgers and leases rebuilt from the proxy (nobody renews those). */
  owner: LeaseOwner | null;
  /** HMAC of the identity fields under the install's `ledger-seal` key (leases/ledger-seal.ts); absent before sealing. */
  seal?: string;
  /** Its seal did not hold: edited outside Keyfob, so Keyfob never acts on it (kept `irrevocable`, shown to the person). */
  quarantined?: boolean;
  /** The key was revoked, but deleting its secret from the keychain failed (locked): retried later. */
  secret_left?: boolean;
  /** Failed revocation attempts so far, and when the next one is due. */
  revoke_attempts: number;
  next_attempt_at: string | null;
  /** Why the lease left `active` (expired, revoked by person, revoked on quit, gone on server …). */
  ended_reason: string | null;
  ended_at: string | null;
  last_error: SerializedError | null;
}

/** What views see of a lease: the ledger entry minus nothing secret, plus derived flags. */
export type LeaseView = Lease & {
  /** Renewal is pending at the next renew point but the person is idle: it will expire. */
  idle_will_expire: boolean;
  /**
   * Active, and its owner will renew it before it expires: renewable, below its max TTL, the owner alive, and (as
   * far as this process knows) the person not idle and renewals not failing. Views warn ("5 minutes left", the
   * expiring state) only when this is false.
   */
  will_auto_renew?: boolean;
  /**
   * Why a live lease is not finished yet when that is not an error, in words for a person: another live Keyfob
   * process is revoking or issuing it, or an interrupted issue may still complete on the proxy. Set by this process.
   */
  wait_reason?: string;
};

/** `issue` is the only operation that returns the plaintext key. */
export interface IssuedLease {
  lease: LeaseView;
  key: string;
}

export type LeaseEvent =
  | { type: 'issued'; lease: LeaseView }
  | { type: 'renewed'; lease: LeaseView; capped: boolean }
  | { type: 'renewal-skipped'; lease: LeaseView; reason: 'idle' | 'locked' }
  | { type: 'expiring-soon'; lease: LeaseView }
  | { type: 'expired'; lease: LeaseView }
  | { type: 'revoked'; lease: LeaseView }
  | { type: 'revoke-failed'; lease: LeaseView; error: SerializedError }
  | { type: 'irrevocable'; lease: LeaseView }
  | { type: 'gone'; lease: LeaseView } // the server no longer had it
  | { type: 'changed' }; // anything else (another process changed the ledger, a role changed)

export type AuditAction = 'issue' | 'renew' | 'revoke' | 'expire' | 'reconcile' | 'connect' | 'role';

export interface AuditEntry {
  time: string;
  action: AuditAction;
  outcome: 'ok' | 'failed' | 'skipped';
  lease_id?: string;
  role?: string;
  key_alias?: string;
  detail?: string;
}

/** The base URL each kind of client is given (tools/base-urls.ts has the one rule that computes them). */
export interface ToolBaseUrls {
  /** OpenAI-style clients append `/chat/completions` or `/responses`: the proxy root + `/v1`. */
  openai: string;
  /** Anthropic-style clients (and Claude Code) append `/v1/messages`: the proxy root. */
  anthropic: string;
  /** LiteLLM's own SDK appends its routes to the proxy root. */
  litellm: string;
}
