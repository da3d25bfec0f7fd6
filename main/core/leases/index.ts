// leases/: the lease lifecycle. The manager (lease-manager.ts, a facade over one file per operation: issue, renew,
// revoke, key-access, scheduled-work, reconcile-work, stop, around lease-context.ts and lease-state.ts) issues, renews,
// revokes and copies keys; the ledger persists every lease write-ahead (claims, cross-process lock); the scheduler
// plans each lease's next deadline on one timer; reconcile finishes what an earlier run left. Other groups and the app
// see only what this file exports.
export * from './lease-manager.js';
export * from './lease-ledger.js';
export * from './lease-scheduler.js';
export * from './ledger-write-batch.js';
export * from './reconcile.js';
export * from './bounded-concurrency.js';
