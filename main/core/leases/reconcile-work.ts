// Carrying out reconcile's revocations (reconcile.ts decides what to do): claim and revoke many leases with bounded
// concurrency, their outcomes written RECONCILE_WRITE_BATCH at a time.
import { mapBounded } from './bounded-concurrency.js';
import { LedgerWriteBatch } from './ledger-write-batch.js';
import { attemptRevoke, claimForRevoke } from './revoke.js';
import type { LeaseContext } from './lease-context.js';
import type { RevokeOutcome } from './lease-terms.js';
import type { Lease } from '../types.js';

/**
 * Reconcile records this many outcomes per ledger write: 1,000 stale leases take 20 rewrites, not 1,000. A crash
 * loses at most this many outcomes, each retried at the next start and answered 404 (already gone).
 */
const RECONCILE_WRITE_BATCH = 50;

/** Work for reconcile.ts: claims and revokes leases, bounded. Returns the outcome per lease id. */
export async function revokeForReconcile(ctx: LeaseContext, leases: readonly Lease[], reason: string): Promise<Map<string, RevokeOutcome>> {
  const outcome = new Map<string, RevokeOutcome>();
  if (!leases.length) return outcome;
  const now = ctx.now();
  const claimed = await ctx.update((d) => {
    const out: Lease[] = [];
    for (const l of leases) {
      const next = claimForRevoke(ctx, d, l.lease_id, l.state === 'active' ? reason : l.ended_reason ?? reason, now, false);
      if (next) out.push(next);
      else outcome.set(l.lease_id, 'busy');
    }
    return out;
  });
  for (const l of claimed) ctx.state.beginClaimedWork(l.lease_id);
  // The outcomes are recorded RECONCILE_WRITE_BATCH at a time (see ledger-write-batch.ts). A runner moves on to
  // the next lease once its outcome is queued, so at most `concurrency` deletes are in flight, as before.
  const batch = new LedgerWriteBatch((change) => ctx.update(change), RECONCILE_WRITE_BATCH);
  const attempts: Array<Promise<RevokeOutcome>> = [];
  await mapBounded(claimed, async (l, i) => {
    const { write, queued } = batch.writer();
    const attempt = attemptRevoke(ctx, l, write);
    attempts[i] = attempt;
    await Promise.race([queued, attempt.then(() => undefined, () => undefined)]);
  }, { limit: ctx.concurrency });
  await batch.flush();
  const results = await Promise.allSettled(attempts);
  claimed.forEach((l, i) => {
    const r = results[i];
    outcome.set(l.lease_id, r?.status === 'fulfilled' ? r.value : 'failed');
  });
  return outcome;
}
