// The CLI's OpenBrowser: `$BROWSER` when set (as Python's webbrowser and the xdg conventions read it: a command, with
// `%s` replaced by the URL or the URL appended), else the platform's opener. The URL is always printed on stderr, so
// a person without a browser (ssh, a container) can still sign in.
import { spawn } from 'node:child_process';
import type { OpenBrowser } from './sign-in.js';

type Env = Record<string, string | undefined>;

/** The command and arguments that open `url` here. */
export function browserCommand(url: string, env: Env = process.env, platform: NodeJS.Platform = process.platform): { command: string; args: string[] } {
  const custom = env.BROWSER?.split(':').map((c) => c.trim()).find((c) => c !== '');
  if (custom) {
    const words = custom.split(/\s+/);
    const hasPlaceholder = words.some((w) => w.includes('%s'));
    const args = words.slice(1).map((w) => w.replace(/%s/g, url));
    return { command: words[0] ?? custom, args: hasPlaceholder ? args : [...args, url] };
  }
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url] };
  return { command: 'xdg-open', args: [url] };
}

export interface CliBrowserOptions {
  env?: Env;
  platform?: NodeJS.Platform;
  /** Where the URL is printed (default: stderr). */
  print?: (line: string) => void;
  /** `--no-browser`: print only. */
  printOnly?: boolean;
}

/** For `keyfob connect --sso`: prints the URL, then starts the browser without waiting for it to close. */
export function cliOpenBrowser(opts: CliBrowserOptions = {}): OpenBrowser {
  const print = opts.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  return (url: string) => {
    print(`Sign in to LiteLLM in your browser: ${url}`);
    if (opts.printOnly) return;
    const { command, args } = browserCommand(url, opts.env, opts.platform);
    try {
      const child = spawn(command, args, { stdio: 'ignore', detached: true, env: { ...(opts.env ?? process.env) } });
      child.on('error', () => print(`Could not start ${command}; open the address above yourself.`));
      child.unref();
    } catch {
      print(`Could not start ${command}; open the address above yourself.`);
    }
  };
}
