// The one contract between the window and the main process: `window.keyfob`. main/ipc implements it,
// preload/preload.ts exposes it with contextBridge, renderer/ consumes it. Only types cross into the renderer.
// Never carries the admin key; a virtual key only through `revealKey`, which the person asks for.
import type { ConnectionStatus, ProbeResult, ReconcileReport, RevokeSummary, SignOutReport, SsoSignIn, VaultMethod, VaultStatus } from '../main/core/core-api.js';
import type { ToolId } from '../main/core/tools/index.js';
import type { FieldError, SerializedError } from '../main/core/errors.js';
import type { CallerIdentity } from '../main/core/backend/index.js';
import type { AuditEntry, LeaseView as CoreLeaseView, RevokeTrigger, Role, RoleInput, Settings, SettingsPatch } from '../main/core/types.js';

// Everything the window may see is named here: the renderer imports types from this file only (lint-enforced).
export type { AuditEntry, CallerIdentity, ConnectionStatus, FieldError, ProbeResult, ReconcileReport, RevokeSummary, RevokeTrigger, Role, RoleInput, SerializedError, Settings, SettingsPatch, SignOutReport, SsoSignIn, VaultMethod, VaultStatus };

/**
 * What the views see of a lease. The optional fields are filled in when main knows them; a view works without them
 * (it derives what it can from the rest), so main can start sending them at any time.
 */
export type LeaseView = CoreLeaseView & {
  /** When a tool's key helper (`keyfob token`, `keyfob env`) last asked for this lease's key (ISO-8601). */
  helper_last_used_at?: string | null;
  /** Which tool's helper keeps the lease alive ("claude-code", "codex", "shell" …), when known. */
  helper_tool?: string | null;
};

/** How the proxy answered lately, as main saw it (optional: the window also learns it from its own calls). */
export interface ProxyHealth {
  /** `signed-out`: the SSO session can no longer be refreshed (sign in again; live keys work until they expire). */
  state: 'ok' | 'unreachable' | 'admin-key-rejected' | 'signed-out';
  /** Since when (ISO-8601), for "unreachable since 10:02". */
  since: string | null;
}

/** The tools a role's "Use with…" panel knows: the ids of the core's tool registry (a type only). */
export type ToolName = ToolId;

export interface ToolSetupResult {
  tool: ToolName;
  /** The settings file written. */
  path: string;
  /** False when the file already said all of it. */
  changed: boolean;
  /** The model setup wrote (one the role allows), or null when the tool keeps its own default. */
  model?: string | null;
  /** Which model and how to change it, in one sentence (warnings, e.g. no model the tool speaks, come as notices). */
  model_note?: string;
}

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

export interface AppSnapshot {
  connection: ConnectionStatus;
  /** The base URLs tools are given (the core's one rule, toolBaseUrls); null when not connected. */
  tool_base_urls?: { openai: string; anthropic: string; litellm: string } | null;
  settings: Settings;
  roles: Role[];
  leases: LeaseView[];
  /** The main process's clock (ms since epoch) when the snapshot was taken: the window derives its clock offset. */
  now: number;
  /** Messages for the person from start-up (e.g. corrupt settings backed up) and the last reconcile. */
  notices: string[];
  last_reconcile: ReconcileReport | null;
  platform: 'darwin' | 'win32' | 'linux' | string;
  /** Main's view of the proxy's health, when it tracks one. */
  proxy_health?: ProxyHealth | null;
  /**
   * Optional features main offers this window: the "Run setup" buttons appear only when `tool_setup` is true;
   * `roles_read_only` (why, e.g. "roles are defined in Vault: ask your platform team") hides role editing.
   */
  features?: { tool_setup?: boolean; roles_read_only?: string };
}

export interface ConnectRequest {
  url: string;
  /** Write-only: sent once to main, stored in the keychain there, never sent back. */
  adminKey: string;
  caFile?: string | null;
  allowInsecureTls?: boolean;
}

/** "Sign in with SSO": main runs the whole sign-in and opens the proxy's sign-in page in the person's browser. */
export interface SsoSignInRequest {
  url: string;
  /** The team to pick on the consent page (the page still decides). */
  team?: string | null;
  caFile?: string | null;
  allowInsecureTls?: boolean;
}

/**
 * "Connect to Vault" (team mode, as `keyfob connect --vault`): main signs in to Vault/OpenBao and keeps the Vault token
 * in the keychain; the window gets back only the connection status, never the token. For OIDC main opens the sign-in
 * page in the person's browser.
 */
export interface VaultConnectRequest {
  /** The Vault/OpenBao server, e.g. https://vault.example:8200. */
  vaultUrl: string;
  /** The LiteLLM proxy the keys are used with (what tools are pointed at). */
  proxyUrl: string;
  /** The LiteLLM engine's mount. Default `litellm`. */
  mount?: string;
  namespace?: string | null;
  method: VaultMethod;
  /** userpass: the user name. */
  username?: string | null;
  /** Write-only: the token (method token) or the password (userpass), sent once to main, never sent back. */
  secret?: string;
  /** oidc: the OIDC role (absent: the auth mount's default role). */
  oidcRole?: string | null;
  /** oidc: the local port of the callback `http://localhost:PORT/oidc/callback` (absent: Vault's usual 8250). */
  oidcPort?: number | null;
  caFile?: string | null;
  allowInsecureTls?: boolean;
}

export interface KeyInfoView {
  lease_id: string;
  spend: number;
  max_budget: number | null;
}

export interface KeyfobApi {
  getSnapshot(): Promise<IpcResult<AppSnapshot>>;
  testConnection(req: Partial<ConnectRequest>): Promise<IpcResult<ProbeResult>>;
  connect(req: ConnectRequest): Promise<IpcResult<ConnectionStatus>>;
  forgetAdminKey(): Promise<IpcResult<ConnectionStatus>>;
  /** Signs in with SSO in the browser (no key typed); resolves when the sign-in is done, failed or timed out. */
  signInWithSso(req: SsoSignInRequest): Promise<IpcResult<ConnectionStatus>>;
  /** Team mode: signs in to Vault (token, userpass, or OIDC in the browser); resolves when signed in or failed. */
  connectVault(req: VaultConnectRequest): Promise<IpcResult<ConnectionStatus>>;
  /** Sign out, as `keyfob logout`: every live key revoked, then the session (or the stored key) discarded. */
  signOut(): Promise<IpcResult<SignOutReport>>;
  /** Explicit choice when no keychain works: secrets live in memory until Keyfob quits. */
  useSessionOnlyStore(): Promise<IpcResult<ConnectionStatus>>;
  listModels(): Promise<IpcResult<string[]>>;

  saveRole(input: RoleInput): Promise<IpcResult<Role>>;
  deleteRole(name: string): Promise<IpcResult<null>>;

  issue(role: string): Promise<IpcResult<LeaseView>>;
  copyRoleKey(role: string): Promise<IpcResult<LeaseView>>;
  copyLeaseKey(leaseId: string): Promise<IpcResult<LeaseView>>;
  revealKey(leaseId: string): Promise<IpcResult<string>>;
  renew(leaseId: string): Promise<IpcResult<LeaseView>>;
  revoke(leaseId: string): Promise<IpcResult<LeaseView>>;
  revokeAll(): Promise<IpcResult<RevokeSummary>>;
  keyInfo(leaseId: string): Promise<IpcResult<KeyInfoView>>;

  updateSettings(patch: SettingsPatch): Promise<IpcResult<Settings>>;
  auditLog(limit?: number): Promise<IpcResult<AuditEntry[]>>;
  /** Runs `keyfob setup TOOL ROLE` in main (the same code as the CLI). Offered when `features.tool_setup` is true. */
  runToolSetup(role: string, tool: ToolName): Promise<IpcResult<ToolSetupResult>>;
  /** Settings → "Install command-line tool": where `keyfob` is on the PATH, putting it there, taking it away. */
  commandLineTool(action: CommandLineToolAction): Promise<IpcResult<CommandLineToolStatus>>;

  /** Pushed by main whenever leases, roles, settings or the connection change. Returns an unsubscribe. */
  onSnapshot(listener: (snapshot: AppSnapshot) => void): () => void;
  /** Main asks the window to show a screen (tray "Open Keyfob", "Settings…"). */
  onNavigate(listener: (screen: Screen) => void): () => void;
}

export type CommandLineToolAction = 'status' | 'install' | 'uninstall';

export interface CommandLineToolStatus {
  installed: boolean;
  /** The link (Linux, macOS) or PATH folder (Windows) it went to; null when not installed. */
  location: string | null;
  /** One sentence for the person: where it is, or why not, and what to do. */
  message: string;
}

export type Screen = 'keys' | 'roles' | 'settings' | 'activity' | 'connect';

/** IPC channel names, one per API method: main and preload both iterate this list, so neither can miss one. */
export const INVOKE_CHANNELS = [
  'getSnapshot',
  'testConnection',
  'connect',
  'forgetAdminKey',
  'signInWithSso',
  'connectVault',
  'signOut',
  'useSessionOnlyStore',
  'listModels',
  'saveRole',
  'deleteRole',
  'issue',
  'copyRoleKey',
  'copyLeaseKey',
  'revealKey',
  'renew',
  'revoke',
  'revokeAll',
  'keyInfo',
  'updateSettings',
  'auditLog',
  'runToolSetup',
  'commandLineTool',
] as const satisfies ReadonlyArray<keyof KeyfobApi>;

export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];
export const PUSH_CHANNELS = { snapshot: 'keyfob:snapshot', navigate: 'keyfob:navigate' } as const;
export const channelName = (c: InvokeChannel): string => `keyfob:${c}`;

declare global {
  interface Window {
    keyfob: KeyfobApi;
  }
}

/**
 * What main/ipc implements: one async function per invoke channel, taking the API method's arguments.
 * The Electron registration (sender validation, payload checks) wraps these; the browser tests call them directly.
 */
export type ApiHandlers = {
  [K in InvokeChannel]: (...args: Parameters<KeyfobApi[K]>) => ReturnType<KeyfobApi[K]>;
};
