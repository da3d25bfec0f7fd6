// What a lease's state means for every view: whether it will be renewed, whether it is live, whether it needs the
// person. Pure functions over the contract's LeaseView, shared by the tray (main/electron/tray-model.ts) and the
// window (renderer/), so the two count and warn alike.
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

/** Live: issued or being issued, or being revoked without a failure so far. */
export function isLive(lease: LeaseView): boolean {
  return (lease.state === 'active' || lease.state === 'pending' || lease.state === 'revoking') && !needsAttention(lease);
}
