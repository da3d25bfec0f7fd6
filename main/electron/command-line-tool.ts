// "Install command-line tool": puts the packaged app's `keyfob` launcher (resources/keyfob) on the person's PATH,
// says where it went, and undoes it. Linux: a symlink in ~/.local/bin (an AppImage gets a small script instead,
// since its resources live in a mount that changes every run). macOS: a symlink in /usr/local/bin. Windows: the
// resources folder (holding keyfob.cmd) is added to the user PATH. Plain Node: tests run it against a temp home.
import { execFile } from 'node:child_process';
import { lstat, mkdir, readFile, readlink, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { KeyfobError } from '../core/errors.js';
import type { CommandLineToolStatus } from '../../preload/api.js';

/** The user's PATH as Windows keeps it (HKCU\Environment), read and written whole. */
export interface UserPath {
  get(): Promise<string>;
  set(value: string): Promise<void>;
}

export interface CommandLineToolEnv {
  platform: NodeJS.Platform;
  home: string;
  /** The packaged app's resources folder (process.resourcesPath); null when running from a checkout. */
  resourcesPath: string | null;
  /** $APPIMAGE: set when the app runs as an AppImage. */
  appImage?: string | null;
  /** $PATH of this process, to tell whether the folder is on it. */
  pathEnv?: string;
  /** Where the macOS link goes. Default /usr/local/bin. */
  macBinDir?: string;
  /** Windows only. Default: PowerShell's [Environment] Get/SetEnvironmentVariable for the user. */
  userPath?: UserPath;
}

/** Marks the script an AppImage install writes, so that uninstall removes only what Keyfob put there. */
const SCRIPT_MARK = '# keyfob launcher, installed by the Keyfob app (Settings → Install command-line tool)';

function launcherOf(env: CommandLineToolEnv): string | null {
  if (!env.resourcesPath) return null;
  return path.join(env.resourcesPath, env.platform === 'win32' ? 'keyfob.cmd' : 'keyfob');
}

function linkDir(env: CommandLineToolEnv): string {
  return env.platform === 'darwin' ? (env.macBinDir ?? '/usr/local/bin') : path.join(env.home, '.local', 'bin');
}

function onPath(dir: string, env: CommandLineToolEnv): boolean {
  const sep = env.platform === 'win32' ? ';' : ':';
  const norm = (p: string): string => (env.platform === 'win32' ? path.win32.normalize(p).toLowerCase().replace(/\\+$/, '') : path.posix.normalize(p).replace(/\/+$/, ''));
  return (env.pathEnv ?? '').split(sep).filter(Boolean).some((p) => norm(p) === norm(dir));
}

function appImageScript(appImage: string): string {
  const quoted = `'${appImage.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh\n${SCRIPT_MARK}\nexec ${quoted} --ozone-platform=headless --disable-gpu --cli -- "$@"\n`;
}

function notPackaged(): KeyfobError {
  return new KeyfobError('state-unavailable', 'Only the installed Keyfob app carries the command-line launcher; this one runs from a checkout.', {
    hint: 'From a checkout, run `npm install -g .` (or `npm install -g ./keyfob-<version>.tgz` after `npm pack`).',
  });
}

/** What is installed now, and where. */
export async function commandLineToolStatus(env: CommandLineToolEnv): Promise<CommandLineToolStatus> {
  const launcher = launcherOf(env);
  if (env.platform === 'win32') {
    if (!launcher || !env.resourcesPath) return { installed: false, location: null, message: notPackaged().message };
    const userPath = await (env.userPath ?? powershellUserPath()).get();
    const installed = onPath(env.resourcesPath, { ...env, pathEnv: userPath });
    return {
      installed,
      location: installed ? env.resourcesPath : null,
      message: installed ? `keyfob is on your user PATH (${env.resourcesPath}); open a new terminal to use it.` : 'The keyfob command is not on your PATH.',
    };
  }
  const link = path.join(linkDir(env), 'keyfob');
  const ours = await isOurs(link, env);
  if (!ours) {
    const taken = await exists(link);
    return { installed: false, location: null, message: taken ? `${link} exists but is not Keyfob's launcher; it is left alone.` : 'The keyfob command is not installed.' };
  }
  const dir = linkDir(env);
  const pathNote = onPath(dir, env) ? '' : ` ${dir} is not on your PATH: add it (e.g. in ~/.profile: export PATH="${dir}:$PATH").`;
  return { installed: true, location: link, message: `keyfob is installed at ${link}.${pathNote}` };
}

/** Puts `keyfob` on the PATH; says where. Refuses to replace a `keyfob` that is not Keyfob's. */
export async function installCommandLineTool(env: CommandLineToolEnv): Promise<CommandLineToolStatus> {
  const launcher = launcherOf(env);
  if (!launcher || !env.resourcesPath) throw notPackaged();
  if (env.platform === 'win32') {
    const port = env.userPath ?? powershellUserPath();
    const current = await port.get();
    if (!onPath(env.resourcesPath, { ...env, pathEnv: current })) {
      await port.set(current ? `${current.replace(/;+$/, '')};${env.resourcesPath}` : env.resourcesPath);
    }
    return commandLineToolStatus({ ...env, userPath: port });
  }
  const dir = linkDir(env);
  const link = path.join(dir, 'keyfob');
  if ((await exists(link)) && !(await isOurs(link, env))) {
    throw new KeyfobError('validation', `${link} already exists and is not Keyfob's launcher.`, { hint: `Remove or rename ${link}, then install again.` });
  }
  try {
    await mkdir(dir, { recursive: true });
    await rm(link, { force: true });
    if (env.platform === 'linux' && env.appImage) {
      await writeFile(link, appImageScript(env.appImage), { mode: 0o755 });
      await chmod(link, 0o755);
    } else {
      await symlink(launcher, link);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new KeyfobError('state-unavailable', `Keyfob may not write to ${dir}.`, {
        hint: `Run in a terminal: sudo ln -sf '${launcher}' '${link}'`,
      });
    }
    throw e;
  }
  return commandLineToolStatus(env);
}

/** Undoes installCommandLineTool; removes only what Keyfob put there. */
export async function uninstallCommandLineTool(env: CommandLineToolEnv): Promise<CommandLineToolStatus> {
  if (env.platform === 'win32') {
    if (!env.resourcesPath) throw notPackaged();
    const port = env.userPath ?? powershellUserPath();
    const sep = ';';
    const kept = (await port.get()).split(sep).filter((p) => p && !onPath(env.resourcesPath as string, { ...env, pathEnv: p }));
    await port.set(kept.join(sep));
    const status = await commandLineToolStatus({ ...env, userPath: port });
    return { ...status, message: `Removed ${env.resourcesPath} from your user PATH.` };
  }
  const link = path.join(linkDir(env), 'keyfob');
  if (!(await isOurs(link, env))) return commandLineToolStatus(env);
  try {
    await rm(link);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new KeyfobError('state-unavailable', `Keyfob may not remove ${link}.`, { hint: `Run in a terminal: sudo rm '${link}'` });
    }
    throw e;
  }
  return { installed: false, location: null, message: `Removed ${link}.` };
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Our symlink (to this app's launcher, or any Keyfob launcher that is gone), or our AppImage script. */
async function isOurs(link: string, env: CommandLineToolEnv): Promise<boolean> {
  let info;
  try {
    info = await lstat(link);
  } catch {
    return false;
  }
  if (info.isSymbolicLink()) {
    const target = path.resolve(path.dirname(link), await readlink(link));
    const launcher = launcherOf(env);
    // A link left by an older copy of the app, moved or removed since, still points at a `resources/keyfob`.
    return target === launcher || /[\\/](resources|Resources)[\\/]keyfob$/.test(target);
  }
  if (!info.isFile() || info.size > 4096) return false;
  return (await readFile(link, 'utf8')).includes(SCRIPT_MARK);
}

/** The Windows user PATH through PowerShell's [Environment], which also tells running programs it changed. */
export function powershellUserPath(): UserPath {
  const run = promisify(execFile);
  const ps = (script: string) => run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], { windowsHide: true });
  return {
    get: async () => (await ps("[Environment]::GetEnvironmentVariable('Path', 'User')")).stdout.replace(/\r?\n$/, ''),
    set: async (value) => {
      // Passed through an environment variable: a path with quotes cannot break out of the script.
      await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', "[Environment]::SetEnvironmentVariable('Path', $env:KEYFOB_NEW_PATH, 'User')"], {
        windowsHide: true,
        env: { ...process.env, KEYFOB_NEW_PATH: value },
      });
    },
  };
}

/** The IPC channel's one entry point. */
export function runCommandLineTool(action: 'status' | 'install' | 'uninstall', env: CommandLineToolEnv): Promise<CommandLineToolStatus> {
  if (action === 'install') return installCommandLineTool(env);
  if (action === 'uninstall') return uninstallCommandLineTool(env);
  return commandLineToolStatus(env);
}
