// The CLI's Clipboard port, through the platform's clipboard commands: wl-copy/wl-paste (Wayland), xclip or xsel
// (X11), pbcopy/pbpaste (macOS), clip.exe + powershell (Windows, WSL). These tools cannot attach the
// "password manager" hint that the desktop app sets, so clipboard-history tools may keep what the CLI copies; the
// CLI clears it after the configured delay (see clipboard-clear-helper.ts).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KeyfobError } from '../../core/errors.js';
import type { Clipboard } from '../../core/ports.js';

type Invocation = [command: string, args: string[]];

export interface ClipboardTool {
  name: string;
  copy: Invocation;
  paste: Invocation;
  /** When absent, clearing copies an empty string. */
  clear?: Invocation;
}

export const NO_CLIPBOARD_HINT =
  'install wl-clipboard (Wayland) or xclip / xsel (X11) in a desktop session, or leave out --copy and use the key printed on stdout';

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** The first clipboard tool that can work in this session, or null. */
export function findClipboardTool(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ClipboardTool | null {
  if (platform === 'darwin') return { name: 'pbcopy', copy: ['pbcopy', []], paste: ['pbpaste', []] };
  if (platform === 'win32') {
    return { name: 'clip.exe', copy: ['clip.exe', []], paste: ['powershell.exe', ['-NoProfile', '-Command', 'Get-Clipboard -Raw']] };
  }
  if (env.WAYLAND_DISPLAY && onPath('wl-copy', env) && onPath('wl-paste', env)) {
    return { name: 'wl-copy', copy: ['wl-copy', ['--type', 'text/plain']], paste: ['wl-paste', ['--no-newline']], clear: ['wl-copy', ['--clear']] };
  }
  if (env.DISPLAY && onPath('xclip', env)) {
    return { name: 'xclip', copy: ['xclip', ['-selection', 'clipboard', '-in']], paste: ['xclip', ['-selection', 'clipboard', '-out']] };
  }
  if (env.DISPLAY && onPath('xsel', env)) {
    return { name: 'xsel', copy: ['xsel', ['--clipboard', '--input']], paste: ['xsel', ['--clipboard', '--output']], clear: ['xsel', ['--clipboard', '--clear']] };
  }
  // WSL: the Windows clipboard, reached through the Windows executables on PATH.
  if (onPath('clip.exe', env)) {
    return { name: 'clip.exe', copy: ['clip.exe', []], paste: ['powershell.exe', ['-NoProfile', '-Command', 'Get-Clipboard -Raw']] };
  }
  return null;
}

/** Runs a clipboard command; waits for `exit`, not `close`: xclip and wl-copy leave a child serving the selection. */
function run(tool: ClipboardTool, [command, args]: Invocation, input: string | null, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input === null ? 'ignore' : 'pipe', input === null ? 'pipe' : 'ignore', 'ignore'] });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => {
      child.kill();
      reject(new KeyfobError('internal', `the clipboard command ${tool.name} did not answer`, { hint: NO_CLIPBOARD_HINT }));
    }, timeoutMs);
    timer.unref();
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new KeyfobError('internal', `could not run the clipboard command ${command}: ${e.message}`, { hint: NO_CLIPBOARD_HINT }));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new KeyfobError('internal', `the clipboard command ${tool.name} failed (exit ${code ?? 'signal'})`, { hint: NO_CLIPBOARD_HINT }));
    });
    if (input !== null) child.stdin?.end(input);
  });
}

export class CommandClipboard implements Clipboard {
  constructor(private readonly tool: ClipboardTool | null = findClipboardTool()) {}

  get toolName(): string | null {
    return this.tool?.name ?? null;
  }

  private need(): ClipboardTool {
    if (!this.tool) throw new KeyfobError('internal', 'no clipboard is available in this session', { hint: NO_CLIPBOARD_HINT });
    return this.tool;
  }

  async writeSecret(text: string): Promise<void> {
    const tool = this.need();
    await run(tool, tool.copy, text);
  }

  async readText(): Promise<string> {
    const tool = this.need();
    return run(tool, tool.paste, null);
  }

  async clear(): Promise<void> {
    const tool = this.need();
    await (tool.clear ? run(tool, tool.clear, '') : run(tool, tool.copy, ''));
  }
}
