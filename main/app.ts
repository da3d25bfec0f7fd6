// The Electron entry point and composition root. It reads top to bottom as the app is put together: the app state
// (main/electron/app-state.ts) and the teardown store every registration adds itself to; the demo, the secrets and
// the core on Electron adapters (app-core.ts); the window and its IPC; the tray (register-tray.ts, tray-actions.ts);
// the events it listens to (register-app-events.ts). Everything is injectable (state directory, clock, secret
// store, platform), so the tests boot this very function in plain Node against a fake `electron` module, the
// simulator and the real keyring.
import { app, ipcMain, session } from 'electron';
import path from 'node:path';
import { systemClock } from './adapters/system-clock.js';
import { toKeyfobError } from './core/errors.js';
import type { ConnectionStatus } from './core/core-api.js';
import { resolveStateDir } from './core/settings/index.js';
import type { CliStreams } from './cli/command.js';
import { createAppApiContext } from './electron/app-api-context.js';
import { bootCore, buildCore, openSecrets } from './electron/app-core.js';
import type { AppParts } from './electron/app-parts.js';
import { AppState } from './electron/app-state.js';
import { AppViews } from './electron/app-views.js';
import { cliModeArgs, runCliMode } from './electron/cli-mode.js';
import { DEMO_FLAG, startDemoEnvironment } from './electron/demo.js';
import type { DemoEnvironment } from './electron/demo.js';
import { ElectronNotifier } from './electron/notifier.js';
import { createAppLifecycle, registerLeaseEvents, registerQuitSignals, registerSecondInstance } from './electron/register-app-events.js';
import { registerTray } from './electron/register-tray.js';
import { inertApp } from './electron/running-app.js';
import type { KeyfobAppOptions, RunningApp } from './electron/running-app.js';
import { installSecurityBaseline } from './electron/security.js';
import { TeardownStore } from './electron/teardown-store.js';
import { MainWindow } from './electron/window.js';
import { createApiHandlers } from './ipc/handlers.js';
import { ProxyHealthTracker } from './ipc/proxy-health.js';
import { registerIpcHandlers } from './ipc/register.js';
import { SnapshotPublisher } from './ipc/snapshot.js';

export type { KeyfobAppOptions, RunningApp } from './electron/running-app.js';

export async function startKeyfobApp(options: KeyfobAppOptions = {}): Promise<RunningApp> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  app.enableSandbox(); // renderers are sandboxed whatever a window's options say; must precede `ready`
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return inertApp(options.stateDir ?? resolveStateDir({ env, platform }));
  }
  await app.whenReady();
  if (platform === 'darwin') app.dock?.hide(); // a menu-bar app (packaged builds say LSUIElement)
  const teardowns = new TeardownStore();
  teardowns.add(installSecurityBaseline(app, session.defaultSession));

  const state = new AppState();
  const appRoot = options.appRoot ?? app.getAppPath();
  const demo = (options.argv ?? process.argv).includes(DEMO_FLAG) ? await startDemo(appRoot, state, teardowns) : null;
  const parts = assembleParts(options, { platform, env, appRoot, demo, state, teardowns });
  return composeApp(parts, options);
}

/** The demo's simulator and throw-away state directory; a demo that cannot start becomes a notice. */
async function startDemo(appRoot: string, state: AppState, teardowns: TeardownStore): Promise<DemoEnvironment | null> {
  try {
    const demo = await startDemoEnvironment(appRoot);
    teardowns.add(() => demo.close().catch(() => undefined));
    return demo;
  } catch (e) {
    state.addNotice(`The demo could not start: ${toKeyfobError(e).message}`);
    return null;
  }
}

type PartsSoFar = Pick<AppParts, 'platform' | 'env' | 'appRoot' | 'demo' | 'state' | 'teardowns'>;

/** The shared parts: the window, the lifecycle and the proxy's health exist (idle) before anything refers to them. */
function assembleParts(options: KeyfobAppOptions, soFar: PartsSoFar): AppParts {
  const { state, teardowns, appRoot } = soFar;
  const clock = options.clock ?? systemClock;
  const stateDir = soFar.demo?.stateDir ?? options.stateDir ?? resolveStateDir({ env: soFar.env, platform: soFar.platform });
  const views = new AppViews();
  const notifier = new ElectronNotifier();
  const lifecycle = createAppLifecycle({ platform: soFar.platform, clock, state, notifier, teardowns, ...(options.revokeDeadlineMs === undefined ? {} : { deadlineMs: options.revokeDeadlineMs }) });
  const window = new MainWindow({
    rendererIndex: path.join(appRoot, 'renderer', 'dist', 'index.html'),
    preload: path.join(appRoot, 'dist', 'preload', 'preload.cjs'),
    devTools: !app.isPackaged,
    onSessionEnd: (phase) => lifecycle.onSessionEnd(phase),
    onShow: () => views.publishSnapshot(),
  });
  const proxyHealth = new ProxyHealthTracker(() => clock.now(), () => views.refreshAll());
  return { ...soFar, clock, stateDir, views, notifier, lifecycle, window, proxyHealth };
}

/** Registers the window's IPC, the core, the tray and the app's listeners, in order, then boots the core. */
async function composeApp(parts: AppParts, options: KeyfobAppOptions): Promise<RunningApp> {
  const { state, views, teardowns, window, lifecycle } = parts;
  const secrets = await openSecrets(parts, options.secretStore);
  const ctx = createAppApiContext(parts, { secrets, ...(options.autostartDir ? { autostartDir: options.autostartDir } : {}) });
  const handlers = createApiHandlers(ctx);
  const publisher = new SnapshotPublisher(ctx, (snapshot) => window.pushSnapshot(snapshot));
  views.attachWindow(publisher);
  teardowns.add(async () => {
    await publisher.settled();
    window.destroy();
  });
  const activity = buildCore(parts, secrets, options);
  teardowns.add(registerIpcHandlers(ipcMain, handlers, { isTrustedSender: (event) => window.isTrustedSender(event) }));
  const tray = registerTray(parts, ctx);
  registerSecondInstance(parts);
  if (options.handleSignals) registerQuitSignals(parts);
  lifecycle.install();
  if (parts.platform === 'win32') window.ensure(); // only a window hears Windows' session end

  // The tray first, so the person sees Keyfob at once; then reconcile (network) and everything that follows.
  await tray.start();
  const core = state.core();
  if (core) {
    registerLeaseEvents(parts, core);
    await bootCore(parts, core, activity, options);
  }
  views.refreshTray();
  // Something the person must fix: open the window where it can be fixed, with the message.
  if (state.startError() || state.keychainProblem || needsConnecting(state.connection)) window.show('connect');

  let quitting: Promise<void> | null = null;
  return {
    primary: true,
    stateDir: parts.stateDir,
    get core() {
      return state.core();
    },
    get startError() {
      return state.startError();
    },
    handlers,
    window,
    tray,
    lifecycle,
    demo: parts.demo,
    settled: async () => {
      while (state.trayWork.size > 0) await Promise.all(state.trayWork);
      await state.status.core?.leases.settled();
      await tray.settled();
      await publisher.settled();
    },
    quit: () => {
      quitting ??= (async () => {
        lifecycle.quit('quit');
        await lifecycle.quitSequenceDone;
      })();
      return quitting;
    },
    dispose: async () => {
      lifecycle.uninstall();
      state.stopping();
      await teardowns.dispose();
    },
  };
}

/** A first run (or a forgotten admin key): the window opens on the connect screen. */
function needsConnecting(status: ConnectionStatus | null): boolean {
  return status !== null && (!status.url || !status.admin_key_stored);
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
