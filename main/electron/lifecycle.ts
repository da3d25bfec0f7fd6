// When Keyfob revokes on its own: at quit, at logout/shutdown, on screen lock and on suspend (each a setting), and
// what it does when the machine wakes up. Quitting is asynchronous work squeezed into Electron's synchronous
// `before-quit`: prevent it, run the bounded revocation and the teardown once, then quit for real. Whatever could
// not be revoked in time stays `revoking` in the ledger and is finished by the next start.
import { app, powerMonitor } from 'electron';
import type { KeyfobCore, RevokeSummary } from '../core/core-api.js';
import type { Clock } from '../core/ports.js';
import type { RevokeTrigger, Settings } from '../core/types.js';

/** How long revocation may hold up a quit, a logout or a suspend. */
export const REVOKE_DEADLINE_MS = 5_000;
/** Extra time for the core to wind down after its own deadline, and for the teardown. */
export const WIND_DOWN_MS = 2_000;

/** `ended_reason` in the ledger and the audit log, per trigger. */
export const REVOKE_REASONS: Record<RevokeTrigger, string> = {
  quit: 'revoked on quit',
  logout: 'revoked at logout or shutdown',
  lock: 'revoked on screen lock',
  suspend: 'revoked on suspend',
};

export type QuitReason = Extract<RevokeTrigger, 'quit' | 'logout'>;

export interface LifecycleOptions {
  platform: NodeJS.Platform | string;
  clock: Clock;
  core: () => KeyfobCore | null;
  settings: () => Settings | null;
  /** After revocation, before the real quit: clear the clipboard, stop the core, remove tray and window. */
  teardown: () => Promise<void>;
  deadlineMs?: number;
  /** Told about every revocation a trigger ran (notifications, logs). */
  onRevoked?: (trigger: RevokeTrigger, summary: RevokeSummary) => void;
}

type PreventableEvent = { preventDefault(): void };

export class Lifecycle {
  private phase: 'running' | 'quitting' | 'done' = 'running';
  private reason: QuitReason = 'quit';
  private sequence: Promise<void> | null = null;
  private logoutRevocation: Promise<void> | null = null;
  private readonly deadlineMs: number;

  private readonly onBeforeQuit = (event: PreventableEvent): void => {
    if (this.phase === 'done') return; // the real quit
    event.preventDefault(); // synchronously, or Electron quits under us
    if (this.phase === 'quitting') return; // a second Quit click while revoking
    this.phase = 'quitting';
    this.sequence = this.quitSequence().finally(() => {
      this.phase = 'done';
      app.quit();
    });
  };
  // A tray app: the window closing must not end the process (Electron's default when nobody listens).
  private readonly onAllWindowsClosed = (): void => {};
  private readonly onSuspend = (): void => {
    if (this.phase !== 'running') return;
    void this.revokeFor('suspend', true);
  };
  private readonly onResume = (): void => {
    // Deadlines are wall-clock instants: re-read the ledger and re-arm from the clock after the sleep.
    this.opts.core()?.leases.refresh();
  };
  /** Linux and macOS: the session is ending. Delaying it is allowed only if we then quit promptly. */
  private readonly onShutdown = (event?: PreventableEvent): void => {
    this.reason = 'logout';
    if (this.phase !== 'running' || !this.wants('logout')) return;
    event?.preventDefault();
    app.quit();
  };

  constructor(private readonly opts: LifecycleOptions) {
    this.deadlineMs = opts.deadlineMs ?? REVOKE_DEADLINE_MS;
  }

  install(): void {
    app.on('before-quit', this.onBeforeQuit);
    app.on('window-all-closed', this.onAllWindowsClosed);
    powerMonitor.on('suspend', this.onSuspend);
    powerMonitor.on('resume', this.onResume);
    powerMonitor.on('shutdown', this.onShutdown);
  }

  uninstall(): void {
    app.removeListener('before-quit', this.onBeforeQuit);
    app.removeListener('window-all-closed', this.onAllWindowsClosed);
    powerMonitor.removeListener('suspend', this.onSuspend);
    powerMonitor.removeListener('resume', this.onResume);
    powerMonitor.removeListener('shutdown', this.onShutdown);
  }

  get quitting(): boolean {
    return this.phase !== 'running';
  }

  /** The quit sequence in progress (or done), or null when no quit was asked for. */
  get quitSequenceDone(): Promise<void> | null {
    return this.sequence;
  }

  /** The tray's or the window's Quit. */
  quit(reason: QuitReason = 'quit'): void {
    if (this.phase === 'running') this.reason = reason;
    app.quit();
  }

  /** From the activity monitor: the screen locked (revoke, if asked to) or unlocked (the person is back). */
  onLockChange(locked: boolean): void {
    if (this.phase !== 'running') return;
    if (locked) void this.revokeFor('lock', false);
    else this.opts.core()?.leases.refresh();
  }

  /**
   * Windows: `before-quit` does not fire at logout or shutdown; the window's `query-session-end` does, then
   * `session-end`, after which the process may be killed at any moment. Revoke from the first, quit on the second.
   */
  onSessionEnd(phase: 'query' | 'end'): void {
    if (this.phase !== 'running') return;
    this.reason = 'logout';
    if (phase === 'query') this.logoutRevocation ??= this.revokeFor('logout', true);
    else app.quit();
  }

  private wants(trigger: RevokeTrigger): boolean {
    try {
      return this.opts.settings()?.revoke_on[trigger] === true;
    } catch {
      return false;
    }
  }

  private async revokeFor(trigger: RevokeTrigger, bounded: boolean): Promise<void> {
    const core = this.opts.core();
    if (!core || !this.wants(trigger)) return;
    try {
      if (core.leases.list().length === 0) return;
      const summary = await core.leases.revokeAll({ reason: REVOKE_REASONS[trigger], ...(bounded ? { deadlineMs: this.deadlineMs } : {}) });
      this.opts.onRevoked?.(trigger, summary);
    } catch (e) {
      console.error(`keyfob: revoking on ${trigger} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async quitSequence(): Promise<void> {
    const revocation = this.logoutRevocation ?? this.revokeFor(this.reason, true);
    if ((await this.within(revocation, this.deadlineMs + WIND_DOWN_MS)) === 'timeout') {
      console.error('keyfob: revocation did not finish in time; the remaining keys are retried on the next start');
    }
    const teardown = this.opts.teardown().catch((e: unknown) => {
      console.error(`keyfob: shutting down: ${e instanceof Error ? e.message : String(e)}`);
    });
    if ((await this.within(teardown, WIND_DOWN_MS)) === 'timeout') console.error('keyfob: shutting down took too long; quitting anyway');
  }

  /** Waits for `work`, at most `ms` on the injected clock. */
  private within(work: Promise<void>, ms: number): Promise<'done' | 'timeout'> {
    return new Promise((resolve) => {
      const timer = this.opts.clock.setTimeout(() => resolve('timeout'), ms);
      void work.finally(() => {
        timer.cancel();
        resolve('done');
      });
    });
  }
}
