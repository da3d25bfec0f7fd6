// Leases for tests and benchmarks: a complete, plausible active lease, so each caller spells out only the fields it
// cares about. Field order follows main/core/types.ts, so serialised fixtures read the same as a written ledger.
import type { Lease, LeaseView } from '../../main/core/types.js';

/** An active, renewable one-hour `dev` lease as the ledger keeps it, with `over` applied on top. */
export function ledgerLease(over: Partial<Lease> = {}): Lease {
  return {
    lease_id: '11111111-2222-4333-8444-555555555555',
    role: 'dev',
    key_alias: 'keyfob-dev-11111111',
    token_hash: 'f'.repeat(64),
    backend: 'litellm',
    backend_ref: null,
    key_hint: 'sk-...abcd',
    models: [],
    max_budget: 0,
    issued_at: '2026-03-01T09:00:00.000Z',
    expires_at: '2026-03-01T10:00:00.000Z',
    max_expires_at: null,
    ttl_seconds: 3600,
    renewable: true,
    state: 'active',
    scope: 'free',
    owner: null,
    revoke_attempts: 0,
    next_attempt_at: null,
    ended_reason: null,
    ended_at: null,
    last_error: null,
    ...over,
  };
}

/** The same lease as views see it (not about to expire for idleness unless `over` says so). */
export function leaseView(over: Partial<LeaseView> = {}): LeaseView {
  const { idle_will_expire = false, ...ledgerFields } = over;
  return { ...ledgerLease(ledgerFields), idle_will_expire };
}
