// Renewing (Vault's rule): the new expiry is now + increment (default the role's ttl), capped at the issue time + max
// TTL; LiteLLM re-bases `duration` on its own now, so Keyfob sends exactly the capped distance. An expired lease is
// never renewed (that would bring its dead key back to life), and a key the proxy no longer knows closes its lease.
import { KeyfobError, toKeyfobError, withDetail } from '../errors.js';
import { MIN_RENEW_MS, cappedRenewal, hasExpired, msOrNull } from './lease-scheduler.js';
import { ENDED, handleOf, ids, iso, leaseNotFound, normalizeIso } from './lease-terms.js';
import { QUARANTINED, quarantine } from './quarantine.js';
import type { LeaseContext } from './lease-context.js';
import type { RenewOptions } from '../core-api.js';
import type { Lease, LeaseView } from '../types.js';

/** A capped renewal's answer this close to the cap is recorded as the cap itself. */
const CAP_TOLERANCE_MS = 2000;

export async function renewLease(ctx: LeaseContext, leaseId: string, incrementSeconds?: number, opts: RenewOptions = {}): Promise<LeaseView> {
  const lease = ctx.mustFind(leaseId);
  if (lease.state !== 'active') {
    throw new KeyfobError('not-renewable', `Lease ${lease.key_alias} is ${lease.state}: only an active lease can be renewed.`);
  }
  if (!lease.renewable || lease.ttl_seconds <= 0) {
    throw new KeyfobError('not-renewable', `Lease ${lease.key_alias} is not renewable (its role has no TTL).`, { hint: 'Issue a new key instead.' });
  }
  if (hasExpired(lease, ctx.now())) {
    // Expiry is revocation: /key/update would re-base the dead key's expiry on now and bring it back to life.
    ctx.rearm();
    throw new KeyfobError('not-renewable', `Lease ${lease.key_alias} has expired: its key is being revoked.`, { hint: 'Issue a new key.' });
  }
  const increment = incrementSeconds ?? lease.ttl_seconds;
  if (!Number.isInteger(increment) || increment <= 0) {
    const message = 'must be a whole number of seconds greater than 0';
    throw new KeyfobError('validation', `increment: ${message}`, { fields: [{ field: 'increment', message }] });
  }
  const now = ctx.now();
  const { seconds, capped } = cappedRenewal(lease, now, increment);
  const atCap = capped && now + seconds * 1000 <= (msOrNull(lease.expires_at) ?? 0);
  if (seconds < 1 || atCap) {
    throw new KeyfobError('not-renewable', `Lease ${lease.key_alias} has reached its max TTL: it cannot be renewed past ${lease.max_expires_at}.`, {
      hint: 'Issue a new key when this one expires.',
    });
  }
  const current = msOrNull(lease.expires_at);
  const proposed = now + seconds * 1000;
  if (current !== null && proposed < current - MIN_RENEW_MS && opts.allowShorten !== true) {
    // Vault would re-base the expiry on now either way; a person who typed a shorter increment may not know that.
    throw new KeyfobError(
      'invalid',
      `Renewing lease ${lease.key_alias} by ${seconds}s would shorten it: it expires at ${lease.expires_at}, and would then expire at ` +
        `${iso(proposed)}. Pass --shorten to shorten it.`,
      { hint: 'Give a longer increment to extend it, or pass --shorten if a shorter lease is what you want.' },
    );
  }
  return sendRenewal(ctx, lease, seconds, capped, opts.by ?? 'person');
}

export async function sendRenewal(ctx: LeaseContext, lease: Lease, seconds: number, capped: boolean, by: 'person' | 'helper' | 'auto'): Promise<LeaseView> {
  const id = lease.lease_id;
  const sentAt = ctx.now();
  let expires: string | null;
  let notes: string[];
  let backendCapped = false;
  ctx.state.beginRenewal(id);
  try {
    if (!(await ctx.sealHolds(lease))) {
      await quarantine(ctx, lease);
      throw new KeyfobError('invalid', `Lease ${lease.key_alias} was not renewed: ${QUARANTINED}.`, { hint: 'See `keyfob lease list --all`.' });
    }
    const answer = await ctx.deps.withBackend((b) => b.renew(handleOf(lease), seconds));
    expires = normalizeIso(answer.expiresAt) ?? iso(sentAt + seconds * 1000);
    // The backend granted less than asked (Vault's max TTL): recorded and reported as capped.
    if (answer.capped) capped = backendCapped = true;
    notes = answer.notes;
    // Capped: the seconds sent were floored to stay below the cap, so the proxy's expiry falls a fraction of a
    // second short of it. One instant is recorded — the cap — not two that differ by milliseconds.
    if (capped && lease.max_expires_at !== null && Math.abs(Date.parse(expires) - Date.parse(lease.max_expires_at)) < CAP_TOLERANCE_MS) {
      expires = lease.max_expires_at;
    }
  } catch (e) {
    const err = toKeyfobError(e);
    if (err.kind === 'not-found') {
      const why = goneReason(ctx, lease, err);
      await markGone(ctx, lease, why);
      throw new KeyfobError('not-found', `${why}; its lease has been closed.`, { hint: 'Issue a new key.', status: err.status });
    }
    ctx.record({ action: 'renew', outcome: 'failed', ...ids(lease), detail: `${by}: ${err.kind}: ${withDetail(err)}` });
    throw err;
  } finally {
    ctx.state.endRenewal(id);
  }

  const updated = await ctx.update((d) => {
    const current = d.get(id);
    if (!current || current.state !== 'active') return current ?? null; // revoked meanwhile: the revocation wins
    const next = { ...current, expires_at: expires, last_error: null };
    // The backend capped it below Keyfob's own cap (Vault's max TTL): its cap is the real one, so the lease is not
    // renewed again in vain — it ends there, and the person is told (the key helper issues a fresh key instead).
    if (backendCapped && expires !== null && (msOrNull(current.max_expires_at) ?? Infinity) > Date.parse(expires)) next.max_expires_at = expires;
    d.put(next);
    return next;
  });
  ctx.state.renewalSettled(id);
  ctx.rearm();
  if (!updated) throw leaseNotFound(id);
  const view = ctx.view(updated);
  if (updated.state === 'active') {
    ctx.record({ action: 'renew', outcome: 'ok', ...ids(updated), detail: `${by}: +${seconds}s${capped ? ' (capped at the max TTL)' : ''}${notes.map((n) => `; ${n}`).join('')}` });
    ctx.emit({ type: 'renewed', lease: view, capped });
  }
  return view;
}

/**
 * Why the key ended without Keyfob, in words the person can act on: blocked (SCIM deprovisioning, an admin), deleted
 * with the person's membership of the role's team (LiteLLM deletes a member's team keys), or deleted otherwise.
 */
function goneReason(ctx: LeaseContext, lease: Lease, err: KeyfobError): string {
  if (err.detail === 'scim_blocked' || err.detail === 'blocked') return err.message.replace(/\.$/, '');
  let teamId: string | null = null;
  try {
    teamId = ctx.deps.role(lease.role).team_id;
  } catch {
    // the role was deleted since: no team to name
  }
  return teamId
    ? `The key ${lease.key_alias} no longer exists on the proxy: a team's keys are deleted when you leave the team, so check with the admin of team ${teamId} that you are still a member`
    : `The key ${lease.key_alias} no longer exists on the proxy`;
}

/** The proxy no longer knows the key, or it is blocked there: the lease ends with `why` told. */
async function markGone(ctx: LeaseContext, lease: Lease, why: string): Promise<Lease> {
  const now = ctx.now();
  const gone = await ctx.update((d) => {
    const current = d.get(lease.lease_id) ?? lease;
    const next: Lease = { ...current, state: 'revoked', ended_reason: ENDED.gone, ended_at: iso(now), next_attempt_at: null };
    d.put(next);
    d.setClaim(lease.lease_id, null);
    return next;
  });
  await ctx.forgetSecret(gone.lease_id);
  const view = ctx.view(gone);
  ctx.record({ action: 'renew', outcome: 'failed', ...ids(gone), detail: why });
  ctx.emit({ type: 'gone', lease: view });
  ctx.notify({ title: 'Key gone', body: `${why}.`, urgency: 'normal' });
  ctx.rearm();
  return gone;
}
