// The app's state in one object: where the core is in its life (one status union instead of three variables), what
// the person must fix first, the connection as last read, and the notices the window shows. Every view reads it;
// only the composition root (main/app.ts) and the wiring in main/electron/ change it.
import { toKeyfobError } from '../core/errors.js';
import type { KeyfobError } from '../core/errors.js';
import type { KeyfobCoreInstance } from '../core/keyfob-core.js';
import type { ConnectionStatus } from '../core/core-api.js';
import type { Settings } from '../core/types.js';

/**
 * Where the core is in its life:
 * - `starting`: not built yet (`core` null), or built and not reconciled yet — or its start failed in a way a retry
 *   may fix (the keychain); a built core is usable.
 * - `running`: reconciled, the scheduler armed.
 * - `failed`: it could not be built, or its state directory is unusable; the views show `error` and call no core.
 * - `stopping`: the app is tearing down; `error` is kept so the app can still say why it had failed.
 */
export type CoreStatus =
  | { readonly status: 'starting'; readonly core: KeyfobCoreInstance | null }
  | { readonly status: 'running'; readonly core: KeyfobCoreInstance }
  | { readonly status: 'failed'; readonly error: KeyfobError; readonly core: KeyfobCoreInstance | null }
  | { readonly status: 'stopping'; readonly core: KeyfobCoreInstance | null; readonly error: KeyfobError | null };

/** How many notices the window keeps (newest last). */
const MAX_NOTICES = 20;

export class AppState {
  /** A problem the person must fix before Keyfob works (the keychain); shown by the tray and, as a notice, the window. */
  keychainProblem: string | null = null;
  /** The connection as last read from the core; null before the first read or when it could not be read. */
  connection: ConnectionStatus | null = null;
  /** Whether `keyfob` is on the PATH, for the tray's first-run item; null: unknown or not offered. */
  commandLineToolInstalled: boolean | null = null;
  /** Roles whose tray "Copy key" is in flight (their items are disabled meanwhile). */
  readonly busyRoles = new Set<string>();
  /** Tray clicks whose work is still running (awaited by `settled`). */
  readonly trayWork = new Set<Promise<void>>();
  private readonly noticeList: string[] = [];

  status: CoreStatus = { status: 'starting', core: null };

  /** The core the views may call: null when it failed to start. */
  core(): KeyfobCoreInstance | null {
    return this.startError() ? null : this.status.core;
  }

  /** Why the core is not usable; null when it is. */
  startError(): KeyfobError | null {
    return this.status.status === 'failed' || this.status.status === 'stopping' ? this.status.error : null;
  }

  /** The settings, or null when there is no core or they cannot be read. */
  settings(): Settings | null {
    try {
      return this.core()?.getSettings() ?? null;
    } catch {
      return null;
    }
  }

  addNotice(message: string): void {
    if (this.noticeList.includes(message)) return;
    this.noticeList.push(message);
    if (this.noticeList.length > MAX_NOTICES) this.noticeList.shift();
  }

  /** The notices for the window, the core's new ones taken in first. */
  notices(): string[] {
    for (const notice of this.status.core?.takeNotices() ?? []) this.addNotice(notice.text);
    return [...this.noticeList];
  }

  /** Reconciles and arms the scheduler; safe to call again after a start that failed (e.g. once the keychain works). */
  async startCore(): Promise<void> {
    if (this.status.status !== 'starting' || !this.status.core) return;
    const { core } = this.status;
    try {
      await core.start();
      if (this.status.status === 'starting') this.status = { status: 'running', core };
    } catch (e) {
      const err = toKeyfobError(e);
      if (err.kind === 'state-unavailable') this.status = { status: 'failed', error: err, core };
      else this.addNotice(`Keyfob could not check its leases at start: ${err.message}${err.hint ? ` ${err.hint}` : ''}`);
    }
  }

  async refreshConnection(): Promise<void> {
    const core = this.status.core;
    if (!core) return;
    try {
      this.connection = await core.connectionStatus();
    } catch {
      this.connection = null;
    }
  }

  /** The core was built (`core`) or could not be (`error`). */
  built(outcome: { core: KeyfobCoreInstance } | { error: KeyfobError }): void {
    this.status = 'core' in outcome ? { status: 'starting', core: outcome.core } : { status: 'failed', error: outcome.error, core: null };
  }

  /** From now on nothing starts; the core (if any) is still there to be stopped. */
  stopping(): void {
    if (this.status.status === 'stopping') return;
    this.status = { status: 'stopping', core: this.status.core, error: this.startError() };
  }
}
