// Stopping a lease manager for good: its claims are released in one last ledger write, so whoever comes next (another
// process, the next start, a new core in this process) finds the interrupted work due at once. Calls still in flight
// are abandoned, not awaited — except an issue whose `/key/generate` is in flight, whose claim stays until it settles.
import { KeyfobError } from '../errors.js';
import { setClaimOwnerLive } from './lease-ledger.js';
import { iso } from './lease-terms.js';
import type { LeaseContext } from './lease-context.js';
import type { LedgerDraft } from './lease-ledger.js';

export async function shutDown(ctx: LeaseContext): Promise<void> {
  ctx.state.stopped = true;
  const now = ctx.now();
  const { ledger } = ctx.deps;
  try {
    // Only this manager writes its claims, so its own last view of the ledger knows them all.
    const mine = [...ledger.current().claims].filter(([, c]) => c.owner === ctx.owner).map(([id]) => id);
    if (mine.length > 0) await ledger.update((d) => releaseClaims(ctx, d, mine, now));
  } catch {
    // The state directory cannot be read or written: the claims run out on their own at their `until`.
  }
  ledger.close();
  dropOwnerWhenIdle(ctx);
}

function releaseClaims(ctx: LeaseContext, d: LedgerDraft, leaseIds: readonly string[], now: number): void {
  for (const id of leaseIds) {
    const lease = d.get(id);
    if (!lease || d.claim(id)?.owner !== ctx.owner || ctx.state.isGenerating(id)) continue;
    d.setClaim(id, null);
    if (lease.state !== 'revoking' && lease.state !== 'pending') continue;
    const interrupted = ctx.state.wasDeleteSent(id)
      ? new KeyfobError('timeout', 'Keyfob stopped before the proxy answered; the request will be sent again.').toJSON()
      : lease.last_error;
    // An interrupted issue swept early keeps the instant its generate surely ends: before it, "none found" proves nothing.
    const settleAt = ctx.state.earlySweeps.get(id);
    d.put({ ...lease, next_attempt_at: iso(Math.max(now, settleAt ?? now)), last_error: interrupted });
  }
}

/** After `stop`, the claims of this manager are void once no `/key/generate` of it is in flight any more. */
export function dropOwnerWhenIdle(ctx: LeaseContext): void {
  if (ctx.state.idleAfterStop) setClaimOwnerLive(ctx.owner, false);
}
