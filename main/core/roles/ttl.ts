// The seed's resolveTTLs, with Vault's "system" limits replaced by two user settings (default and max lease TTL).
import type { Role, Settings } from '../types.js';

export interface ResolvedTTLs {
  /** Seconds: the lease's initial TTL and its default renew increment. */
  ttl: number;
  /** Seconds from the issue time that no renewal may pass. */
  maxTtl: number;
}

export type TTLLimits = Pick<Settings, 'default_lease_ttl_seconds' | 'max_lease_ttl_seconds'>;

/**
 * maxTtl = role.max_ttl when > 0 and ≤ the max lease TTL, else the max lease TTL;
 * ttl = role.ttl when > 0, else the default lease TTL; then ttl = min(ttl, maxTtl).
 */
export function resolveTTLs(role: Pick<Role, 'ttl' | 'max_ttl'>, settings: TTLLimits): ResolvedTTLs {
  const systemMax = settings.max_lease_ttl_seconds;
  const maxTtl = role.max_ttl <= 0 || role.max_ttl > systemMax ? systemMax : role.max_ttl;
  const ttl = role.ttl > 0 ? role.ttl : settings.default_lease_ttl_seconds;
  return { ttl: Math.min(ttl, maxTtl), maxTtl };
}
