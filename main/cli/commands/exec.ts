// `keyfob exec ROLE -- CMD ARGS`: a lease that lives exactly as long as a command. Issue, run with the key in the
// environment, keep it renewed while the command runs, revoke when it ends — normally, by failing, or because a
// signal reached us. If keyfob itself is killed (SIGKILL), the next Keyfob process reconciles the ledger and the
// proxy's own expiry (the lease TTL) bounds the key anyway.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { KeyfobCore } from '../../core/core-api.js';
import { toKeyfobError } from '../../core/errors.js';
import type { IssuedLease, LeaseEvent } from '../../core/types.js';
import { stringValue } from '../args.js';
import type { CliContext, Command } from '../command.js';
import { usageError } from '../failure.js';
import { envVariables, leaseSummary, relativeTo, type EnvFlavor } from '../output.js';
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

/** The child's environment: ours, plus the proxy variables and the lease id. */
export function childEnvironment(base: NodeJS.ProcessEnv, flavor: EnvFlavor, proxyUrl: string, issued: IssuedLease): NodeJS.ProcessEnv {
  return { ...base, ...Object.fromEntries(envVariables(flavor, proxyUrl, issued.key)), KEYFOB_LEASE_ID: issued.lease.lease_id };
}

/**
 * Catches SIGINT/SIGTERM/SIGHUP for the whole run and passes them to the command. A Ctrl-C typed in a terminal
 * already reaches the command (it is in the terminal's foreground process group, like us), so when stdin is a
 * terminal SIGINT is not sent a second time: programs that treat a second Ctrl-C as "quit now" would misread it.
 */
class SignalRelay {
  first: NodeJS.Signals | null = null;
  private child: ChildProcess | null = null;
  private cleaningUp: (() => void) | null = null;

  constructor(
    private readonly terminalDeliversInterrupt: boolean,
    private readonly beforeStart: (signal: NodeJS.Signals) => void,
  ) {}

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    const firstOne = this.first === null;
    this.first ??= signal;
    if (this.cleaningUp) return this.cleaningUp();
    const child = this.child;
    if (!child) {
      if (firstOne) this.beforeStart(signal);
      return;
    }
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (signal === 'SIGINT' && this.terminalDeliversInterrupt) return;
    child.kill(signal);
  };

  install(): void {
    for (const s of RELAYED_SIGNALS) process.on(s, this.onSignal);
  }

  uninstall(): void {
    for (const s of RELAYED_SIGNALS) process.removeListener(s, this.onSignal);
  }

  relayTo(child: ChildProcess): void {
    this.child = child;
  }

  /** While revoking after the command ended, a further signal means "stop waiting". */
  onSignalWhileCleaningUp(handler: () => void): void {
    this.cleaningUp = handler;
  }
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
    'Issues a new lease of ROLE, runs COMMAND with OPENAI_API_KEY, OPENAI_BASE_URL (<proxy>/v1),',
    'ANTHROPIC_BASE_URL (the proxy root) and ANTHROPIC_AUTH_TOKEN set — or only one set with --env — plus',
    'KEYFOB_LEASE_ID. The lease is renewed while the command runs (up to its max TTL) and revoked when it exits.',
    'SIGINT, SIGTERM and SIGHUP are passed to the command (a terminal Ctrl-C reaches it directly); keyfob waits',
    'for it, revokes, and exits with its status (128+N when a signal ended it; 127 when it was not found).',
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
    const relay = new SignalRelay(Boolean(ctx.streams.stdin.isTTY), (signal) =>
      ctx.err(`keyfob: ${signal}: the command will not be started; finishing what is under way so nothing is left behind`),
    );
    relay.install();
    try {
      return await ctx.withCore({ reconcile: true }, (core) => runWithLease(ctx, core, role, flavor, commandLine, relay));
    } finally {
      relay.uninstall();
    }
  },
};

async function runWithLease(ctx: CliContext, core: KeyfobCore, role: string, flavor: EnvFlavor, commandLine: string[], relay: SignalRelay): Promise<number> {
  if (relay.first) return exitCodeForSignal(relay.first); // interrupted while reconciling: nothing issued yet
  const issued = await ctx.progress(`issuing a key for role ${role}`, () => core.leases.issue(role, { scope: 'process' }));
  const leaseId = issued.lease.lease_id;
  const unsubscribe = core.leases.on((event) => reportLeaseEvent(ctx, leaseId, event));
  let status: number;
  try {
    if (relay.first) {
      ctx.err(`keyfob: revoking lease ${leaseId}, issued while the interruption arrived`);
      status = exitCodeForSignal(relay.first);
    } else {
      ctx.err(`keyfob: exec with ${leaseSummary(issued.lease, Date.now())}`);
      const env = childEnvironment(ctx.streams.env, flavor, core.getSettings().litellm_url ?? '', issued);
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
  relay.onSignalWhileCleaningUp(() => {
    ctx.err(`keyfob: stopped waiting; lease ${leaseId} stays marked for revocation and is retried by the next Keyfob command`);
    process.exit(status);
  });
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
    ctx.err(`keyfob: the key of this command no longer works (lease ${event.type}${event.lease.ended_reason ? `: ${event.lease.ended_reason}` : ''})`);
  }
}
