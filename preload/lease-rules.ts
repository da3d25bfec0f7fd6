// What a lease's state means for every view: whether it has ended, whether it counts as live, whether it will be
// renewed, whether it needs the person. Pure functions over the contract's LeaseView, shared by the tray
// (main/electron/tray-model.ts), the window (renderer/) and the CLI's tables (main/cli/output.ts), so they count
// and warn alike. Two meanings of "live", two names: a lease that `hasEnded` is revoked or expired (one rule, in
// main/core/types.ts, which the lease manager uses too); a lease that `countsAsLive` has not ended and needs no
// attention — what the views count as "N live keys".
import { hasEnded } from '../main/core/types.js';
import type { LeaseView } from './api.js';

/**
 * Whether Keyfob will renew the lease before it expires: main's word when it sends one, else derived — renewable,
 * below its max TTL, the person not idle, and no failed renewal. Only a lease that will not be renewed is
 * "expiring": a short renewable key passes the 5-minute mark on its way to the next renewal.
 */
export function willAutoRenew(lease: LeaseView): boolean {
  if (lease.will_auto_renew !== undefined) return lease.will_auto_renew;
  if (lease.state !== 'active' || !lease.renewable || lease.expires_at === null) return false;
  if (lease.idle_will_expire || lease.last_error !== null) return false;
  return lease.max_expires_at === null || Date.parse(lease.expires_at) < Date.parse(lease.max_expires_at) - 500;
}

/** A lease whose revocation failed (retrying, or given up): the person may need to act. */
export function needsAttention(lease: LeaseView): boolean {
  return lease.state === 'irrevocable' || (lease.state === 'revoking' && (lease.last_error !== null || lease.revoke_attempts > 0));
}

export { hasEnded };

/** What the views count as live: issued or being issued, or being revoked without a failure so far. */
export function countsAsLive(lease: LeaseView): boolean {
  return (lease.state === 'active' || lease.state === 'pending' || lease.state === 'revoking') && !needsAttention(lease);
}
