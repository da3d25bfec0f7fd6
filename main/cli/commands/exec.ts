// `keyfob exec ROLE -- CMD ARGS`: a lease that lives exactly as long as a command. Issue, run with the key in the
// environment, keep it renewed while the command runs, revoke when it ends — normally, by failing, or because a
// signal reached us. If keyfob itself is killed (SIGKILL), the next Keyfob process reconciles the ledger and the
// proxy's own expiry (the lease TTL) bounds the key anyway.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { KeyfobCore } from '../../core/core-api.js';
import type { Notification } from '../../core/ports.js';
import { KeyfobError, toKeyfobError } from '../../core/errors.js';
import { toolEnvironment, type ToolBaseUrls, type ToolEnvName } from '../../core/tools/index.js';
import type { IssuedLease, LeaseEvent } from '../../core/types.js';
import { stringValue } from '../args.js';
import type { CliContext, Command } from '../command.js';
import { usageError } from '../failure.js';
import { leaseSummary, relativeTo, type EnvFlavor } from '../output.js';
import { clearProgressLine } from '../progress.js';
import { parseEnvFlavor } from './issue.js';

const RELAYED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The shell's convention for "ended by signal N". */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** Why a command could not be started, in the shell's numbers: 127 not found, 126 not executable. */
export function exitCodeForSpawnError(error: NodeJS.ErrnoException): number {
  return error.code === 'ENOENT' ? 127 : 126;
}

/** What `--env openai|anthropic` leaves out: the other family's names, and LiteLLM's own (set with both only). */
const LEFT_OUT: Record<EnvFlavor, readonly ToolEnvName[]> = {
  both: [],
  openai: ['ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'LITELLM_PROXY_API_KEY', 'LITELLM_PROXY_API_BASE'],
  anthropic: ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_API_BASE', 'LITELLM_PROXY_API_KEY', 'LITELLM_PROXY_API_BASE'],
};

/** The child's environment: ours, plus what `keyfob env` prints for the lease (toolEnvironment), or with `--env` its part. */
export function childEnvironment(base: NodeJS.ProcessEnv, flavor: EnvFlavor, urls: ToolBaseUrls, issued: IssuedLease): NodeJS.ProcessEnv {
  const vars: Partial<Record<ToolEnvName, string>> = toolEnvironment(issued.lease, issued.key, urls);
  for (const name of LEFT_OUT[flavor]) delete vars[name];
  return { ...base, ...vars };
}

/** A signal this soon after the "revoking…" notice belongs to the interruption that ended the command. */
const SAME_INTERRUPTION_MS = 500;

type Phase = 'starting' | 'running' | 'revoking';
type AnyListener = (...args: unknown[]) => void;

/**
 * Owns SIGINT/SIGTERM/SIGHUP for the whole run. The rule: forward the signal to the command, wait for it, revoke,
 * then exit with the command's status. Only a later signal, after the visible "revoking…, press Ctrl-C again"
 * notice, leaves the revocation for later.
 *
 * - A Ctrl-C typed in a terminal already reaches the command (it is in the terminal's foreground process group,
 *   like us), so when stdin is a terminal SIGINT is not sent a second time: programs that treat a second Ctrl-C as
 *   "quit now" would misread it.
 * - The same Ctrl-C often reaches us only after the command's exit was handled: a signal within
 *   SAME_INTERRUPTION_MS of the notice is taken as part of that interruption, not as "again".
 * - Other listeners of these signals are set aside while exec runs: when-exit (conf → atomically) runs its clean-up
 *   and then sends the signal to this process again, which would look like the person's second signal.
 */
class SignalRelay {
  first: NodeJS.Signals | null = null;
  private phase: Phase = 'starting';
  private child: ChildProcess | null = null;
  private noticeAt: number | null = null;
  private notice: (() => void) | null = null;
  private leaveForLater: (() => void) | null = null;
  private readonly setAside = new Map<NodeJS.Signals, AnyListener[]>();

  constructor(
    private readonly terminalDeliversInterrupt: boolean,
    private readonly beforeStart: (signal: NodeJS.Signals) => void,
  ) {}

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    const firstOne = this.first === null;
    this.first ??= signal;
    if (this.phase === 'starting') {
      if (firstOne) this.beforeStart(signal);
      return;
    }
    if (this.phase === 'running') {
      const child = this.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return; // its exit is being handled
      if (signal === 'SIGINT' && this.terminalDeliversInterrupt) return;
      child.kill(signal);
      return;
    }
    if (this.noticeAt === null) return this.showNotice();
    if (Date.now() - this.noticeAt >= SAME_INTERRUPTION_MS) this.leaveForLater?.();
  };

  install(): void {
    for (const s of RELAYED_SIGNALS) process.on(s, this.onSignal);
    this.claim();
  }

  /** Sets aside every other listener of the relayed signals (call again once more modules are loaded). */
  claim(): void {
    for (const s of RELAYED_SIGNALS) {
      for (const listener of process.rawListeners(s) as AnyListener[]) {
        if (listener === (this.onSignal as AnyListener)) continue;
        process.removeListener(s, listener);
        this.setAside.set(s, [...(this.setAside.get(s) ?? []), listener]);
      }
    }
  }

  uninstall(): void {
    for (const s of RELAYED_SIGNALS) process.removeListener(s, this.onSignal);
    for (const [s, listeners] of this.setAside) for (const l of listeners) process.on(s, l);
    this.setAside.clear();
  }

  relayTo(child: ChildProcess): void {
    this.claim();
    this.child = child;
    this.phase = 'running';
  }

  /**
   * The command has ended: from now on signals concern the revocation. When a signal ended the command, the notice
   * is shown at once; otherwise with the first signal. A signal after it calls `leaveForLater`.
   */
  revoking(notice: () => void, leaveForLater: () => void): void {
    this.phase = 'revoking';
    this.notice = notice;
    this.leaveForLater = leaveForLater;
    if (this.first !== null) this.showNotice();
  }

  private showNotice(): void {
    this.noticeAt = Date.now();
    this.notice?.();
  }
}

/**
 * Where COMMAND would be found, checked before any key is issued: `null` when it can be run, otherwise the shell's
 * status and message (127 not found, 126 not executable). A name with a slash is a path; otherwise PATH is searched.
 */
export function findCommandProblem(command: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): { status: number; message: string } | null {
  if (platform === 'win32') return null; // PATHEXT and friends: spawn reports it
  const candidates = command.includes('/')
    ? [command]
    : (env.PATH ?? '').split(':').map((dir) => join(dir === '' ? '.' : dir, command));
  let notExecutable = false;
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
    } catch {
      continue;
    }
    try {
      accessSync(candidate, fsConstants.X_OK);
      return null;
    } catch {
      notExecutable = true;
    }
  }
  return notExecutable ? { status: 126, message: `cannot run ${command}: permission denied` } : { status: 127, message: `${command}: command not found` };
}

type ChildOutcome = { code: number | null; signal: NodeJS.Signals | null } | { error: NodeJS.ErrnoException };

function runChild(commandLine: string[], env: NodeJS.ProcessEnv, relay: SignalRelay): Promise<ChildOutcome> {
  const [command, ...args] = commandLine as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    relay.relayTo(child);
    let settled = false;
    const settle = (outcome: ChildOutcome): void => {
      if (!settled) resolve(outcome);
      settled = true;
    };
    child.once('error', (error: NodeJS.ErrnoException) => settle({ error }));
    child.once('exit', (code, signal) => settle({ code, signal }));
  });
}

export const execCommand: Command = {
  name: 'exec',
  summary: 'run a command with a fresh lease in its environment; revoke it when the command ends',
  usage: 'keyfob exec ROLE [--env openai|anthropic] -- COMMAND [ARGS...]',
  description: [
    'Issues a new lease of ROLE and runs COMMAND with the variables `keyfob env` prints set (OPENAI_*, ANTHROPIC_*,',
    'LITELLM_PROXY_*, KEYFOB_LEASE_ID, KEYFOB_EXPIRES_AT); --env openai|anthropic sets only that family plus the',
    'KEYFOB_* two. The lease is renewed while the command runs (up to its max TTL) and revoked when it exits.',
    'COMMAND is looked up (PATH) before any key is issued: 127 when it is not found, 126 when it cannot run.',
    'SIGINT, SIGTERM and SIGHUP are passed to the command (a terminal Ctrl-C reaches it directly); keyfob waits',
    'for it, revokes, and exits with its status (128+N when a signal ended it). While it revokes, a further',
    'Ctrl-C (after "press Ctrl-C again") leaves the revocation to the next Keyfob command.',
    'If keyfob itself is killed, the next Keyfob command reconciles, and the key dies at its TTL regardless.',
  ],
  args: {
    options: {
      env: { type: 'string', value: 'openai|anthropic', help: 'set only the OpenAI or only the Anthropic variables (default: both)' },
    },
    positionals: [{ name: 'ROLE', required: true }],
  },
  takesCommandLine: true,
  examples: [
    'keyfob exec dev -- python summarize.py notes.txt',
    'keyfob exec dev --env anthropic -- claude',
  ],
  async run(ctx, args, commandLine) {
    const role = args.positionals[0] as string;
    const flavor = parseEnvFlavor(stringValue(args, 'env')) ?? 'both';
    if (commandLine === null || commandLine.length === 0 || !commandLine[0]) {
      throw usageError(commandLine === null ? 'put `--` between the role and the command' : 'no command after `--`', {
        fields: [{ field: 'COMMAND', message: 'is required after `--`, e.g. keyfob exec dev -- python app.py' }],
      });
    }
    // Before any key exists: a command that cannot run needs none.
    const problem = findCommandProblem(commandLine[0], ctx.streams.env);
    if (problem) {
      ctx.err(`keyfob: ${problem.message}`);
      return problem.status;
    }
    const relay = new SignalRelay(Boolean(ctx.streams.stdin.isTTY), (signal) =>
      ctx.err(`keyfob: ${signal}: the command will not be started; finishing what is under way so nothing is left behind`),
    );
    relay.install();
    try {
      // Only notifications about this command's own lease: others' leases expiring are not this command's news.
      const own: { alias: string | null } = { alias: null };
      const notifications = (n: Notification): boolean => own.alias !== null && `${n.title} ${n.body}`.includes(own.alias);
      return await ctx.withCore({ reconcile: true, notifications }, (core) => runWithLease(ctx, core, role, flavor, commandLine, relay, own));
    } finally {
      relay.uninstall();
    }
  },
};

async function runWithLease(ctx: CliContext, core: KeyfobCore, role: string, flavor: EnvFlavor, commandLine: string[], relay: SignalRelay, own: { alias: string | null }): Promise<number> {
  relay.claim(); // the core's modules are loaded now, when-exit among them
  if (relay.first) return exitCodeForSignal(relay.first); // interrupted while reconciling: nothing issued yet
  const issued = await ctx.progress(`issuing a key for role ${role}`, () => core.leases.issue(role, { scope: 'process' }));
  const leaseId = issued.lease.lease_id;
  own.alias = issued.lease.key_alias;
  const unsubscribe = core.leases.on((event) => reportLeaseEvent(ctx, leaseId, event));
  let status: number;
  try {
    if (relay.first) {
      ctx.err(`keyfob: revoking lease ${leaseId}, issued while the interruption arrived`);
      status = exitCodeForSignal(relay.first);
    } else {
      ctx.err(`keyfob: exec with ${leaseSummary(issued.lease, Date.now())}`);
      const urls = await core.toolBaseUrls();
      if (!urls) throw new KeyfobError('not-connected', 'Keyfob is not connected to a LiteLLM proxy.');
      const env = childEnvironment(ctx.streams.env, flavor, urls, issued);
      const outcome = await runChild(commandLine, env, relay);
      if ('error' in outcome) {
        ctx.err(outcome.error.code === 'ENOENT'
          ? `keyfob: ${commandLine[0]}: command not found`
          : `keyfob: cannot run ${commandLine[0]}: ${outcome.error.message}`);
        status = exitCodeForSpawnError(outcome.error);
      } else {
        status = outcome.signal ? exitCodeForSignal(outcome.signal) : (outcome.code ?? 1);
      }
    }
  } finally {
    unsubscribe();
  }
  await revokeAfterRun(ctx, core, leaseId, status, relay);
  return status;
}

async function revokeAfterRun(ctx: CliContext, core: KeyfobCore, leaseId: string, status: number, relay: SignalRelay): Promise<void> {
  relay.revoking(
    () => {
      clearProgressLine(ctx.streams.stderr);
      ctx.err(`keyfob: revoking lease ${leaseId}…, press Ctrl-C again to leave it for later`);
    },
    () => {
      clearProgressLine(ctx.streams.stderr); // the spinner's line, before exiting in the middle of the wait
      ctx.err(`keyfob: stopped waiting; lease ${leaseId} stays marked for revocation and is retried by the next Keyfob command`);
      process.exit(status);
    },
  );
  try {
    const lease = await ctx.progress('revoking the lease', () => core.leases.revoke(leaseId, 'command ended (keyfob exec)'));
    if (lease.state !== 'revoked' && lease.state !== 'expired') {
      ctx.err(`keyfob: lease ${leaseId} is ${lease.state}: ${lease.last_error?.message ?? 'the proxy did not confirm the deletion'}`);
      ctx.err(`hint: it is retried by the next Keyfob command; the key also expires on its own ${relativeTo(lease.expires_at, Date.now())}`);
    }
  } catch (e) {
    const error = toKeyfobError(e);
    ctx.err(`keyfob: could not revoke lease ${leaseId}: ${error.message}`);
    ctx.err('hint: it is retried by the next Keyfob command; the key also expires at its TTL');
  }
}

/**
 * The lease of this command ended while it runs (its max TTL, or the proxy no longer has the key). The core's
 * notifier already reports expiring-soon and gone keys; this says that it is the key this command uses.
 */
function reportLeaseEvent(ctx: CliContext, leaseId: string, event: LeaseEvent): void {
  if (event.type === 'changed' || event.lease.lease_id !== leaseId) return;
  if (event.type === 'expired' || event.type === 'revoked' || event.type === 'gone') {
    // No more than the proxy guarantees: a replica that cached the key may accept it for up to a minute.
    ctx.err(`keyfob: the key of this command has ended (lease ${event.type}${event.lease.ended_reason ? `: ${event.lease.ended_reason}` : ''}); the proxy refuses it from now on, or within a minute on a proxy with several replicas`);
  }
}
