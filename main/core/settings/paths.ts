// Where Keyfob keeps its state, and which keychain service a state directory uses. The default directory is the
// Electron app's userData directory for the product name "Keyfob", so the CLI and the app share one state.
import os from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'Keyfob';
/** The keychain service of the default state directory. */
export const DEFAULT_KEYCHAIN_SERVICE = 'Keyfob';

export const CONFIG_FILE = 'config.json';
export const LEDGER_FILE = 'leases.json';
export const AUDIT_FILE = 'audit.log';
export const LOCK_FILE = 'state.lock';
/** Guards config.json's read-modify-write: the CLI and the app may save roles or settings at the same moment. */
export const SETTINGS_LOCK_FILE = 'config.lock';

type Env = Record<string, string | undefined>;

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

function homeDir(env: Env): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

/**
 * Electron's `app.getPath('userData')` for the product name: `$XDG_CONFIG_HOME/Keyfob` or `~/.config/Keyfob`
 * (Linux), `~/Library/Application Support/Keyfob` (macOS), `%APPDATA%\Keyfob` (Windows).
 */
export function defaultStateDir(platform: NodeJS.Platform = process.platform, env: Env = process.env): string {
  const p = pathFor(platform);
  if (platform === 'win32') {
    const appData = env.APPDATA || p.join(env.USERPROFILE || os.homedir(), 'AppData', 'Roaming');
    return p.join(appData, PRODUCT_NAME);
  }
  if (platform === 'darwin') return p.join(homeDir(env), 'Library', 'Application Support', PRODUCT_NAME);
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  const xdg = env.XDG_CONFIG_HOME;
  const configHome = xdg && p.isAbsolute(xdg) ? xdg : p.join(homeDir(env), '.config');
  return p.join(configHome, PRODUCT_NAME);
}

export interface StateDirOptions {
  /** `--home` on the command line: wins over everything. */
  home?: string | undefined;
  env?: Env;
  platform?: NodeJS.Platform;
}

/** `--home`, else `KEYFOB_HOME`, else the default state directory; always absolute. */
export function resolveStateDir(opts: StateDirOptions = {}): string {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const p = pathFor(platform);
  const chosen = nonEmpty(opts.home) ?? nonEmpty(env.KEYFOB_HOME);
  return chosen === undefined ? defaultStateDir(platform, env) : p.resolve(chosen);
}

/**
 * `Keyfob` for the default state directory, `Keyfob:<absolute dir>` for any other, so that separate homes (and
 * parallel tests) never read or overwrite each other's keychain entries.
 */
export function keychainServiceFor(stateDir: string, platform: NodeJS.Platform = process.platform, env: Env = process.env): string {
  const p = pathFor(platform);
  const dir = p.resolve(stateDir);
  const defaultDir = p.resolve(defaultStateDir(platform, env));
  const same = platform === 'win32' || platform === 'darwin' ? dir.toLowerCase() === defaultDir.toLowerCase() : dir === defaultDir;
  return same ? DEFAULT_KEYCHAIN_SERVICE : `${DEFAULT_KEYCHAIN_SERVICE}:${dir}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}
