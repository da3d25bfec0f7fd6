// What the IPC handlers need from the app, without Electron: the core (or why it is not running), the clock and
// a few app-level actions. The Electron app builds one in main/app.ts; the window's browser tests build their own
// with `apiContextForCore`.
import type { ConnectionStatus, KeyfobCore, ReconcileReport } from '../core/core-api.js';
import type { KeyfobError } from '../core/errors.js';
import type { Settings } from '../core/types.js';
import type { CommandLineToolAction, CommandLineToolStatus, ToolName, ToolSetupResult } from '../../preload/api.js';
import type { ProxyHealthTracker } from './proxy-health.js';

export interface ApiContext {
  /** The running core, or null while it could not start (then `startError` says why). */
  core(): KeyfobCore | null;
  /** Why the core is not running (state directory unusable, …); null when it is. */
  startError(): KeyfobError | null;
  /** The main process's clock (ms since the epoch). */
  now(): number;
  platform: string;
  /** Messages for the person from start-up: settings backed up, keychain unavailable, reconcile results. */
  notices(): string[];
  lastReconcile(): ReconcileReport | null;
  /** What the snapshot says about the connection while the core is not running. */
  fallbackConnection(): ConnectionStatus;
  /** The explicit "session only" choice: secrets in memory until Keyfob quits. */
  useSessionOnlyStore(): Promise<void>;
  /** Anything a snapshot shows may have changed: push a fresh one to the window. */
  changed(): void;
  /** Settings were saved: apply what lives outside the core (launch at login). */
  settingsApplied(previous: Settings, next: Settings): Promise<void>;
  /** "Install command-line tool" (main/electron/command-line-tool.ts); absent where there is no packaged app. */
  commandLineTool?: (action: CommandLineToolAction) => Promise<CommandLineToolStatus>;
  /** The state directory: the snapshot reads which leases tools' key helpers asked for there (tool-asks/). */
  stateDir?: string;
  /** "Set up" for Claude Code or Codex (main/electron/tool-setup.ts); absent: the window does not offer it. */
  toolSetup?: (role: string, tool: ToolName) => Promise<ToolSetupResult>;
  /**
   * Opens an http(s) address in the person's browser (Electron's `shell.openExternal`): the SSO sign-in page. The
   * handlers check it is on the proxy's own origin first. Absent: the window cannot sign in with SSO here.
   */
  openExternal?: (url: string) => Promise<void>;
  /** Where Vault's OIDC sign-in listens for its callback: absent = Vault's own default (8250); 0 = any free port (tests). */
  vaultOidcPort?: number;
  /** How the proxy answered lately; the handlers report the outcome of every call that goes to it. */
  proxyHealth?: ProxyHealthTracker;
}

export interface CoreContextOptions {
  now: () => number;
  platform?: string;
  useSessionOnlyStore?: () => Promise<void>;
  onChange?: () => void;
  notices?: () => string[];
  stateDir?: string;
  openExternal?: (url: string) => Promise<void>;
  vaultOidcPort?: number;
}

/** A context around a running core, for callers without the Electron app (the window's browser tests). */
export function apiContextForCore(core: KeyfobCore, opts: CoreContextOptions): ApiContext {
  return {
    core: () => core,
    startError: () => null,
    now: opts.now,
    platform: opts.platform ?? process.platform,
    notices: opts.notices ?? (() => []),
    lastReconcile: () => null,
    fallbackConnection: () => ({ url: null, admin_key_stored: false, keychain_backend: core.secretStore.backend, session_only: core.secretStore.sessionOnly }),
    useSessionOnlyStore: opts.useSessionOnlyStore ?? (async () => {}),
    changed: opts.onChange ?? (() => {}),
    settingsApplied: async () => {},
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(opts.openExternal ? { openExternal: opts.openExternal } : {}),
    ...(opts.vaultOidcPort === undefined ? {} : { vaultOidcPort: opts.vaultOidcPort }),
  };
}
