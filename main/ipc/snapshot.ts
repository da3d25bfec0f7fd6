// The window's whole view of the app in one object, pushed after every change. It carries the connection status
// (URL, whether an admin key is stored, the keychain backend) — never the admin key — and lease views, which never
// hold a key (the ledger does not have them: keys live in the secret store).
import { defaultSettings } from '../core/settings/index.js';
import { readToolAsks } from '../core/tools/index.js';
import { VAULT_ROLES_READ_ONLY } from '../core/vault/index.js';
import type { LeaseView as CoreLeaseView } from '../core/types.js';
import type { AppSnapshot, LeaseView } from '../../preload/api.js';
import type { ApiContext } from './context.js';

/** `keyfob env` prints for shells (and files); `keyfob token` does not say which tool ran it. */
const ASKED_BY = { env: 'keyfob env', token: null } as const;

/** Each lease with when a tool's key helper last asked for its key: one read of tool-asks/ per snapshot. */
function withHelperUse(leases: readonly CoreLeaseView[], stateDir: string | undefined): LeaseView[] {
  const asks = new Map(stateDir ? readToolAsks(stateDir).map((a) => [a.lease_id, a] as const) : []);
  return leases.map((lease) => {
    const ask = asks.get(lease.lease_id);
    return ask ? { ...lease, helper_last_used_at: ask.last_asked_at, helper_tool: ASKED_BY[ask.via] } : lease;
  });
}

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
  const settings = core.getSettings();
  return {
    ...base,
    connection,
    settings,
    // The keychain may be unreadable (the window then offers session-only storage): no URLs, not a broken snapshot.
    tool_base_urls: await core.toolBaseUrls().catch(() => null),
    roles: core.listRoles(),
    leases: withHelperUse(core.leases.list(), ctx.stateDir),
    notices: ctx.notices(),
    proxy_health: ctx.proxyHealth?.health() ?? null,
    features: {
      tool_setup: ctx.toolSetup !== undefined,
      // Vault mode: the roles are the platform team's, shown read-only.
      ...(core.vault.active() ? { roles_read_only: VAULT_ROLES_READ_ONLY } : {}),
    },
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
