// The composition root of one CLI run: the core over the shared state directory, the keychain entry of that
// directory, and the CLI's adapters (command clipboard, stderr notifier, "active while running"). Every command
// opens it, runs, and stops its timers, so the process exits as soon as the command is done.
import { systemClock } from '../adapters/system-clock.js';
import type { KeyfobCore, ReconcileReport } from '../core/core-api.js';
import type { Notice } from '../core/types.js';
import { KeyfobError, toKeyfobError } from '../core/errors.js';
import { keychainServiceFor } from '../core/settings/index.js';
import { activeWhileRunning } from './adapters/activity.js';
import { CommandClipboard } from './adapters/command-clipboard.js';
import { StderrNotifier } from './adapters/stderr-notifier.js';
import type { Notifier } from '../core/ports.js';
import type { CliContext, CliStreams, OpenCoreOptions } from './command.js';
import { terminalSafe } from './output.js';
import { withProgress } from './progress.js';
import { roleNotFound } from './role-names.js';

export function createCliContext(streams: CliStreams, stateDir: string): CliContext {
  const out = (line: string): void => void streams.stdout.write(`${line}\n`);
  // Messages may quote the proxy: never let its escape sequences reach the terminal.
  const err = (line: string): void => void streams.stderr.write(`${terminalSafe(line)}\n`);
  const progress = <T>(label: string, work: () => Promise<T>): Promise<T> => withProgress(streams.stderr, label, work);

  async function withCore<T>(opts: OpenCoreOptions, fn: (core: KeyfobCore) => Promise<T>): Promise<T> {
    // Loaded on first use: `--help` and usage errors never pay for the HTTP client, conf and the keychain binding.
    const [{ createKeyfobCore }, { openSettingsStore }, { KeytarSecretStore }] = await Promise.all([
      import('../core/keyfob-core.js'),
      import('../core/settings/index.js'),
      import('../core/keychain/index.js'),
    ]);
    const settingsStore = openSettingsStore({ stateDir });
    const secretStore = new KeytarSecretStore({ service: keychainServiceFor(stateDir) });
    const core = createKeyfobCore({
      stateDir,
      settingsStore,
      secretStore,
      clock: systemClock,
      clipboard: new CommandClipboard(),
      activity: activeWhileRunning,
      notifier: notifierFor(opts.notifications, streams.stderr),
      // One command, then the process ends: a Vault child token minted for a next issue would never be used.
      vaultPremint: false,
    });
    let keychainError: KeyfobError | null = null;
    const tellNotices = (): void => {
      const notices = core.takeNotices();
      if (opts.notices === false) return;
      for (const notice of notices) err(`keyfob: ${forThisRun(notice, keychainError)}`);
    };
    try {
      // A write-read-delete round trip: a missing or locked keychain is reported before anything else happens.
      if (opts.probeKeychain) await secretStore.probe();
      if (opts.reconcile) {
        // The core reads an unreadable keychain as "not connected"; knowing which it is makes its notices true.
        if (core.getSettings().litellm_url) keychainError = await secretStore.get('admin-key').then(() => null, (e: unknown) => toKeyfobError(e));
        try {
          reportReconcile(err, await progress('checking leases with the proxy', () => core.start()));
        } catch (e) {
          // Tidying is best effort: the command itself says what is wrong if it needs the proxy too.
          err(`keyfob: warning: could not check leases with the proxy: ${toKeyfobError(e).message}`);
        }
      }
      tellNotices();
      return await fn(core).catch((e: unknown) => {
        throw withRoleSuggestion(core, e);
      });
    } finally {
      await core.stop();
      tellNotices();
    }
  }

  return { streams, stateDir, out, err, withCore, progress };
}

function notifierFor(choice: OpenCoreOptions['notifications'], stderr: NodeJS.WritableStream): Notifier {
  if (choice === false) return { notify: () => undefined };
  const all = new StderrNotifier(stderr);
  if (choice === undefined || choice === true) return all;
  return { notify: (n) => (choice(n) ? all.notify(n) : undefined) };
}

/**
 * The core says only "There is no role "deev"."; every command (issue, role show, exec, token, env) says it the same
 * way: the nearest role and the roles there are, as a usage error (exit 2).
 */
function withRoleSuggestion(core: KeyfobCore, e: unknown): unknown {
  if (!(e instanceof KeyfobError) || e.kind !== 'role-not-found') return e;
  const typed = /^There is no role "(.*)"\.$/.exec(e.message)?.[1];
  return typed === undefined ? e : roleNotFound(core, typed);
}

/**
 * Reconcile is quiet when nothing happened. What it finished is one line; what is still waiting (a revocation in its
 * back-off, say one the person's own `lease revoke` could not finish seconds ago) is another, and is not called
 * "tidied": nothing was done to it yet.
 */
function reportReconcile(err: (line: string) => void, report: ReconcileReport): void {
  const done: string[] = [];
  if (report.expired) done.push(`${report.expired} expired`);
  if (report.revoked) done.push(`${report.revoked} revoked`);
  if (report.pending_cleaned) done.push(`${report.pending_cleaned} unfinished issue${report.pending_cleaned === 1 ? '' : 's'} cleaned up`);
  if (done.length) err(`keyfob: finished what earlier commands left: ${done.join(', ')}`);
  const waiting: string[] = [];
  if (report.still_revoking) waiting.push(`${report.still_revoking} still being revoked (retried automatically)`);
  if (report.irrevocable) waiting.push(`${report.irrevocable} irrevocable (delete by hand; see \`keyfob lease list\`)`);
  if (waiting.length) err(`keyfob: leases: ${waiting.join(', ')}`);
}

/**
 * A core notice in the CLI's words. Those that wait for a usable credential ("connect Keyfob to finish") say what
 * to do from here: `keyfob connect`, or, with a proxy URL set, that the keychain cannot be read.
 */
export function forThisRun(notice: Notice, keychainError: KeyfobError | null): string {
  switch (notice.kind) {
    case 'waiting-to-revoke':
    case 'recovery-waits': {
      const what = notice.kind === 'recovery-waits'
        ? 'The lease ledger has to be rebuilt from the proxy'
        : `${notice.count ?? 1} lease${notice.count === 1 ? ' waits' : 's wait'} to be revoked on the proxy`;
      return keychainError
        ? `${what}: your LiteLLM key cannot be read from the keychain (${keychainError.message.replace(/\.$/, '')}); this finishes once it can.`
        : `${what}: run \`keyfob connect --url URL\` to finish.`;
    }
    default:
      return notice.text;
  }
}
