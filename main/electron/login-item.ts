// "Launch at login": the OS login item on macOS and Windows, an XDG autostart entry on Linux (Electron's
// setLoginItemSettings does nothing there). Keyfob always starts as a tray icon without a window, so a login start
// is hidden without any extra flag.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface LoginItemTarget {
  platform: NodeJS.Platform | string;
  /** Electron's app.setLoginItemSettings (macOS, Windows). */
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
  /** `$XDG_CONFIG_HOME/autostart` or `~/.config/autostart`. */
  autostartDir: string;
  /** The command that starts Keyfob: the executable (the AppImage itself when run as one) and its arguments. */
  command: string[];
}

export const AUTOSTART_FILE = 'keyfob.desktop';

export function defaultAutostartDir(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.config'), 'autostart');
}

/**
 * How to start this copy of Keyfob again: an AppImage is mounted at a new path on every run, so its own file
 * ($APPIMAGE) is what must be launched; an unpackaged `electron .` needs the app directory as its argument.
 */
export function launchCommand(opts: { execPath: string; isPackaged: boolean; appPath: string; env?: Record<string, string | undefined> }): string[] {
  const appImage = opts.env?.APPIMAGE;
  if (appImage) return [appImage];
  return opts.isPackaged ? [opts.execPath] : [opts.execPath, opts.appPath];
}

/** Quotes one argument of a Desktop Entry `Exec` key (freedesktop.org Desktop Entry Specification, "Exec key"). */
export function quoteExecArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (!/[\s"'\\<>~|&;$*?#()`]/.test(escaped)) return escaped;
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Keyfob',
    'Comment=Short-lived LiteLLM keys from the tray',
    `Exec=${command.map(quoteExecArg).join(' ')}`,
    'Icon=keyfob',
    'Terminal=false',
    'Categories=Utility;Security;',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Makes the OS start Keyfob at login (or stop doing so). Idempotent; called at start and on every change. */
export async function applyLaunchAtLogin(enabled: boolean, target: LoginItemTarget): Promise<void> {
  if (target.platform !== 'linux') {
    target.setLoginItemSettings({ openAtLogin: enabled });
    return;
  }
  const file = path.join(target.autostartDir, AUTOSTART_FILE);
  if (!enabled) {
    await fs.rm(file, { force: true });
    return;
  }
  await fs.mkdir(target.autostartDir, { recursive: true });
  const entry = autostartEntry(target.command);
  const existing = await fs.readFile(file, 'utf8').catch(() => null);
  if (existing !== entry) await fs.writeFile(file, entry, { mode: 0o644 });
}
