// The lease timing rules, as pure functions of a lease and the time: when to renew, when a lease expires, when to
// warn, when to retry a revocation. The lease manager feeds the earliest of these into the one armed timer.
import { isClaimVoid } from './lease-ledger.js';
import type { LeaseClaim } from './lease-ledger.js';
import type { Lease } from '../types.js';

/** Warn this long before a final expiry (one that will not or cannot be renewed). */
export const EXPIRING_SOON_MS = 5 * 60_000;
/** A warning with less than this left is noise: the lease was short to begin with. */
const MIN_WARNING_LEAD_MS = 60_000;
/** Renew no later than this long before expiry (a slow proxy still has time to answer). */
const LATEST_RENEW_LEAD_MS = 2 * 60_000;
/** Less than this left below the max TTL: the lease is at its cap, not renewable. */
export const MIN_RENEW_MS = 1000;

/** Revocation retries: 5 s doubling to a 5 min cap, ± 20 % jitter; irrevocable after this many failures. */
export const REVOKE_BACKOFF_BASE_MS = 5000;
export const REVOKE_BACKOFF_CAP_MS = 5 * 60_000;
export const REVOKE_JITTER = 0.2;
export const MAX_REVOKE_ATTEMPTS = 8;

/** The delay before retry number `failures` + 1 (`failures` ≥ 1), jittered by `random` in [0, 1). */
export function revokeBackoffMs(failures: number, random: () => number = Math.random): number {
  const base = Math.min(REVOKE_BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1), REVOKE_BACKOFF_CAP_MS);
  return Math.round(base * (1 + REVOKE_JITTER * (2 * random() - 1)));
}

export function msOrNull(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** Past its expiry (a lease that never expires never is), whatever its state says: the timer may not have run yet. */
export function hasExpired(lease: Lease, now: number): boolean {
  const expires = msOrNull(lease.expires_at);
  return expires !== null && expires <= now;
}

/** A lease's instants, parsed. */
interface LeaseInstants {
  expires: number | null;
  cap: number | null;
  nextAttempt: number | null;
}

/**
 * Every re-arm of the timer plans every lease, and parsing its ISO instants was most of that (four Date.parse per
 * lease: 7 ms per re-arm at 10,000 leases). The ledger's snapshot leases are frozen, so their instants are parsed
 * once and kept as long as the lease object lives; a lease that can still change is parsed each time.
 */
const parsedInstants = new WeakMap<Lease, LeaseInstants>();

function instantsOf(lease: Lease): LeaseInstants {
  const cached = parsedInstants.get(lease);
  if (cached) return cached;
  const instants = { expires: msOrNull(lease.expires_at), cap: msOrNull(lease.max_expires_at), nextAttempt: msOrNull(lease.next_attempt_at) };
  if (Object.isFrozen(lease)) parsedInstants.set(lease, instants);
  return instants;
}

/**
 * How long before expiry a lease is renewed: a third of its TTL, but at least 2 minutes — except that for TTLs under
 * 4 minutes half the TTL is used, so that a renewal always lands inside the lease it renews.
 */
export function renewLeadMs(ttlSeconds: number): number {
  const ttl = ttlSeconds * 1000;
  return Math.max(ttl / 3, Math.min(LATEST_RENEW_LEAD_MS, ttl / 2));
}

/** True when a renewal could push the expiry later: renewable, with at least a second left below the cap. */
export function canExtend(lease: Lease): boolean {
  if (!lease.renewable || lease.ttl_seconds <= 0) return false;
  const { expires, cap } = instantsOf(lease);
  if (expires === null) return false;
  return cap === null || cap - expires >= MIN_RENEW_MS;
}

export function renewPointMs(lease: Lease): number | null {
  const { expires } = instantsOf(lease);
  if (expires === null || !canExtend(lease)) return null;
  return expires - renewLeadMs(lease.ttl_seconds);
}

/**
 * The new expiry under Vault's rule, and the seconds to send: LiteLLM re-bases on its own now, so Keyfob sends exactly
 * the capped distance. `seconds` < 1 means nothing is left below the cap.
 */
export function cappedRenewal(lease: Lease, now: number, incrementSeconds: number): { seconds: number; capped: boolean } {
  const wanted = now + incrementSeconds * 1000;
  const cap = msOrNull(lease.max_expires_at);
  if (cap === null || wanted <= cap) return { seconds: Math.floor(incrementSeconds), capped: false };
  return { seconds: Math.floor((cap - now) / 1000), capped: true };
}

/**
 * When the next attempt on a `pending` or `revoking` lease is due, once no live claim holds it. A `revoking` lease
 * with a claim still on it (its owner stopped, died or ran out of time, or it is a leftover of this very manager)
 * stands for a delete whose outcome was never recorded: due at once (a repeated delete is harmless). A `pending`
 * lease is different: its owner may have sent a `/key/generate` that is still under way, so its cleanup by alias
 * waits for the instant recorded with it, when that generate has surely ended — a delete before then could find
 * nothing and the key appear afterwards. Otherwise the recorded back-off decides; a lease without one (an older
 * ledger) is due at once, so every such lease always has a deadline.
 */
export function nextAttemptMs(lease: Lease, claim: LeaseClaim | undefined, now: number): number {
  if (claim && lease.state !== 'pending') return now;
  return instantsOf(lease).nextAttempt ?? now;
}

/** `revoke-owner-gone`: a process-scoped lease whose process no longer exists. */
export type LeaseWork = 'renew' | 'expire' | 'warn' | 'revoke' | 'cleanup-pending' | 'revoke-owner-gone';

/** What this process knows beyond the ledger: what it has already done for a lease's current expiry, and who lives. */
export interface PlanMemory {
  /** The renewal at this expiry was skipped (person idle) — wait for the expiry, or for `refresh()` when they return. */
  renewalSkipped(leaseId: string, expiresAt: string): boolean;
  warned(leaseId: string, expiresAt: string): boolean;
  /** An automatic renewal failed (network): retry at this instant. */
  renewRetryAt(leaseId: string): number | undefined;
  /** This process is working on the lease right now. */
  inFlight(leaseId: string): boolean;
  /** This process issued the lease: only its owner renews a lease automatically. */
  renewsHere(lease: Lease): boolean;
  /** The process that issued the lease no longer exists (or none is recorded). */
  ownerGone(lease: Lease): boolean;
}

/** While another live process owns a process-scoped lease, look this often whether it still lives. */
export const OWNER_CHECK_MS = 60_000;

/** Why an active lease will not be renewed automatically before it expires. */
export type NoRenewal = 'not-renewable' | 'max-ttl' | 'idle' | 'renewals-failing' | 'no-owner';

/**
 * Null when the lease's owner will renew it before it expires; else why not. The one rule behind the expiring-soon
 * warning and the views' `will_auto_renew`: a short-TTL key that renews itself is never "expiring". What another
 * live owner knows (its person idle, its renewals failing) this process cannot see: such a lease counts as renewing.
 */
export function whyNotRenewed(lease: Lease, memory: PlanMemory): NoRenewal | null {
  if (!lease.renewable || lease.ttl_seconds <= 0) return 'not-renewable';
  if (!canExtend(lease)) return 'max-ttl';
  if (!memory.renewsHere(lease)) return memory.ownerGone(lease) ? 'no-owner' : null;
  if (memory.renewalSkipped(lease.lease_id, lease.expires_at as string)) return 'idle';
  if (memory.renewRetryAt(lease.lease_id) !== undefined) return 'renewals-failing';
  return null;
}

export interface LeasePlan {
  /** Work due now. */
  due: LeaseWork | null;
  /** The next instant this lease needs attention, when nothing is due now. */
  next: number | null;
}

const NOTHING: LeasePlan = { due: null, next: null };

export function planLease(lease: Lease, claim: LeaseClaim | undefined, now: number, memory: PlanMemory, self: string): LeasePlan {
  if (memory.inFlight(lease.lease_id)) return NOTHING;
  switch (lease.state) {
    case 'pending':
    case 'revoking': {
      if (claim && claim.owner !== self && !isClaimVoid(claim, now)) return { due: null, next: msOrNull(claim.until) };
      const at = nextAttemptMs(lease, claim, now);
      const work: LeaseWork = lease.state === 'pending' ? 'cleanup-pending' : 'revoke';
      return at <= now ? { due: work, next: null } : { due: null, next: at };
    }
    case 'active':
      return planActive(lease, now, memory);
    default:
      return NOTHING;
  }
}

function planActive(lease: Lease, now: number, memory: PlanMemory): LeasePlan {
  const { expires } = instantsOf(lease);
  if (expires === null) return NOTHING; // never expires (a role with no TTL, chosen on purpose)
  if (expires <= now) return { due: 'expire', next: null };
  const mine = memory.renewsHere(lease);
  if (!mine && lease.scope === 'process' && memory.ownerGone(lease)) return { due: 'revoke-owner-gone', next: null };

  let next = expires;
  const renewAt = mine ? renewPointMs(lease) : null;
  if (renewAt !== null && !memory.renewalSkipped(lease.lease_id, lease.expires_at as string)) {
    const at = memory.renewRetryAt(lease.lease_id) ?? renewAt;
    if (at <= now) return { due: 'renew', next: null };
    next = Math.min(next, at);
  }

  // Warn ahead of an expiry that nobody will push back, once. A renewal skipped because the person was idle was
  // announced as such when it was skipped ("not renewed … expires at"), so it is not warned about twice.
  const warnAt = expires - EXPIRING_SOON_MS;
  const why = whyNotRenewed(lease, memory);
  if (why !== null && why !== 'idle') {
    if (!memory.warned(lease.lease_id, lease.expires_at as string) && expires - Math.max(now, warnAt) >= MIN_WARNING_LEAD_MS) {
      if (warnAt <= now) return { due: 'warn', next: null };
      next = Math.min(next, warnAt);
    }
  } else if (!mine) {
    // Another live process renews it. Look again later in case that process ends: a process-scoped lease is then
    // revoked, a free one warned about.
    if (lease.scope === 'process') next = Math.min(next, now + OWNER_CHECK_MS);
    else if (warnAt > now) next = Math.min(next, warnAt);
  }
  return { due: null, next };
}
