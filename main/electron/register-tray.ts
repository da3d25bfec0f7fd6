// The tray: its view of the app state, its actions (main/electron/tray-actions.ts), whether the command-line tool is
// installed (for the first-run item), and its teardown.
import { app } from 'electron';
import path from 'node:path';
import { KeyfobError, toKeyfobError } from '../core/errors.js';
import type { ApiContext } from '../ipc/context.js';
import type { AppParts } from './app-parts.js';
import { createTrayActions } from './tray-actions.js';
import type { TrayView } from './tray-model.js';
import { KeyfobTray } from './tray.js';

/** Builds the tray (not started yet: `tray.start()` shows it) and attaches it to the views. */
export function registerTray(parts: AppParts, ctx: ApiContext): KeyfobTray {
  const { state, views, clock, platform, notifier, window } = parts;
  const view = async (): Promise<TrayView> => {
    const running = ctx.core();
    const startError = state.startError();
    return {
      now: clock.now(),
      platform,
      roles: running ? running.listRoles() : [],
      leases: running ? running.leases.list() : [],
      settings: state.settings(),
      connected: !!state.connection?.url && state.connection.admin_key_stored,
      proxyUrl: state.connection?.url ?? null,
      problem: startError ? `Keyfob could not start: ${startError.message}` : state.keychainProblem,
      proxyProblem: parts.proxyHealth.problem(),
      ssoUser: state.connection?.sso?.user ?? null,
      commandLineToolInstalled: state.commandLineToolInstalled,
      busyRoles: state.busyRoles,
    };
  };
  // Whether `keyfob` is on the PATH, for the tray's first-run item; read once at start and after an install.
  const readCommandLineTool = async (action: 'status' | 'install'): Promise<string | null> => {
    const status = await ctx.commandLineTool?.(action);
    if (!status) return null;
    // Only the packaged app carries the launcher: from a checkout the item is not offered (npm install -g . is).
    state.commandLineToolInstalled = app.isPackaged ? status.installed : null;
    views.refreshTray();
    return status.message;
  };
  const actions = createTrayActions({
    core: () => ctx.core(),
    stateDir: parts.stateDir,
    copySecret: async (text, leaseId) => {
      const core = state.status.core;
      if (!core) throw new KeyfobError('state-unavailable', 'Keyfob is still starting.');
      await core.clipboardGuard.copy(text, leaseId);
    },
    proxyHealth: parts.proxyHealth,
    clock,
    settings: () => state.settings(),
    notify: (title, body) => notifier.notify({ title, body, urgency: 'normal' }),
    busyRoles: state.busyRoles,
    inFlight: state.trayWork,
    refresh: () => views.refreshTray(),
    open: (screen) => window.show(screen),
    quit: () => parts.lifecycle.quit('quit'),
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
    imagesDir: app.isPackaged ? path.join(process.resourcesPath, 'tray') : path.join(parts.appRoot, 'build', 'tray'),
    view,
    actions,
    ...(platform === 'win32' ? { onClick: () => window.show() } : {}),
  });
  parts.teardowns.add(() => tray.destroy());
  views.attachTray(tray);
  void readCommandLineTool('status').catch(() => undefined);
  return tray;
}
