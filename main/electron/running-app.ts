// What starting the app gives back (`RunningApp`), what it can be told (`KeyfobAppOptions`), and the inert app a
// second instance returns: it asks the running Keyfob to show itself and quits.
import { KeyfobError } from '../core/errors.js';
import type { KeyfobCoreInstance } from '../core/keyfob-core.js';
import type { Clock, SecretStore } from '../core/ports.js';
import { createApiHandlers } from '../ipc/handlers.js';
import type { ApiHandlers } from '../../preload/api.js';
import type { DemoEnvironment } from './demo.js';
import type { Lifecycle } from './lifecycle.js';
import type { KeyfobTray } from './tray.js';
import { MainWindow } from './window.js';

export interface KeyfobAppOptions {
  /** Default: `--home`-less resolution — KEYFOB_HOME, else the app's data directory (shared with the CLI). */
  stateDir?: string;
  clock?: Clock;
  /** Default: the OS keychain (`KeytarSecretStore` for the state directory's service). */
  secretStore?: SecretStore;
  platform?: NodeJS.Platform;
  /** Default: process.argv (`--demo` starts the demo). */
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  /** The directory holding package.json, dist/ and renderer/dist. Default: app.getAppPath(). */
  appRoot?: string;
  /** Linux launch-at-login entries go here. Default: $XDG_CONFIG_HOME/autostart. */
  autostartDir?: string;
  /** Bound on revocation at quit, logout and suspend. Default 5 s. */
  revokeDeadlineMs?: number;
  /** Activity poll period. Default 30 s. */
  activityPollMs?: number;
  /** Quit on SIGINT/SIGTERM (a terminal's Ctrl-C during `npm start`). Only the real entry point sets it. */
  handleSignals?: boolean;
}

export interface RunningApp {
  /** False when another Keyfob already runs: it was asked to show itself and this process quits. */
  readonly primary: boolean;
  readonly stateDir: string;
  /** The core, or null when it could not be built (then `startError` says why). */
  readonly core: KeyfobCoreInstance | null;
  readonly startError: KeyfobError | null;
  readonly handlers: ApiHandlers;
  readonly window: MainWindow;
  readonly tray: KeyfobTray | null;
  readonly lifecycle: Lifecycle | null;
  readonly demo: DemoEnvironment | null;
  /** Resolves when the tray and the window reflect every change so far. */
  settled(): Promise<void>;
  /** Quits the way the tray's Quit does; resolves when the quit sequence is over. */
  quit(): Promise<void>;
  /** Tests: stops everything without revoking (as if the process ended) and unregisters from Electron. */
  dispose(): Promise<void>;
}

export function inertApp(stateDir: string): RunningApp {
  const refused = new KeyfobError('state-unavailable', 'Another Keyfob is already running.');
  const none = async (): Promise<void> => {};
  return {
    primary: false,
    stateDir,
    core: null,
    startError: refused,
    handlers: createApiHandlers({
      core: () => null,
      startError: () => refused,
      now: () => Date.now(),
      platform: process.platform,
      notices: () => [],
      lastReconcile: () => null,
      fallbackConnection: () => ({ url: null, admin_key_stored: false, keychain_backend: 'none', session_only: false }),
      useSessionOnlyStore: none,
      changed: () => {},
      settingsApplied: none,
    }),
    window: new MainWindow({ rendererIndex: '/dev/null', preload: '/dev/null', devTools: false }),
    tray: null,
    lifecycle: null,
    demo: null,
    settled: none,
    quit: none,
    dispose: none,
  };
}
