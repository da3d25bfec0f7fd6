// The window's whole view of the app in one object, pushed after every change. It carries the connection status
// (URL, whether an admin key is stored, the keychain backend) — never the admin key — and lease views, which never
// hold a key (the ledger does not have them: keys live in the secret store).
import { defaultSettings } from '../core/settings/index.js';
import type { AppSnapshot } from '../../preload/api.js';
import type { ApiContext } from './context.js';

export async function buildSnapshot(ctx: ApiContext): Promise<AppSnapshot> {
  const core = ctx.core();
  const base = { now: ctx.now(), platform: ctx.platform, last_reconcile: ctx.lastReconcile() };
  if (!core) {
    const error = ctx.startError();
    return {
      ...base,
      connection: ctx.fallbackConnection(),
      settings: defaultSettings(),
      roles: [],
      leases: [],
      notices: [...(error ? [error.hint ? `${error.message} ${error.hint}` : error.message] : []), ...ctx.notices()],
    };
  }
  const connection = await core.connectionStatus();
  return {
    ...base,
    connection,
    settings: core.getSettings(),
    roles: core.listRoles(),
    leases: core.leases.list(),
    notices: ctx.notices(),
  };
}

/**
 * Pushes snapshots to `send`, collapsing bursts (a revoke-all emits one event per lease) into one snapshot built
 * after the burst. A failed build is reported, never thrown at the event's source.
 */
export class SnapshotPublisher {
  private pending: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ctx: ApiContext,
    private readonly send: (snapshot: AppSnapshot) => void,
  ) {}

  publish(): void {
    if (this.pending) {
      this.again = true;
      return;
    }
    this.pending = (async () => {
      try {
        do {
          this.again = false;
          await Promise.resolve(); // let the rest of the burst arrive
          this.send(await buildSnapshot(this.ctx));
        } while (this.again);
      } catch (e) {
        console.error(`keyfob: could not build the window's snapshot: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.pending = null;
      }
    })();
  }

  /** Resolves when no push is in flight (tests, quit). */
  async settled(): Promise<void> {
    while (this.pending) await this.pending;
  }
}
