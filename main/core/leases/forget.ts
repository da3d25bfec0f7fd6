// Forgetting a lease whose revocation keeps failing ("expired — not deleted"): allowed only once its key has expired
// on the proxy, which enforces `expires` itself, so forgetting can never leave a live key behind. Keyfob then stops
// retrying the delete; the ledger keeps the lease as history (state `expired`), and the audit log says it was forgotten.
import { KeyfobError } from '../errors.js';
import type { Lease, LeaseView } from '../types.js';
import { isClaimVoid } from './lease-ledger.js';
import type { LeaseContext } from './lease-context.js';
import { ids } from './lease-terms.js';
import { QUARANTINED, quarantine } from './quarantine.js';

export const FORGOTTEN = 'forgotten by the person after its key expired on the proxy';

export async function forgetLease(ctx: LeaseContext, leaseId: string): Promise<LeaseView> {
  const lease = ctx.mustFind(leaseId);
  const now = ctx.now();
  const why = whyNotForgettable(lease, now);
  if (why) throw new KeyfobError('invalid', `Lease ${lease.key_alias} cannot be forgotten: ${why}.`, { hint: 'Retry the revocation, or delete the key on the proxy by hand (its alias is above) and then forget it.' });
  if (lease.quarantined) throw new KeyfobError('invalid', `Lease ${lease.key_alias} cannot be forgotten: ${QUARANTINED}.`);
  if (!(await ctx.sealHolds(lease))) {
    await quarantine(ctx, lease);
    throw new KeyfobError('invalid', `Lease ${lease.key_alias} cannot be forgotten: ${QUARANTINED}.`);
  }
  const ended = await ctx.update((d) => {
    const current = d.get(leaseId);
    if (!current || whyNotForgettable(current, now)) return null;
    const claim = d.claim(leaseId);
    if (claim && claim.owner !== ctx.owner && !isClaimVoid(claim, now)) return null; // another process is on it
    const next: Lease = { ...current, state: 'expired', ended_reason: FORGOTTEN, ended_at: new Date(now).toISOString(), next_attempt_at: null };
    d.put(next);
    d.setClaim(leaseId, null);
    return next;
  });
  if (!ended) throw new KeyfobError('invalid', `Lease ${lease.key_alias} changed meanwhile (another Keyfob process is on it): look again.`);
  ctx.state.renewalSettled(leaseId);
  const secretGone = await ctx.forgetSecret(leaseId);
  const final = secretGone ? ended : await ctx.update((d) => {
    const current = d.get(leaseId);
    if (current) d.put({ ...current, secret_left: true }); // the keychain clean-up is retried at the next start
    return current ?? ended;
  });
  ctx.record({ action: 'expire', outcome: 'ok', ...ids(final), detail: `${FORGOTTEN} (${lease.expires_at})` });
  const view = ctx.view(final);
  ctx.emit({ type: 'expired', lease: view });
  return view;
}

/** Null when the lease may be forgotten: its revocation failed or keeps failing, and its key is past its expiry. */
function whyNotForgettable(lease: Lease, now: number): string | null {
  if (lease.state !== 'revoking' && lease.state !== 'irrevocable') return `it is ${lease.state}, not a revocation that failed`;
  if (lease.expires_at === null) return 'its key has no expiry, so it stays live on the proxy until it is deleted';
  const expiresAt = Date.parse(lease.expires_at);
  if (expiresAt > now) return `its key is live on the proxy until ${lease.expires_at}`;
  return null;
}
