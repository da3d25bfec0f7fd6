// The app's side of the IPC handlers' context (main/ipc/context.ts): the core from the app state, and the app-level
// actions the window can ask for — session-only secrets, launch at login, the command-line tool, tool setup.
import { app } from 'electron';
import os from 'node:os';
import { KeyfobError, toKeyfobError } from '../core/errors.js';
import { SessionSecretStore } from '../core/keychain/index.js';
import type { ApiContext } from '../ipc/context.js';
import type { AppParts } from './app-parts.js';
import { runCommandLineTool } from './command-line-tool.js';
import { applyLaunchAtLogin, defaultAutostartDir, launchCommand } from './login-item.js';
import type { SwitchableSecretStore } from './secret-store-switch.js';
import { appKeyfobInvocation, runToolSetup } from './tool-setup.js';

export interface AppContextOptions {
  secrets: SwitchableSecretStore;
  /** Linux launch-at-login entries go here. Default: $XDG_CONFIG_HOME/autostart. */
  autostartDir?: string;
}

export function createAppApiContext(parts: AppParts, opts: AppContextOptions): ApiContext {
  const { state, views, platform, env, clock, stateDir, appRoot } = parts;
  const resourcesPath = (): string | null => (app.isPackaged ? process.resourcesPath : null);
  const ctx: ApiContext = {
    core: () => state.core(),
    startError: () => state.startError(),
    now: () => clock.now(),
    platform,
    notices: () => state.notices(),
    lastReconcile: () => state.status.core?.lastReconcile ?? null,
    fallbackConnection: () => ({ url: null, admin_key_stored: false, keychain_backend: opts.secrets.backend, session_only: opts.secrets.sessionOnly }),
    useSessionOnlyStore: async () => {
      if (!opts.secrets.sessionOnly) opts.secrets.switchTo(new SessionSecretStore());
      state.keychainProblem = null;
      state.addNotice('Secrets are kept in memory only: your LiteLLM key and issued keys are forgotten when Keyfob quits.');
      await state.startCore();
    },
    changed: () => {
      void state.refreshConnection().then(() => views.refreshAll());
    },
    settingsApplied: async (previous, next) => {
      if (previous.launch_at_login !== next.launch_at_login) await applyAppLoginItem(parts, next.launch_at_login, opts.autostartDir);
      views.refreshTray();
    },
    commandLineTool: (action) =>
      runCommandLineTool(action, { platform, home: os.homedir(), resourcesPath: resourcesPath(), appImage: env.APPIMAGE ?? null, pathEnv: env.PATH ?? '' }),
    stateDir,
    proxyHealth: parts.proxyHealth,
    toolSetup: async (role, tool) => {
      const running = ctx.core();
      if (!running) throw state.startError() ?? new KeyfobError('state-unavailable', 'Keyfob is still starting.');
      const keyfob = appKeyfobInvocation({ platform, resourcesPath: resourcesPath(), appImage: env.APPIMAGE ?? null, appRoot, pathEnv: env.PATH ?? '' });
      const done = await runToolSetup({ core: running, stateDir, role, tool, env, platform, home: env.HOME || os.homedir(), keyfob, nowMs: clock.now() });
      for (const warning of done.warnings) state.addNotice(warning);
      return { tool: done.tool, path: done.path, changed: done.changed, model: done.model, model_note: done.model_note };
    },
  };
  return ctx;
}

/** Registers (or removes) Keyfob to start at login; a demo never does. */
export async function applyAppLoginItem(parts: AppParts, enabled: boolean, autostartDir?: string): Promise<void> {
  if (parts.demo) return;
  try {
    await applyLaunchAtLogin(enabled, {
      platform: parts.platform,
      setLoginItemSettings: (s) => app.setLoginItemSettings(s),
      autostartDir: autostartDir ?? defaultAutostartDir(parts.env),
      command: launchCommand({ execPath: process.execPath, isPackaged: app.isPackaged, appPath: parts.appRoot, env: parts.env }),
    });
  } catch (e) {
    throw new KeyfobError('internal', `Settings saved, but launch at login could not be ${enabled ? 'set up' : 'removed'}: ${toKeyfobError(e).message}`);
  }
}
