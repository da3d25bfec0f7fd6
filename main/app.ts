// The Electron entry point and composition root: it builds the core from Electron adapters (clipboard, activity,
// notifier, electron-store settings, the OS keychain), then the tray, the window, the IPC handlers and the lifecycle
// around it. Everything is injectable (state directory, clock, secret store, platform) so the tests boot this very
// function in plain Node against a fake `electron` module, the simulator and the real keyring.
import { app, ipcMain, session } from 'electron';
import ElectronStore from 'electron-store';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from './adapters/system-clock.js';
import { KeyfobError, toKeyfobError } from './core/errors.js';
import { createKeyfobCore } from './core/keyfob-core.js';
import type { KeyfobCoreInstance } from './core/keyfob-core.js';
import { keychainServiceFor, openSettingsStore, resolveStateDir } from './core/settings/index.js';
import { formatEnvironment, obtainToken, toolBaseUrlsOf, toolEnvironment } from './core/tools/index.js';
import { KeytarSecretStore, SessionSecretStore } from './core/keychain/index.js';
import type { ConnectionStatus, KeyfobCore, RevokeSummary } from './core/core-api.js';
import type { Clock, SecretStore } from './core/ports.js';
import type { LeaseEvent, RevokeTrigger, Settings } from './core/types.js';
import type { CliStreams } from './cli/command.js';
import { PowerActivity } from './electron/activity.js';
import { cliModeArgs, runCliMode } from './electron/cli-mode.js';
import { runCommandLineTool } from './electron/command-line-tool.js';
import { ElectronClipboard } from './electron/clipboard.js';
import { DEMO_FLAG, seedDemo, startDemoEnvironment } from './electron/demo.js';
import type { DemoEnvironment } from './electron/demo.js';
import { Lifecycle, REVOKE_DEADLINE_MS } from './electron/lifecycle.js';
import { applyLaunchAtLogin, defaultAutostartDir, launchCommand } from './electron/login-item.js';
import { ElectronNotifier } from './electron/notifier.js';
import { SwitchableSecretStore } from './electron/secret-store-switch.js';
import { installSecurityBaseline } from './electron/security.js';
import { describeTimeLeft, msUntil } from './electron/time-left.js';
import { appKeyfobInvocation, runToolSetup } from './electron/tool-setup.js';
import { KeyfobTray } from './electron/tray.js';
import type { TrayActions, TrayView } from './electron/tray-model.js';
import { MainWindow } from './electron/window.js';
import type { ApiContext } from './ipc/context.js';
import { createApiHandlers } from './ipc/handlers.js';
import { ProxyHealthTracker } from './ipc/proxy-health.js';
import { registerIpcHandlers } from './ipc/register.js';
import { SnapshotPublisher } from './ipc/snapshot.js';
import type { ApiHandlers, Screen } from '../preload/api.js';

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

/** How many notices the window keeps (newest last). */
const MAX_NOTICES = 20;

export async function startKeyfobApp(options: KeyfobAppOptions = {}): Promise<RunningApp> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const argv = options.argv ?? process.argv;
  const clock = options.clock ?? systemClock;
  const demoRequested = argv.includes(DEMO_FLAG);

  // Renderers are sandboxed whatever a window's options say; must precede `ready`.
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return inertApp(options.stateDir ?? resolveStateDir({ env, platform }));
  }

  await app.whenReady();
  if (platform === 'darwin') app.dock?.hide(); // a menu-bar app (packaged builds say LSUIElement)
  const removeSecurity = installSecurityBaseline(app, session.defaultSession);

  const appRoot = options.appRoot ?? app.getAppPath();
  const notices: string[] = [];
  const addNotice = (message: string): void => {
    if (notices.includes(message)) return;
    notices.push(message);
    if (notices.length > MAX_NOTICES) notices.shift();
  };

  // ── state directory, settings, secrets ──────────────────────────────────────────────────────────────────────
  let demo: DemoEnvironment | null = null;
  if (demoRequested) {
    try {
      demo = await startDemoEnvironment(appRoot);
    } catch (e) {
      addNotice(`The demo could not start: ${toKeyfobError(e).message}`);
    }
  }
  const stateDir = demo?.stateDir ?? options.stateDir ?? resolveStateDir({ env, platform });
  const secrets = new SwitchableSecretStore(
    demo ? new SessionSecretStore() : (options.secretStore ?? new KeytarSecretStore({ service: keychainServiceFor(stateDir, platform, env), platform })),
  );
  /** A problem the person must fix before Keyfob works; shown by the tray and (as a notice) the window. */
  let keychainProblem: string | null = null;
  try {
    await probe(secrets.delegate);
  } catch (e) {
    const err = toKeyfobError(e);
    keychainProblem = `The keychain cannot be used: ${err.message}`;
    addNotice(`${keychainProblem}${err.hint ? ` ${err.hint}` : ''}`);
  }

  // ── the core, on Electron adapters ──────────────────────────────────────────────────────────────────────────
  let core: KeyfobCoreInstance | null = null;
  let startError: KeyfobError | null = null;
  let coreStarted = false;
  const settingsOrNull = (): Settings | null => {
    try {
      return core?.getSettings() ?? null;
    } catch {
      return null;
    }
  };
  const activity = new PowerActivity({
    clock,
    idleThresholdSeconds: () => settingsOrNull()?.idle_threshold_seconds ?? 600,
    onLockChange: (locked) => lifecycle?.onLockChange(locked),
    ...(options.activityPollMs === undefined ? {} : { pollMs: options.activityPollMs }),
  });
  const notifier = new ElectronNotifier();
  const clipboard = new ElectronClipboard(platform);
  try {
    const settingsStore = openSettingsStore({ stateDir, storeClass: ElectronStore, clock });
    core = createKeyfobCore({ stateDir, settingsStore, secretStore: secrets, clock, clipboard, activity, notifier });
  } catch (e) {
    startError = toKeyfobError(e);
  }

  // ── window, IPC, tray, lifecycle ────────────────────────────────────────────────────────────────────────────
  let lifecycle: Lifecycle | null = null;
  let connection: ConnectionStatus | null = null;
  const refreshConnection = async (): Promise<void> => {
    if (!core) return;
    try {
      connection = await core.connectionStatus();
    } catch {
      connection = null;
    }
  };

  const window = new MainWindow({
    rendererIndex: path.join(appRoot, 'renderer', 'dist', 'index.html'),
    preload: path.join(appRoot, 'dist', 'preload', 'preload.cjs'),
    devTools: !app.isPackaged,
    onSessionEnd: (phase) => lifecycle?.onSessionEnd(phase),
    onShow: () => publisher.publish(),
  });

  const proxyHealth = new ProxyHealthTracker(() => clock.now(), () => {
    tray?.refresh();
    publisher.publish();
  });
  const ctx: ApiContext = {
    core: () => (startError ? null : core),
    startError: () => startError,
    now: () => clock.now(),
    platform,
    notices: () => {
      if (core) for (const n of core.takeNotices()) addNotice(n);
      return [...notices];
    },
    lastReconcile: () => core?.lastReconcile ?? null,
    fallbackConnection: () => ({ url: null, admin_key_stored: false, keychain_backend: secrets.backend, session_only: secrets.sessionOnly }),
    useSessionOnlyStore: async () => {
      if (!secrets.sessionOnly) secrets.switchTo(new SessionSecretStore());
      keychainProblem = null;
      addNotice('Secrets are kept in memory only: the admin key and issued keys are forgotten when Keyfob quits.');
      await startCore();
    },
    changed: () => {
      void refreshConnection().then(() => {
        tray?.refresh();
        publisher.publish();
      });
    },
    settingsApplied: async (previous, next) => {
      if (previous.launch_at_login !== next.launch_at_login) await applyLoginItem(next.launch_at_login);
      tray?.refresh();
    },
    commandLineTool: (action) =>
      runCommandLineTool(action, {
        platform,
        home: os.homedir(),
        resourcesPath: app.isPackaged ? process.resourcesPath : null,
        appImage: env.APPIMAGE ?? null,
        pathEnv: env.PATH ?? '',
      }),
    stateDir,
    proxyHealth,
    toolSetup: async (role, tool) => {
      const running = ctx.core();
      if (!running) throw startError ?? new KeyfobError('state-unavailable', 'Keyfob is still starting.');
      const keyfob = appKeyfobInvocation({
        platform,
        resourcesPath: app.isPackaged ? process.resourcesPath : null,
        appImage: env.APPIMAGE ?? null,
        appRoot,
        pathEnv: env.PATH ?? '',
      });
      const done = await runToolSetup({ core: running, stateDir, role, tool, env, platform, home: env.HOME || os.homedir(), keyfob, nowMs: clock.now() });
      for (const warning of done.warnings) addNotice(warning);
      return { tool: done.tool, path: done.path, changed: done.changed, model: done.model, model_note: done.model_note };
    },
  };
  const handlers = createApiHandlers(ctx);
  const publisher = new SnapshotPublisher(ctx, (snapshot) => window.pushSnapshot(snapshot));
  const unregisterIpc = registerIpcHandlers(ipcMain, handlers, { isTrustedSender: (event) => window.isTrustedSender(event) });

  const busyRoles = new Set<string>();
  const trayWork = new Set<Promise<void>>();
  const trayView = async (): Promise<TrayView> => {
    const running = ctx.core();
    const settings = settingsOrNull();
    return {
      now: clock.now(),
      platform,
      roles: running ? running.listRoles() : [],
      leases: running ? running.leases.list() : [],
      settings,
      connected: !!connection?.url && connection.admin_key_stored,
      proxyUrl: connection?.url ?? null,
      problem: startError ? `Keyfob could not start: ${startError.message}` : keychainProblem,
      proxyProblem: proxyHealth.problem(),
      commandLineToolInstalled,
      busyRoles,
    };
  };
  // Whether `keyfob` is on the PATH, for the tray's first-run item; read once at start and after an install.
  let commandLineToolInstalled: boolean | null = null;
  const readCommandLineTool = async (action: 'status' | 'install'): Promise<string | null> => {
    const status = await ctx.commandLineTool?.(action);
    if (!status) return null;
    // Only the packaged app carries the launcher: from a checkout the item is not offered (npm install -g . is).
    commandLineToolInstalled = app.isPackaged ? status.installed : null;
    tray?.refresh();
    return status.message;
  };
  void readCommandLineTool('status').catch(() => undefined);
  const trayActions = createTrayActions({
    core: () => ctx.core(),
    stateDir,
    copySecret: async (text, leaseId) => {
      if (!core) throw new KeyfobError('state-unavailable', 'Keyfob is still starting.');
      await core.clipboardGuard.copy(text, leaseId);
    },
    proxyHealth,
    clock,
    settings: settingsOrNull,
    notify: (title, body) => notifier.notify({ title, body, urgency: 'normal' }),
    busyRoles,
    inFlight: trayWork,
    refresh: () => tray?.refresh(),
    open: (screen) => window.show(screen),
    quit: () => lifecycle?.quit('quit'),
    installCommandLineTool: () => {
      readCommandLineTool('install').then(
        (message) => notifier.notify({ title: 'Keyfob command-line tool', body: message ?? 'Not available here.', urgency: 'normal' }),
        (e: unknown) => notifier.notify({ title: 'Keyfob: could not install the command-line tool', body: toKeyfobError(e).message, urgency: 'normal' }),
      );
    },
  });
  const tray = new KeyfobTray({
    platform,
    clock,
    imagesDir: app.isPackaged ? path.join(process.resourcesPath, 'tray') : path.join(appRoot, 'build', 'tray'),
    view: trayView,
    actions: trayActions,
    ...(platform === 'win32' ? { onClick: () => window.show() } : {}),
  });

  let stopLeaseEvents: (() => void) | null = null;
  const onLeaseEvent = (event: LeaseEvent): void => {
    if (event.type === 'changed') void refreshConnection();
    // What the lease manager's own calls (renewals, retried revocations) learned about the proxy.
    if (event.type === 'issued' || event.type === 'renewed' || event.type === 'gone') proxyHealth.succeeded();
    if (event.type === 'revoke-failed') proxyHealth.failed(event.error);
    tray.refresh();
    publisher.publish();
  };

  const applyLoginItem = async (enabled: boolean): Promise<void> => {
    if (demo) return; // a demo never registers itself to start at login
    try {
      await applyLaunchAtLogin(enabled, {
        platform,
        setLoginItemSettings: (s) => app.setLoginItemSettings(s),
        autostartDir: options.autostartDir ?? defaultAutostartDir(env),
        command: launchCommand({ execPath: process.execPath, isPackaged: app.isPackaged, appPath: appRoot, env }),
      });
    } catch (e) {
      throw new KeyfobError('internal', `Settings saved, but launch at login could not be ${enabled ? 'set up' : 'removed'}: ${toKeyfobError(e).message}`);
    }
  };

  /** Reconciles and arms the scheduler; safe to call again after a failed start (e.g. once the keychain works). */
  async function startCore(): Promise<void> {
    if (!core || coreStarted || startError) return;
    try {
      await core.start();
      coreStarted = true;
    } catch (e) {
      const err = toKeyfobError(e);
      if (err.kind === 'state-unavailable') startError = err;
      else addNotice(`Keyfob could not check its leases at start: ${err.message}${err.hint ? ` ${err.hint}` : ''}`);
    }
  }

  lifecycle = new Lifecycle({
    platform,
    clock,
    core: () => ctx.core(),
    settings: settingsOrNull,
    deadlineMs: options.revokeDeadlineMs ?? REVOKE_DEADLINE_MS,
    onRevoked: (trigger, summary) => reportRevocation(trigger, summary, notifier, settingsOrNull()),
    teardown: async () => {
      await core?.clearClipboard().catch(() => false);
      await stopAll();
    },
  });

  let stopped = false;
  const signalHandler = (): void => lifecycle?.quit('quit');
  async function stopAll(): Promise<void> {
    if (stopped) return;
    stopped = true;
    stopLeaseEvents?.();
    activity.stop();
    tray.destroy();
    unregisterIpc();
    removeSecurity();
    app.removeListener('second-instance', onSecondInstance);
    if (options.handleSignals) {
      process.removeListener('SIGINT', signalHandler);
      process.removeListener('SIGTERM', signalHandler);
    }
    await core?.stop().catch(() => undefined);
    await publisher.settled();
    window.destroy();
    await demo?.close().catch(() => undefined);
  }

  const onSecondInstance = (): void => window.show();
  app.on('second-instance', onSecondInstance);
  if (options.handleSignals) {
    process.on('SIGINT', signalHandler);
    process.on('SIGTERM', signalHandler);
  }
  lifecycle.install();
  if (platform === 'win32') window.ensure(); // only a window hears Windows' session end

  // The tray first, so the person sees Keyfob at once; then reconcile (network) and everything that follows.
  await tray.start();
  if (core && !startError) {
    stopLeaseEvents = core.leases.on(onLeaseEvent);
    if (!keychainProblem) await startCore();
    if (demo && coreStarted) {
      try {
        await seedDemo(core, demo.simulator.url);
        addNotice(`Demo: connected to a LiteLLM simulator at ${demo.simulator.url} with two example roles. Nothing here is real.`);
      } catch (e) {
        addNotice(`The demo could not connect to its simulator: ${toKeyfobError(e).message}`);
      }
    }
    await refreshConnection();
    activity.start();
    const settings = settingsOrNull();
    if (settings?.launch_at_login) await applyLoginItem(true).catch((e: unknown) => addNotice(toKeyfobError(e).message));
  }
  tray.refresh();

  // Something the person must fix: open the window where it can be fixed, with the message.
  if (startError || keychainProblem) window.show('connect');
  else if (needsConnecting(connection)) window.show('connect');

  let quitPromise: Promise<void> | null = null;
  return {
    primary: true,
    stateDir,
    get core() {
      return startError ? null : core;
    },
    get startError() {
      return startError;
    },
    handlers,
    window,
    tray,
    lifecycle,
    demo,
    settled: async () => {
      while (trayWork.size > 0) await Promise.all(trayWork);
      await core?.leases.settled();
      await tray.settled();
      await publisher.settled();
    },
    quit: () => {
      quitPromise ??= (async () => {
        lifecycle?.quit('quit');
        await lifecycle?.quitSequenceDone;
      })();
      return quitPromise;
    },
    dispose: async () => {
      lifecycle?.uninstall();
      await stopAll();
    },
  };
}

/** A first run (or a forgotten admin key): the window opens on the connect screen. */
function needsConnecting(status: ConnectionStatus | null): boolean {
  return status !== null && (!status.url || !status.admin_key_stored);
}

async function probe(store: SecretStore): Promise<void> {
  const probeable = store as SecretStore & { probe?: () => Promise<void> };
  if (typeof probeable.probe === 'function') await probeable.probe();
}

function inertApp(stateDir: string): RunningApp {
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

interface TrayActionDeps {
  core: () => KeyfobCore | null;
  stateDir: string;
  /** Onto the clipboard as a secret, cleared later like a copied key (and when the lease ends). */
  copySecret: (text: string, leaseId: string) => Promise<void>;
  proxyHealth: ProxyHealthTracker;
  clock: Clock;
  settings: () => Settings | null;
  notify: (title: string, body: string) => void;
  busyRoles: Set<string>;
  /** Clicks whose work is still running (awaited by `settled`). */
  inFlight: Set<Promise<void>>;
  refresh: () => void;
  open: (screen?: Screen) => void;
  quit: () => void;
  installCommandLineTool: () => void;
}

/**
 * What the tray's items do. A click has no window to report to, so failures become notifications (always: the
 * person just asked for something); success is confirmed only when notifications are on.
 */
function createTrayActions(deps: TrayActionDeps): TrayActions {
  const confirm = (title: string, body: string): void => {
    if (deps.settings()?.notifications) deps.notify(title, body);
  };
  const attempt = (what: string, work: (core: KeyfobCore) => Promise<void>): void => {
    const core = deps.core();
    if (!core) {
      deps.open('connect');
      return;
    }
    const running = work(core)
      .catch((e: unknown) => {
        deps.proxyHealth.failed(e);
        const err = toKeyfobError(e);
        deps.notify(`Keyfob: could not ${what}`, err.hint ? `${err.message} ${err.hint}` : err.message);
      })
      .finally(() => {
        deps.inFlight.delete(running);
        deps.refresh();
      });
    deps.inFlight.add(running);
  };
  const clearNote = (): string => {
    const seconds = deps.settings()?.clipboard_clear_seconds ?? 0;
    return seconds > 0 ? ` The clipboard is cleared in ${seconds} s.` : '';
  };

  return {
    copyRoleKey: (role) => {
      if (deps.busyRoles.has(role)) return;
      deps.busyRoles.add(role);
      deps.refresh();
      attempt(`copy a key for ${role}`, async (core) => {
        try {
          const { lease, issued } = await core.leases.copyRoleKey(role);
          const left = describeTimeLeft(msUntil(lease.expires_at, deps.clock.now()));
          confirm(`Key for ${role} copied`, `${issued ? 'A new key was issued' : 'The live key'} (${lease.key_alias}, ${left} left).${clearNote()}`);
        } finally {
          deps.busyRoles.delete(role);
        }
      });
    },
    copyShellExports: (role) => {
      if (deps.busyRoles.has(role)) return;
      deps.busyRoles.add(role);
      deps.refresh();
      attempt(`copy shell exports for ${role}`, async (core) => {
        try {
          const urls = toolBaseUrlsOf(core.getSettings());
          if (!urls) throw new KeyfobError('not-connected', 'Keyfob is not connected to a LiteLLM proxy.');
          // The same lease the tools' helpers share: reused, renewed or issued under the token lock.
          const token = await obtainToken({ core, stateDir: deps.stateDir, role, now: () => deps.clock.now(), via: 'env' });
          if (token.action !== 'used') deps.proxyHealth.succeeded();
          await deps.copySecret(formatEnvironment(toolEnvironment(token.lease, token.key, urls), 'sh').join('\n'), token.lease.lease_id);
          const left = describeTimeLeft(msUntil(token.lease.expires_at, deps.clock.now()));
          confirm(`Shell exports for ${role} copied`, `Paste them into a terminal (${token.lease.key_alias}, ${left} left).${clearNote()}`);
        } finally {
          deps.busyRoles.delete(role);
        }
      });
    },
    copyLeaseKey: (leaseId) =>
      attempt('copy the key', async (core) => {
        const lease = await core.leases.copyLeaseKey(leaseId);
        confirm('Key copied', `${lease.key_alias}.${clearNote()}`);
      }),
    renew: (leaseId) =>
      attempt('renew the key', async (core) => {
        const lease = await core.leases.renew(leaseId);
        confirm('Key renewed', `${lease.key_alias}: ${describeTimeLeft(msUntil(lease.expires_at, deps.clock.now()))} left.`);
      }),
    revoke: (leaseId) =>
      attempt('revoke the key', async (core) => {
        const lease = await core.leases.revoke(leaseId);
        confirm('Key revoked', lease.key_alias);
      }),
    forgetLease: (leaseId) =>
      attempt('forget the key', async (core) => {
        const lease = await core.leases.forget(leaseId);
        confirm('Key forgotten', `${lease.key_alias}: its key had expired on the proxy; Keyfob stops trying to delete it.`);
      }),
    revokeAll: () =>
      attempt('revoke all keys', async (core) => {
        const summary = await core.leases.revokeAll();
        if (summary.left.length > 0) throw new KeyfobError('internal', `${summary.left.length} key(s) could not be revoked yet; Keyfob keeps trying.`);
        confirm('All keys revoked', `${summary.revoked} key${summary.revoked === 1 ? '' : 's'} revoked.`);
      }),
    open: (screen) => deps.open(screen),
    quit: () => deps.quit(),
    installCommandLineTool: () => deps.installCommandLineTool(),
  };
}

function reportRevocation(trigger: RevokeTrigger, summary: RevokeSummary, notifier: ElectronNotifier, settings: Settings | null): void {
  if (trigger === 'quit' || trigger === 'logout') return; // nobody is there to read it
  if (summary.left.length > 0) {
    notifier.notify({ title: 'Keyfob: some keys are not revoked yet', body: `${summary.left.length} key(s) are still live; Keyfob keeps trying.`, urgency: 'critical' });
  } else if (settings?.notifications && summary.revoked > 0) {
    notifier.notify({ title: 'Keyfob revoked your keys', body: `${summary.revoked} key${summary.revoked === 1 ? '' : 's'} revoked (${trigger === 'lock' ? 'screen locked' : 'suspend'}).`, urgency: 'low' });
  }
}

/**
 * Electron's main process loads this file as the app's `main` (package.json); anywhere else (the tests, in plain
 * Node) it is only imported. argv cannot tell: a packaged app's argv does not name the app.
 */
const isMainEntry = process.versions.electron !== undefined && process.type === 'browser';

/**
 * What the main process does first: `Keyfob --cli -- ARGS` (the `keyfob` launcher in the app's resources) runs one
 * CLI command and exits, before any window or tray exists; anything else starts the desktop app.
 */
export async function runMainProcess(argv: readonly string[] = process.argv, streams: CliStreams = processStreams()): Promise<'cli' | 'app'> {
  const cliArgs = cliModeArgs(argv);
  if (cliArgs) {
    await runCliMode(cliArgs, streams);
    return 'cli';
  }
  await startKeyfobApp({ handleSignals: true });
  return 'app';
}

function processStreams(): CliStreams {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

if (isMainEntry) {
  runMainProcess().catch((e: unknown) => {
    console.error(`keyfob: could not start: ${toKeyfobError(e).message}`);
    app.exit(1);
  });
}
