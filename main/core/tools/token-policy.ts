// Which lease `keyfob token ROLE` hands out, and whether that takes a request: pure functions of the ledger's leases
// and the time, shared by the hot path (no request, no lock) and the slow path (under the token lock).
import type { Lease } from '../types.js';

/** A key handed to a tool has at least this long left, whatever the role's TTL. */
export const MIN_LEFT_FLOOR_SECONDS = 120;
/** …and at least this share of the lease's TTL. */
export const MIN_LEFT_TTL_SHARE = 0.1;

/**
 * The renew lead of the lease scheduler (leases/lease-scheduler.ts `renewLeadMs`): a third of the TTL, at least 2
 * minutes, half the TTL under 4 minutes. Repeated here because the hot path cannot load the leases group (it pulls
 * in conf: ~175 ms); test/core/tools/token-service.test.ts ("token policy") fails if the two ever disagree.
 */
export function renewLeadMs(ttlSeconds: number): number {
  const ttl = ttlSeconds * 1000;
  return Math.max(ttl / 3, Math.min(2 * 60_000, ttl / 2));
}

/**
 * The least time left on a key handed out: `override` (seconds, `--min-left`), else max(2 min, 10 % of the TTL) —
 * but at most half the TTL, so that a fresh lease of a role with a TTL under 4 minutes still qualifies (otherwise
 * every call would renew and issue anew).
 */
export function minLeftMs(ttlSeconds: number, overrideSeconds?: number): number {
  if (overrideSeconds !== undefined) return overrideSeconds * 1000;
  const wanted = Math.max(MIN_LEFT_FLOOR_SECONDS, MIN_LEFT_TTL_SHARE * ttlSeconds);
  return (ttlSeconds > 0 ? Math.min(wanted, ttlSeconds / 2) : wanted) * 1000;
}

/**
 * How long a tool may cache a key before asking again (Claude Code's CLAUDE_CODE_API_KEY_HELPER_TTL_MS, Codex's
 * refresh_interval_ms): half the least time left on a key handed out. A cached key therefore always has at least
 * half of that margin left when the tool asks again, and every ask lands before the key's renew point is long past.
 */
export function helperRefreshMs(ttlSeconds: number): number {
  return Math.round(minLeftMs(ttlSeconds) / 2);
}

function ms(iso: string | null): number | null {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** Renewable with at least a second left below the cap: a renewal could push the expiry later. */
export function canExtend(lease: Lease): boolean {
  if (!lease.renewable || lease.ttl_seconds <= 0) return false;
  const expires = ms(lease.expires_at);
  if (expires === null) return false;
  const cap = ms(lease.max_expires_at);
  return cap === null || cap - expires >= 1000;
}

/** Time left on a lease's key (Infinity for a lease that never expires). */
export function leftMs(lease: Lease, now: number): number {
  const expires = ms(lease.expires_at);
  return expires === null ? Infinity : expires - now;
}

export type TokenDecision =
  /** Hand out this lease's key: no request. */
  | { action: 'use'; lease: Lease }
  /** Past its renew point and renewable: renew it (one request), then hand it out. */
  | { action: 'renew'; lease: Lease }
  /** None live, or too little left and at its max TTL: issue a new lease (one request). */
  | { action: 'issue' };

export interface TokenPolicyInput {
  /** Every lease in the ledger (any role, any state). */
  leases: Iterable<Lease>;
  /** The normalised role name. */
  role: string;
  now: number;
  /** `--min-left` in seconds, when given. */
  minLeftSeconds?: number;
  /** Leases whose key is known to be missing from the keychain: skipped. */
  skip?: ReadonlySet<string>;
}

/**
 * Active, unexpired leases of the role that a helper may share, the longest-lived first (a lease that never expires
 * first of all). A `process`-scoped lease belongs to one running command (`keyfob exec`): it is revoked the moment
 * that command ends, so a tool handed its key would hold a dead key.
 */
export function liveLeasesOf(input: TokenPolicyInput): Lease[] {
  const out: Lease[] = [];
  for (const lease of input.leases) {
    if (lease.role !== input.role || lease.state !== 'active' || lease.scope === 'process' || input.skip?.has(lease.lease_id)) continue;
    if (leftMs(lease, input.now) > 0) out.push(lease);
  }
  return out.sort((a, b) => leftMs(b, input.now) - leftMs(a, input.now) || b.issued_at.localeCompare(a.issued_at));
}

/**
 * The rule: the longest-lived live lease of the role; renewed first when it is past its renew point (a tool asking
 * is the activity signal) or has less than the minimum left and can still be extended; used as it is when it has
 * enough left; otherwise a new lease. Older leases are never revoked here: another tool may still hold their keys.
 */
export function decideToken(input: TokenPolicyInput): TokenDecision {
  const [best] = liveLeasesOf(input);
  if (!best) return { action: 'issue' };
  const left = leftMs(best, input.now);
  if (left === Infinity) return { action: 'use', lease: best };
  const renewAt = (ms(best.expires_at) as number) - renewLeadMs(best.ttl_seconds);
  const need = minLeftMs(best.ttl_seconds, input.minLeftSeconds);
  if (canExtend(best) && (input.now >= renewAt || left < need)) return { action: 'renew', lease: best };
  return left >= need ? { action: 'use', lease: best } : { action: 'issue' };
}

/** After a renewal: enough left now, or (capped at the max TTL) a new lease after all. */
export function enoughLeft(lease: Lease, now: number, minLeftSeconds?: number): boolean {
  return leftMs(lease, now) >= minLeftMs(lease.ttl_seconds, minLeftSeconds);
}
