// A revocation that failed: one that could not even be sent (the credential unreadable, not connected) waits without
// counting an attempt; any other is retried with a jittered back-off, and after MAX_REVOKE_ATTEMPTS the lease is
// `irrevocable` (the person is told to delete it by hand) rather than dropped.
import { withDetail } from '../errors.js';
import { MAX_REVOKE_ATTEMPTS, revokeBackoffMs } from './lease-scheduler.js';
import { ENDED, ids, iso } from './lease-terms.js';
import type { KeyfobError } from '../errors.js';
import type { LeaseContext } from './lease-context.js';
import type { LedgerWrite } from './ledger-write-batch.js';
import type { RevokeOutcome } from './lease-terms.js';
import type { Lease } from '../types.js';

/**
 * Failures before any request reached the proxy: the admin key could not be read (the keychain is locked or
 * unavailable) or Keyfob is not connected. Nothing was tried on the proxy, so they never count toward `irrevocable`.
 */
const NOT_SENT: ReadonlySet<string> = new Set(['keychain-locked', 'keychain-unavailable', 'keychain-denied', 'not-connected']);
/** Such a revocation is tried again this often (reading the admin key is cheap, and no request is sent). */
const NOT_SENT_RETRY_MS = 30_000;

/** The revocation could not even be sent: it waits, keeps its attempts, and the person is told once per cause. */
async function revokeNotSent(ctx: LeaseContext, lease: Lease, err: KeyfobError, write: LedgerWrite, notBefore: number): Promise<RevokeOutcome> {
  const id = lease.lease_id;
  const now = ctx.now();
  const { next, sameCause } = await write((d) => {
    const current = d.get(id) ?? lease;
    const updated: Lease = {
      ...current,
      next_attempt_at: iso(Math.max(now + NOT_SENT_RETRY_MS, notBefore)),
      last_error: err.toJSON(),
      ended_reason: current.ended_reason ?? (current.state === 'pending' ? ENDED.issueFailed : ENDED.byPerson),
    };
    d.put(updated);
    d.setClaim(id, null);
    return { next: updated, sameCause: current.last_error?.kind === err.kind };
  });
  const view = ctx.view(next);
  ctx.emit({ type: 'revoke-failed', lease: view, error: err.toJSON() });
  if (!sameCause) {
    ctx.record({ action: lease.ended_reason === ENDED.expired ? 'expire' : 'revoke', outcome: 'failed', ...ids(next), detail: `not sent: ${err.kind}: ${withDetail(err)}` });
    ctx.notify({ title: 'Revoking a key waits', body: `${next.key_alias}: ${err.message} Keyfob tries again every ${NOT_SENT_RETRY_MS / 1000} s.`, urgency: 'normal' });
  }
  return 'failed';
}

export async function revokeFailed(ctx: LeaseContext, lease: Lease, err: KeyfobError, write: LedgerWrite, notBefore: number): Promise<RevokeOutcome> {
  if (NOT_SENT.has(err.kind)) return revokeNotSent(ctx, lease, err, write, notBefore);
  const id = lease.lease_id;
  const now = ctx.now();
  const next = await write((d) => {
    const current = d.get(id) ?? lease;
    const failures = current.revoke_attempts + 1;
    const giveUp = failures >= MAX_REVOKE_ATTEMPTS;
    const updated: Lease = {
      ...current,
      state: giveUp ? 'irrevocable' : current.state,
      revoke_attempts: failures,
      next_attempt_at: giveUp ? null : iso(Math.max(now + revokeBackoffMs(failures, ctx.random), notBefore)),
      last_error: err.toJSON(),
      ended_reason: current.ended_reason ?? (current.state === 'pending' ? ENDED.issueFailed : ENDED.byPerson),
    };
    if (giveUp) updated.ended_at = iso(now);
    d.put(updated);
    d.setClaim(id, null);
    return updated;
  });
  const view = ctx.view(next);
  ctx.record({
    action: lease.ended_reason === ENDED.expired ? 'expire' : 'revoke',
    outcome: 'failed',
    ...ids(next),
    detail: `attempt ${next.revoke_attempts}: ${err.kind}: ${withDetail(err)}`,
  });
  ctx.emit({ type: 'revoke-failed', lease: view, error: err.toJSON() });
  if (next.state === 'irrevocable') {
    ctx.emit({ type: 'irrevocable', lease: view });
    ctx.notify({
      title: 'A key could not be revoked',
      body:
        `Keyfob gave up revoking ${next.key_alias}${next.key_hint ? ` (${next.key_hint})` : ''} after ${next.revoke_attempts} attempts ` +
        `(${err.message}). Delete it by hand in the LiteLLM admin UI.`,
      urgency: 'critical',
    });
  } else if (next.revoke_attempts === 1) {
    ctx.notify({
      title: 'Revoking a key failed',
      body: `${next.key_alias}: ${err.message} Keyfob will keep retrying.`,
      urgency: 'normal',
    });
  }
  return 'failed';
}
