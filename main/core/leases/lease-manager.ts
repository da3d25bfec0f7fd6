// The lease manager: issue, renew, expire and revoke LiteLLM keys the way Vault treats leases. Every change goes
// through the ledger first (write-ahead), so a crash at any point leaves a record the next start can finish:
// a `pending` lease is in the ledger before `/key/generate` is sent, a `revoking` one before `/key/delete`.
//
// This class is the facade: one operation per file around one shared context (lease-context.ts) and its in-memory
// state (lease-state.ts) — issue.ts, renew.ts, revoke.ts, forget.ts, key-access.ts (copy, reveal), scheduled-work.ts (the
// timer's side), reconcile.ts (recovery at start, with recover.ts and reconcile-work.ts) and stop.ts. Timing rules live in
// lease-scheduler.ts, the one armed timer in single-timer.ts.
import { issueLease } from './issue.js';
import { renewLease } from './renew.js';
import { revokeAll, revokeLease, revokeRole } from './revoke.js';
import { copyLeaseKey, copyRoleKey, revealKey } from './key-access.js';
import { nextDeadline, runDueWork } from './scheduled-work.js';
import { reconcileLeases } from './reconcile.js';
import { shutDown } from './stop.js';
import { forgetLease } from './forget.js';
import { LeaseContext } from './lease-context.js';
import { hasEnded } from './lease-terms.js';
import type { LeaseManagerDeps } from './lease-context.js';
import type { IssueOptions, LeaseOperations, ReconcileReport, RenewOptions, RevokeSummary } from '../core-api.js';
import type { LedgerDraft, LedgerSnapshot } from './lease-ledger.js';
import type { DeadlineSource } from '../single-timer.js';
import type { IssuedLease, LeaseEvent, LeaseView, Notice } from '../types.js';

export { ENDED, hasEnded } from './lease-terms.js';
export type { LeaseManagerDeps } from './lease-context.js';

export class LeaseManager implements LeaseOperations, DeadlineSource {
  /** This manager's claim signature: host, pid and an instance nonce. */
  readonly owner: string;
  /** The instance nonce (a UUID) in `owner` and in every claim. */
  readonly instance: string;
  private readonly ctx: LeaseContext;
  private stopping: Promise<void> | null = null;

  constructor(deps: LeaseManagerDeps) {
    this.ctx = new LeaseContext(deps);
    this.owner = this.ctx.owner;
    this.instance = this.ctx.instance;
  }

  // ── reading ──────────────────────────────────────────────────────────────────────────────────────────────────

  list(opts: { all?: boolean } = {}): LeaseView[] {
    const leases = [...this.snapshot().leases.values()];
    return leases
      .filter((l) => opts.all || !hasEnded(l))
      .sort((a, b) => b.issued_at.localeCompare(a.issued_at))
      .map((l) => this.ctx.view(l));
  }

  get(leaseId: string): LeaseView {
    return this.ctx.view(this.ctx.mustFind(leaseId));
  }

  /**
   * Re-reads the ledger (another process may have changed it), forgets idle skips (the person may be back, so a
   * lease past its renew point gets another chance) and re-arms the timer. Call on resume, unlock, clock jumps.
   */
  refresh(): void {
    this.ctx.state.forgetSkippedRenewals();
    this.sync();
  }

  on(listener: (event: LeaseEvent) => void): () => void {
    const { listeners } = this.ctx.state;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Messages for the person (a corrupt ledger was backed up, recovery results); each returned once. */
  takeNotices(): Notice[] {
    return [...this.ctx.deps.ledger.takeNotices(), ...this.ctx.state.takeNotices()];
  }

  /** Resolves when no scheduled work is running (tests; quit). */
  async settled(): Promise<void> {
    await this.ctx.deps.timer.settled();
  }

  /**
   * Stops this manager for good; resolves once it will write nothing more. Its claims are released in one last
   * ledger write: a lease it was revoking stays `revoking`, due at once for whoever comes next (another process, the
   * next start, a new core in this process), with the interruption recorded as its last error. Calls still in flight
   * are abandoned, not awaited (a hung proxy must not hold up a quit): their answers are dropped without a write. The
   * one exception is an issue whose `/key/generate` is still in flight: its claim stays until that call settles, so
   * that nobody deletes the alias before the key can exist; a key created after the stop is deleted on the proxy.
   */
  stop(): Promise<void> {
    this.stopping ??= shutDown(this.ctx);
    return this.stopping;
  }

  /** Picks up another process's changes: re-read, tell the views, re-arm. */
  sync(): void {
    const snap = this.snapshot();
    if (snap.revision !== this.ctx.lastRevision) {
      const first = this.ctx.lastRevision === -1;
      this.ctx.lastRevision = snap.revision;
      if (!first) this.ctx.emit({ type: 'changed' });
    }
    this.ctx.rearm();
  }

  // ── operations (one file each) ───────────────────────────────────────────────────────────────────────────────

  /** `scope: 'process'` binds the lease to this process (`keyfob exec`); the default, `free`, lives until its expiry. */
  issue(roleName: string, opts?: IssueOptions): Promise<IssuedLease> {
    return issueLease(this.ctx, roleName, opts);
  }

  /** A renewal that would end the lease earlier than now fails (kind `invalid`) unless `allowShorten`. */
  renew(leaseId: string, incrementSeconds?: number, opts?: RenewOptions): Promise<LeaseView> {
    return renewLease(this.ctx, leaseId, incrementSeconds, opts);
  }

  revoke(leaseId: string, reason?: string): Promise<LeaseView> {
    return revokeLease(this.ctx, leaseId, reason);
  }

  /** Stops retrying a failed revocation whose key has expired on the proxy anyway; refused while the key is live. */
  forget(leaseId: string): Promise<LeaseView> {
    return forgetLease(this.ctx, leaseId);
  }

  revokeRole(role: string): Promise<RevokeSummary> {
    return revokeRole(this.ctx, role);
  }

  /**
   * `deadlineMs` bounds the whole call: a duration in ms (e.g. 5000 at quit), or an absolute epoch instant when it is
   * larger than 10^11. Past it no new request starts and the call returns; the rest stays `revoking` for later.
   */
  revokeAll(opts: { reason?: string; deadlineMs?: number } = {}): Promise<RevokeSummary> {
    return revokeAll(this.ctx, opts);
  }

  copyRoleKey(roleName: string): Promise<{ lease: LeaseView; issued: boolean }> {
    return copyRoleKey(this.ctx, roleName);
  }

  copyLeaseKey(leaseId: string): Promise<LeaseView> {
    return copyLeaseKey(this.ctx, leaseId);
  }

  revealKey(leaseId: string): Promise<string> {
    return revealKey(this.ctx, leaseId);
  }

  // ── the scheduler's side (DeadlineSource) ────────────────────────────────────────────────────────────────────

  nextDeadline(now: number): number | null {
    return nextDeadline(this.ctx, now);
  }

  run(now: number): Promise<void> {
    return runDueWork(this.ctx, now);
  }

  // ── start: reconcile ─────────────────────────────────────────────────────────────────────────────────────────

  /** Finishes what an earlier run left (reconcile.ts): expired and due leases revoked, a lost ledger rebuilt. */
  reconcile(): Promise<ReconcileReport> {
    return reconcileLeases(this.ctx);
  }

  /** Something the views show changed outside the leases (a role was saved or deleted). */
  announceChange(): void {
    this.ctx.emit({ type: 'changed' });
  }

  snapshot(): LedgerSnapshot {
    return this.ctx.snapshot();
  }

  /** Runs a ledger read-modify-write; afterwards this process's view of the revision is current. */
  update<T>(change: (d: LedgerDraft) => T): Promise<T> {
    return this.ctx.update(change);
  }
}
