import type { Notification } from '../core/ports.js';
// The shape every CLI command has: its arguments, its help text (with an example), and what it runs.
import type { KeyfobCore } from '../core/core-api.js';
import type { ArgSpec, ParsedArgs } from './args.js';

export interface CliStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface OpenCoreOptions {
  /** Reconcile the ledger with the proxy and arm the scheduler first (commands that touch leases). */
  reconcile?: boolean;
  /** Check that the keychain answers before running (`connect`, before asking for the admin key). */
  probeKeychain?: boolean;
  /**
   * Default true. false: the core's notifications (a revocation failed, a key is gone) are not echoed on stderr,
   * for commands that report those outcomes themselves, once each. A function: only those it accepts (`exec`:
   * the notifications about its own lease, not about other processes' leases).
   */
  notifications?: boolean | ((n: Notification) => boolean);
  /** Default true. false: the core's notices (what reconcile tidied or could not) are not printed (`token`). */
  notices?: boolean;
}

export interface CliContext {
  readonly streams: CliStreams;
  /** The state directory in use (`--home`, `KEYFOB_HOME`, or the desktop app's data directory). */
  readonly stateDir: string;
  /** A line on stdout. */
  out(line: string): void;
  /** A line on stderr. */
  err(line: string): void;
  /** Opens the core, runs `fn`, and always stops the core's timers afterwards so the process can exit. */
  withCore<T>(opts: OpenCoreOptions, fn: (core: KeyfobCore) => Promise<T>): Promise<T>;
  /** Waits on the network with a spinner on a terminal. */
  progress<T>(label: string, work: () => Promise<T>): Promise<T>;
}

export interface Command {
  /** Words after `keyfob`, e.g. `role set`. */
  name: string;
  summary: string;
  usage: string;
  description?: string[];
  args: ArgSpec;
  examples: string[];
  /** `exec`: the words after `--` are a command line passed through untouched. */
  takesCommandLine?: boolean;
  /** Rewrites the raw arguments before parsing (optional flag values, which parseArgs cannot express). */
  preprocess?: (argv: string[]) => string[];
  run(ctx: CliContext, args: ParsedArgs, commandLine: string[] | null): Promise<number>;
}
