// The contract of the assembled core: what the CLI and the Electron app call. Implemented by createKeyfobCore
// (keyfob-core.ts), which wires roles, settings, the secret store, the LiteLLM client and the lease manager.
import type { SerializedError } from './errors.js';
import type { CallerIdentity } from './backend/index.js';
import type { KeyInfo } from './litellm/index.js';
import type { Activity, Clipboard, Clock, Notifier, SecretStore, SettingsStore } from './ports.js';
import type { AuditEntry, IssuedLease, LeaseEvent, LeaseScope, LeaseView, Role, RoleInput, Settings, SettingsPatch, ToolBaseUrls } from './types.js';

export interface CoreDeps {
  /** Directory holding config.json, leases.json, audit.log and the lock file. */
  stateDir: string;
  settingsStore: SettingsStore;
  secretStore: SecretStore;
  clock: Clock;
  clipboard: Clipboard;
  activity: Activity;
  notifier: Notifier;
  /** Upper bound on concurrent proxy requests during reconcile / revoke-all (default 8). */
  maxConcurrency?: number;
}

export interface ConnectInput {
  url: string;
  /** Your LiteLLM key (a personal or team key, or the proxy's master key); the field keeps its historic name. */
  adminKey: string;
  caFile?: string | null;
  allowInsecureTls?: boolean;
}

/** `keyfob connect --sso`, the window's "Sign in with SSO": the person's own sign-in session instead of a key. */
export interface SsoConnectInput {
  url: string;
  /** Passed on to the consent page as the team to pick (the page still decides). */
  team?: string | null;
  caFile?: string | null;
  allowInsecureTls?: boolean;
}

export type VaultMethod = 'token' | 'userpass' | 'oidc';

/** `keyfob connect --vault`: sign in to Vault/OpenBao running the LiteLLM engine (team mode). */
export interface VaultConnectInput {
  /** The Vault/OpenBao server, e.g. https://vault.example:8200. */
  url: string;
  /** The LiteLLM engine's mount, e.g. `litellm`. */
  mount: string;
  namespace?: string | null;
  method: VaultMethod;
  /** The LiteLLM proxy the keys are used with (what tools are pointed at). */
  proxyUrl: string;
  /** userpass: the user name. */
  username?: string;
  /** token: the token; userpass: the password. Never from an argument (stdin or a no-echo prompt). */
  secret?: string;
  /** oidc: the OIDC role (default: the mount's default_role), the callback port (default 8250), the opener. */
  oidcRole?: string;
  oidcPort?: number;
  openBrowser?: (url: string) => Promise<void>;
  /** oidc: shows the sign-in URL (stderr in the CLI). */
  print?: (line: string) => void;
  /** Auth mount of userpass/oidc when not the default (`userpass`, `oidc`). */
  authMount?: string;
  caFile?: string | null;
  allowInsecureTls?: boolean;
}

/** Who is signed in with SSO, and until when the session renews itself (each refresh slides it on). */
export interface SsoSignIn {
  user: string;
  team: string | null;
  renews_until: string | null;
}

/** What signing out did: every live lease revoked first, then the credential discarded (only when none is left). */
export interface SignOutReport {
  revoked: number;
  /** Leases still live or waiting to be revoked: the credential was kept so that they can still be revoked. */
  left: LeaseView[];
  /** The credential was discarded (an SSO session's refresh token revoked on the proxy, or the key removed). */
  discarded: boolean;
  /** What was signed out of: `sso-session`, `static-key` (a key removed), or null when nothing was stored. */
  kind: string | null;
}

/** Vault mode as it stands: never the token, only where it goes and when the session ends. */
export interface VaultStatus {
  url: string;
  namespace: string | null;
  mount: string;
  method: VaultMethod;
  proxy_url: string;
  /** Whether a token for this server is in the keychain. */
  token_stored: boolean;
  /** When the Vault session ends on its own (its keys with it); null = never (a root token). */
  session_ends_at: string | null;
  /** The session can be extended by renew-self (false: it ends at session_ends_at whatever Keyfob does). */
  session_renewable: boolean;
  session_ended: boolean;
  /** The engine's roles as last read from Vault. */
  roles: string[];
  roles_read_at: string | null;
}

/** Team mode: Vault owns roles and leases (see docs/team-vault.md). */
export interface VaultMode {
  /** True while Keyfob is connected to Vault rather than directly to a LiteLLM proxy. */
  active(): boolean;
  connect(input: VaultConnectInput): Promise<VaultStatus>;
  /** Null when not in Vault mode. */
  status(): Promise<VaultStatus | null>;
  /** Reads the engine's roles again (what `role list`/`role show` and the window show). */
  refreshRoles(): Promise<Role[]>;
}

export interface ConnectionStatus {
  url: string | null;
  admin_key_stored: boolean;
  keychain_backend: string;
  session_only: boolean;
  /** What the connected credential may do, once this process has asked the proxy (connect, testConnection); else null. */
  identity?: CallerIdentity | null;
  /** Set when the connection is a sign-in session (`keyfob connect --sso`); null for a key or nothing. */
  sso?: SsoSignIn | null;
  /** Team mode: the Vault session (then `admin_key_stored` says whether a live Vault sign-in is stored). */
  vault?: VaultStatus | null;
}

export interface ProbeResult {
  reachable: boolean;
  admin_ok: boolean;
  db_connected: boolean | null;
  error: SerializedError | null;
  /** Who the credential is on the proxy, when the check got that far. */
  identity?: CallerIdentity | null;
}

export interface ReconcileReport {
  revoked: number;
  expired: number;
  resumed: number;
  pending_cleaned: number;
  still_revoking: number;
  irrevocable: number;
}

export interface RevokeSummary {
  revoked: number;
  failed: number;
  /** Leases left `revoking` (retried later) or `irrevocable`. */
  left: LeaseView[];
}

export interface IssueOptions {
  scope?: LeaseScope;
}

export interface RenewOptions {
  allowShorten?: boolean;
  /** Who asked, for the audit log: a person (default) or a tool's key helper (`keyfob token`). */
  by?: 'person' | 'helper';
}

export interface LeaseOperations {
  /** `scope` (default `free`): `process` binds the lease to this process (`keyfob exec`), see LeaseScope. */
  issue(role: string, opts?: IssueOptions): Promise<IssuedLease>;
  /**
   * Vault's rule: now + increment (default the role's ttl), capped at max_expires_at. A renewal that would end the
   * lease earlier than it ends now fails (kind `invalid`) unless `allowShorten`.
   */
  renew(leaseId: string, incrementSeconds?: number, opts?: RenewOptions): Promise<LeaseView>;
  revoke(leaseId: string, reason?: string): Promise<LeaseView>;
  /** Stops retrying a failed revocation whose key has already expired on the proxy (refused while it is live). */
  forget(leaseId: string): Promise<LeaseView>;
  revokeRole(role: string): Promise<RevokeSummary>;
  /** Bounded in time when `deadlineMs` is given (quit): what is not done stays `revoking` for the next start. */
  revokeAll(opts?: { reason?: string; deadlineMs?: number }): Promise<RevokeSummary>;
  /** The tray's one click: copy the live key of `role`, issuing one when none is live. */
  copyRoleKey(role: string): Promise<{ lease: LeaseView; issued: boolean }>;
  copyLeaseKey(leaseId: string): Promise<LeaseView>;
  /** Only on an explicit person's request. */
  revealKey(leaseId: string): Promise<string>;
  list(opts?: { all?: boolean }): LeaseView[];
  get(leaseId: string): LeaseView;
  /** Re-reads the ledger (another process may have changed it). */
  refresh(): void;
  on(listener: (event: LeaseEvent) => void): () => void;
}

export interface KeyfobCore {
  readonly leases: LeaseOperations;
  readonly secretStore: SecretStore;
  readonly settingsStore: SettingsStore;
  /** Team mode: Vault/OpenBao as the key backend. */
  readonly vault: VaultMode;

  connect(input: ConnectInput): Promise<void>;
  /**
   * Signs in with SSO (the proxy's native sign-in: the browser opened through `openBrowser`), verifies the session
   * with one call, stores it in the keychain bound to the URL, and answers who signed in.
   */
  connectSso(input: SsoConnectInput, openBrowser: (url: string) => void | Promise<void>): Promise<SsoSignIn>;
  /**
   * `keyfob logout`, the window's Sign out: revokes every live lease, then discards the credential (an SSO session's
   * refresh token is revoked on the proxy). The credential is kept while any lease is left, so it can be revoked later.
   */
  signOut(): Promise<SignOutReport>;
  testConnection(input?: Partial<ConnectInput>): Promise<ProbeResult>;
  forgetAdminKey(): Promise<void>;
  connectionStatus(): Promise<ConnectionStatus>;
  /**
   * The one URL keys may be sent to: the proxy the stored credential was entered for (its binding), whatever the
   * settings say now. Tool setup, env, exec and the shell exports write only this URL. Null when not connected.
   */
  boundUrl(): Promise<string | null>;
  /** Each kind of tool's base URL, from the bound URL and the form of it that answered (see tools/base-urls.ts); null when not connected. */
  toolBaseUrls(): Promise<ToolBaseUrls | null>;
  listModels(): Promise<string[]>;
  keyInfo(leaseId: string): Promise<KeyInfo>;

  getSettings(): Settings;
  updateSettings(patch: SettingsPatch): Settings;

  listRoles(): Role[];
  getRole(name: string): Role;
  saveRole(input: RoleInput): Role;
  deleteRole(name: string): void;

  auditLog(limit?: number): AuditEntry[];

  /** Reconcile the ledger with the proxy, then arm the scheduler. */
  start(): Promise<ReconcileReport>;
  /**
   * Disarm timers and release this core's claims; does not revoke (the caller decides, e.g. revokeAll on quit).
   * Resolves once this core will write nothing more to the state directory; calls still in flight are abandoned.
   * Final: a stopped core is not started again.
   */
  stop(): Promise<void>;
}
