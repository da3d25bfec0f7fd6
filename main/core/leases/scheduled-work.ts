// The scheduler's side of the manager: the earliest instant any lease needs attention (for the one armed timer), and
// the work due at a tick — automatic renewal while the person works (skipped, and announced once, while they are idle
// or away), the expiring-soon warning, expiry (revocation) and revocation retries. The rules of when are in
// lease-scheduler.ts; this file carries them out.
import { mapBounded } from './bounded-concurrency.js';
import { isKeyfobError } from '../errors.js';
import { cappedRenewal, msOrNull, planLease, whyNotRenewed } from './lease-scheduler.js';
import { sendRenewal } from './renew.js';
import { revokeMany } from './revoke.js';
import { ENDED, ids, localTime } from './lease-terms.js';
import type { LeaseContext } from './lease-context.js';
import type { LeaseWork, NoRenewal } from './lease-scheduler.js';
import type { Lease } from '../types.js';

/** A failed automatic renewal is retried after this, doubling, but always while the lease is still alive. */
const RENEW_RETRY_BASE_MS = 30_000;

export function nextDeadline(ctx: LeaseContext, now: number): number | null {
  ctx.state.newPlanningPass();
  const snap = ctx.snapshot();
  let earliest: number | null = null;
  for (const lease of snap.leases.values()) {
    const plan = planLease(lease, snap.claims.get(lease.lease_id), now, ctx.state.memory, ctx.owner);
    const at = plan.due ? now : plan.next;
    if (at !== null && (earliest === null || at < earliest)) earliest = at;
  }
  return earliest;
}

export async function runDueWork(ctx: LeaseContext, now: number): Promise<void> {
  ctx.state.newPlanningPass();
  const snap = ctx.snapshot();
  const due: Array<{ lease: Lease; work: LeaseWork }> = [];
  for (const lease of snap.leases.values()) {
    const plan = planLease(lease, snap.claims.get(lease.lease_id), now, ctx.state.memory, ctx.owner);
    if (plan.due) due.push({ lease, work: plan.due });
  }
  ctx.state.forgetStale(snap);
  await mapBounded(due, ({ lease, work }) => doWork(ctx, lease, work), { limit: ctx.concurrency });
}

async function doWork(ctx: LeaseContext, lease: Lease, work: LeaseWork): Promise<void> {
  switch (work) {
    case 'renew':
      return autoRenew(ctx, lease);
    case 'warn':
      return warnExpiringSoon(ctx, lease);
    case 'expire':
      await revokeMany(ctx, [lease], ENDED.expired, { force: false });
      return;
    case 'revoke-owner-gone':
      await revokeMany(ctx, [lease], ENDED.ownerGone, { force: false });
      return;
    case 'revoke':
    case 'cleanup-pending':
      await revokeMany(ctx, [lease], lease.ended_reason ?? ENDED.byPerson, { force: false });
      return;
  }
}

async function autoRenew(ctx: LeaseContext, lease: Lease): Promise<void> {
  const expiresAt = lease.expires_at as string;
  const activity = ctx.deps.activity.current();
  const threshold = ctx.deps.settings().idle_threshold_seconds;
  if (activity.locked || activity.idleSeconds >= threshold) {
    if (ctx.state.skipRenewal(lease.lease_id, expiresAt)) {
      const reason = activity.locked ? 'locked' : 'idle';
      const view = ctx.view(lease);
      ctx.record({ action: 'renew', outcome: 'skipped', ...ids(lease), detail: `person ${reason}; the lease will expire at ${expiresAt}` });
      ctx.emit({ type: 'renewal-skipped', lease: view, reason });
      ctx.notify({
        title: 'Key not renewed',
        body: `${lease.key_alias} was not renewed because you were ${reason === 'locked' ? 'away (screen locked)' : 'idle'}; it expires at ${localTime(expiresAt)}.`,
        urgency: 'low',
      });
    }
    return;
  }
  const now = ctx.now();
  // Never shorter than the lease is now (a person may have renewed it for longer than the role's ttl).
  const left = Math.ceil(((msOrNull(expiresAt) ?? now) - now) / 1000);
  const { seconds, capped } = cappedRenewal(lease, now, Math.max(lease.ttl_seconds, left));
  try {
    await sendRenewal(ctx, lease, seconds, capped, 'auto');
  } catch (e) {
    if (isKeyfobError(e) && e.kind === 'not-found') return; // marked gone, person told
    // A network failure: try again later, while the lease is still alive.
    const failures = ctx.state.renewalFailures(lease.lease_id) + 1;
    const expires = msOrNull(expiresAt) ?? now;
    const delay = Math.min(RENEW_RETRY_BASE_MS * 2 ** (failures - 1), Math.max(0, (expires - now) / 2));
    ctx.state.retryRenewalAt(lease.lease_id, failures, delay >= 1000 ? now + delay : expires);
  }
}

async function warnExpiringSoon(ctx: LeaseContext, lease: Lease): Promise<void> {
  const why = whyNotRenewed(lease, ctx.state.memory);
  if (why === null) return; // renewed meanwhile
  ctx.state.warned(lease);
  const view = ctx.view(lease);
  ctx.emit({ type: 'expiring-soon', lease: view });
  ctx.notify({
    title: 'Key expiring soon',
    body: `${lease.key_alias} expires at ${localTime(lease.expires_at as string)}: ${NOT_RENEWED_BECAUSE[why]}.`,
    urgency: 'normal',
  });
}

const NOT_RENEWED_BECAUSE: Record<NoRenewal, string> = {
  'not-renewable': 'it cannot be renewed (its role has no TTL)',
  'max-ttl': 'it reaches its max TTL and cannot be renewed',
  idle: 'it was not renewed because you were away',
  'renewals-failing': 'renewing it keeps failing; Keyfob is still trying',
  'no-owner': 'the Keyfob process that issued it has ended, so nobody renews it',
};
