// The words every lease operation shares: why a lease ended, which states are live, what a revocation attempt can
// come to, and the errors and time formats they all use.
import { KeyfobError } from '../errors.js';
import type { AuditRecord } from '../audit-log.js';
import type { LeaseHandle } from '../backend/index.js';
import type { Lease } from '../types.js';

/** Why a lease ended (`ended_reason`). A `revoking` lease whose reason is EXPIRED ends as `expired`, else `revoked`. */
export const ENDED = {
  expired: 'expired',
  byPerson: 'revoked by person',
  gone: 'gone on the server',
  issueFailed: 'issue failed: the key may exist on the proxy',
  keychainFailed: 'the keychain could not store the key',
  /** A process-scoped lease (`keyfob exec`) whose process ended without revoking it (killed, crashed). */
  ownerGone: 'its process ended without revoking it',
} as const;

/**
 * `abandoned`: the manager was stopped while the request was in flight; its answer is dropped (see `stop`).
 * `waiting`: an interrupted issue swept early found nothing; it is swept again once its generate has surely ended.
 */
export type RevokeOutcome = 'revoked' | 'failed' | 'busy' | 'abandoned' | 'waiting';

export { hasEnded } from '../types.js';

/** The audit log's names for a lease. */
export function ids(lease: Lease): Pick<AuditRecord, 'lease_id' | 'role' | 'key_alias'> {
  return { lease_id: lease.lease_id, role: lease.role, key_alias: lease.key_alias };
}

/** What the backend needs to act on a lease. */
export function handleOf(lease: Lease): LeaseHandle {
  return { lease_id: lease.lease_id, role: lease.role, key_alias: lease.key_alias, token_hash: lease.token_hash, backend_ref: lease.backend_ref };
}

export function stoppedError(): KeyfobError {
  return new KeyfobError('state-unavailable', 'Keyfob is stopping: the operation was abandoned.', { hint: 'Start Keyfob again and retry.' });
}

export function leaseNotFound(id: string): KeyfobError {
  return new KeyfobError('lease-not-found', `No lease ${id}.`, { hint: 'Check the lease id against the list of leases (ended ones included).' });
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function normalizeIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : iso(ms);
}

/** The messages' local time of day; one definition for core and the app (main/core/local-time.ts). */
export { localTime } from '../local-time.js';
