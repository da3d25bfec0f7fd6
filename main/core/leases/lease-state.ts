// What one lease manager holds in memory besides the ledger: the work it has in flight, what it has already done or
// said for a lease's current expiry, and who listens. Every rule about these sets lives here, so that issue, renew,
// revoke, the scheduler and stop read them the same way. Nothing here is durable: a new process starts empty, and
// the ledger (claims, `next_attempt_at`) is what other processes see.
import { isLeaseOwnerGone, ownerSignature } from './lease-ledger.js';
import type { LedgerSnapshot } from './lease-ledger.js';
import type { PlanMemory } from './lease-scheduler.js';
import type { Lease, LeaseEvent, LeaseOwner, Notice } from '../types.js';

/** Per-lease memory tied to one expiry: it no longer applies once the lease is renewed. */
function atExpiry(leaseId: string, expiresAt: string | null): string {
  return `${leaseId}@${expiresAt}`;
}

export class LeaseWorkState {
  // ── in flight ──
  /** Issues and revocations this manager is carrying out right now, each under its claim in the ledger. */
  private readonly claimedWork = new Set<string>();
  /** Renewals in flight: a lease is not renewed twice at once (a revocation may still overtake one). */
  private readonly renewalsInFlight = new Set<string>();
  /** Claimed leases whose `/key/delete` has been sent: a quit deadline releases only the others. */
  private readonly deletesSent = new Set<string>();
  /** Issues whose `/key/generate` is in flight: their claims outlive `stop()` until the call settles. */
  private readonly generatesInFlight = new Set<string>();

  // ── done or said for the current expiry ──
  /** lease id → the expiry whose renewal was skipped (person idle); cleared by `refresh()`, when they may be back. */
  private readonly renewalSkippedAt = new Map<string, string>();
  /** The skipped renewal was announced (audit, event, notification) for this renew point. */
  private readonly skipAnnouncedAt = new Set<string>();
  /** The expiring-soon warning was given for this expiry. */
  private readonly warnedAt = new Set<string>();
  /** lease id → automatic renewals that failed in a row (network), and when to try again. */
  private readonly renewRetries = new Map<string, { failures: number; at: number }>();

  /**
   * Interrupted issues claimed before their generate has surely ended (lease id → that instant): a key found by its
   * alias is deleted at once; "none found" proves nothing yet, and the entry waits for that instant again.
   */
  readonly earlySweeps = new Map<string, number>();
  /** Those swept early that found nothing: not swept again before that instant (a wait must not poll the backend). */
  readonly sweptEarly = new Set<string>();

  // ── who listens ──
  readonly listeners = new Set<(event: LeaseEvent) => void>();
  /** Messages for the person (recovery results), each handed out once. */
  private readonly notices: Notice[] = [];

  // ── who lives ──
  /** Owner signature → gone? Asked of the OS at most once per planning pass (see `newPlanningPass`). */
  private readonly ownerGoneCache = new Map<string, boolean>();

  /** Set by `stop()`: from then on nothing is written, recorded, emitted or notified. */
  stopped = false;

  /** The scheduler's view of this memory (see planLease). */
  readonly memory: PlanMemory = {
    renewalSkipped: (id, expiresAt) => this.renewalSkippedAt.get(id) === expiresAt,
    warned: (id, expiresAt) => this.warnedAt.has(atExpiry(id, expiresAt)),
    renewRetryAt: (id) => this.renewRetries.get(id)?.at,
    inFlight: (id) => this.isBusy(id),
    renewsHere: (lease) => lease.owner !== null && lease.owner.instance === this.owner.instance && lease.owner.pid === this.owner.pid && lease.owner.host === this.owner.host,
    ownerGone: (lease) => this.isOwnerGone(lease),
  };

  /** `owner`: the lease manager this state belongs to. */
  constructor(private readonly owner: LeaseOwner) {}

  /** A new look at the leases: owners are asked again whether they live. */
  newPlanningPass(): void {
    this.ownerGoneCache.clear();
  }

  private isOwnerGone(lease: Lease): boolean {
    if (lease.owner === null) return true;
    const key = ownerSignature(lease.owner);
    let gone = this.ownerGoneCache.get(key);
    if (gone === undefined) {
      gone = isLeaseOwnerGone(lease);
      this.ownerGoneCache.set(key, gone);
    }
    return gone;
  }

  // ── claimed issues and revocations ──

  /** This manager is issuing, revoking or renewing the lease right now. */
  isBusy(id: string): boolean {
    return this.claimedWork.has(id) || this.renewalsInFlight.has(id);
  }

  /** This manager holds the lease's claim for an issue or a revocation it is carrying out. */
  isClaimedHere(id: string): boolean {
    return this.claimedWork.has(id);
  }

  beginClaimedWork(id: string): void {
    this.claimedWork.add(id);
  }

  endClaimedWork(id: string): void {
    this.claimedWork.delete(id);
    this.deletesSent.delete(id);
  }

  // ── deletes ──

  deleteSent(id: string): void {
    this.claimedWork.add(id);
    this.deletesSent.add(id);
  }

  wasDeleteSent(id: string): boolean {
    return this.deletesSent.has(id);
  }

  /** Claimed here but no request sent yet: what a quit deadline may release untouched. */
  isClaimedUnsent(id: string): boolean {
    return this.claimedWork.has(id) && !this.deletesSent.has(id);
  }

  // ── generates ──

  beginGenerate(id: string): void {
    this.generatesInFlight.add(id);
  }

  endGenerate(id: string): void {
    this.generatesInFlight.delete(id);
  }

  isGenerating(id: string): boolean {
    return this.generatesInFlight.has(id);
  }

  /** Stopped, and no `/key/generate` of this manager is in flight any more: its claims are void. */
  get idleAfterStop(): boolean {
    return this.stopped && this.generatesInFlight.size === 0;
  }

  // ── renewals ──

  beginRenewal(id: string): void {
    this.renewalsInFlight.add(id);
  }

  endRenewal(id: string): void {
    this.renewalsInFlight.delete(id);
  }

  /** The lease was renewed or has ended: its skips and retries no longer apply. */
  renewalSettled(id: string): void {
    this.renewalSkippedAt.delete(id);
    this.renewRetries.delete(id);
  }

  /** Records that the renewal at `expiresAt` was skipped; true the first time for that renew point (announce it). */
  skipRenewal(id: string, expiresAt: string): boolean {
    this.renewalSkippedAt.set(id, expiresAt);
    const key = atExpiry(id, expiresAt);
    if (this.skipAnnouncedAt.has(key)) return false;
    this.skipAnnouncedAt.add(key);
    return true;
  }

  /** The person may be back: every skipped renewal gets another chance. */
  forgetSkippedRenewals(): void {
    this.renewalSkippedAt.clear();
  }

  /** The view's `idle_will_expire`: the skip at this lease's current expiry was announced. */
  idleWillExpire(lease: Lease): boolean {
    return lease.state === 'active' && this.skipAnnouncedAt.has(atExpiry(lease.lease_id, lease.expires_at));
  }

  /** Automatic renewals of this lease that failed in a row so far. */
  renewalFailures(id: string): number {
    return this.renewRetries.get(id)?.failures ?? 0;
  }

  /** Records the latest failure count and when to try the automatic renewal again. */
  retryRenewalAt(id: string, failures: number, at: number): void {
    this.renewRetries.set(id, { failures, at });
  }

  // ── warnings ──

  warned(lease: Lease): void {
    this.warnedAt.add(atExpiry(lease.lease_id, lease.expires_at));
  }

  // ── notices ──

  addNotice(notice: Notice): void {
    this.notices.push(notice);
  }

  takeNotices(): Notice[] {
    return this.notices.splice(0);
  }

  /** Per-lease memory of leases no longer active (or renewed since) is dropped: a long-running app keeps none. */
  forgetStale(snap: LedgerSnapshot): void {
    const live = (id: string) => snap.leases.get(id)?.state === 'active';
    for (const id of this.renewRetries.keys()) if (!live(id)) this.renewRetries.delete(id);
    for (const id of this.renewalSkippedAt.keys()) if (!live(id)) this.renewalSkippedAt.delete(id);
    for (const set of [this.skipAnnouncedAt, this.warnedAt]) {
      for (const key of set) {
        const [id, expiresAt] = key.split('@');
        if (!live(id as string) || snap.leases.get(id as string)?.expires_at !== expiresAt) set.delete(key);
      }
    }
  }
}
