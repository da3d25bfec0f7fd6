// The command a tool runs for its key: `keyfob token ROLE`, spelled with absolute paths so that it works from any
// directory and any PATH, and carrying an explicit Keyfob home so that it reaches the same state as the setup call.
import { quoteSh } from './shell-quote.js';

export interface HelperCommandInput {
  /** The argv that runs the Keyfob CLI: `[process.execPath, <abs>/bin/keyfob.js]` (absolute paths). */
  keyfob: readonly string[];
  role: string;
  /** An explicit `--home` / KEYFOB_HOME (absolute); undefined for the default state directory. */
  home?: string;
}

/** argv of the helper: `<node> <keyfob.js> [--home DIR] token ROLE`. */
export function helperArgv(input: HelperCommandInput): string[] {
  return [...input.keyfob, ...(input.home ? ['--home', input.home] : []), 'token', input.role];
}

/** An argv as one POSIX shell command line (Claude Code runs apiKeyHelper through a shell). */
export function shellCommandLine(argv: readonly string[]): string {
  return argv.map(quoteSh).join(' ');
}

export function helperCommandLine(input: HelperCommandInput): string {
  return shellCommandLine(helperArgv(input));
}
