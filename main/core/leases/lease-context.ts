// What every lease operation works with: the manager's ports, its claim signature, its in-memory state, and the
// shared moves — read and write the ledger, find a lease, build the view, tell the audit log, the views and the
// person. One per lease manager; the operation files (issue.ts, renew.ts, revoke.ts, …) take it as their first
// argument.
import { randomUUID } from 'node:crypto';
import { DEFAULT_CONCURRENCY } from './bounded-concurrency.js';
import { KeyfobError } from '../errors.js';
import { isLeaseId, ownerSignature, setClaimOwnerLive } from './lease-ledger.js';
import { processIdentity } from '../settings/index.js';
import { leaseAccount } from '../keychain/index.js';
import { LeaseWorkState } from './lease-state.js';
import { iso, leaseNotFound, stoppedError } from './lease-terms.js';
import { whyNotRenewed } from './lease-scheduler.js';
import { LedgerSealKey, sealHolds, sealOf } from './ledger-seal.js';
import type { AuditLog, AuditRecord } from '../audit-log.js';
import type { ClipboardGuard } from '../clipboard-guard.js';
import type { LeaseClaim, LeaseLedger, LedgerDraft, LedgerSnapshot } from './lease-ledger.js';
import type { KeyBackend } from '../backend/index.js';
import type { Activity, Clock, Notification, Notifier, SecretStore } from '../ports.js';
import type { SingleTimer } from '../single-timer.js';
import type { Lease, LeaseEvent, LeaseOwner, LeaseView, Role, Settings } from '../types.js';

export interface LeaseManagerDeps {
  ledger: LeaseLedger;
  audit: AuditLog;
  secretStore: SecretStore;
  clock: Clock;
  activity: Activity;
  notifier: Notifier;
  clipboard: ClipboardGuard;
  timer: SingleTimer;
  /** Current settings (read at each use: a change applies at once). */
  settings: () => Settings;
  /** The role named `name`, or a KeyfobError('role-not-found'). */
  role: (name: string) => Role;
  /**
   * Runs a call with the backend built from the current settings and stored credential (the connection's business:
   * binding checks, a rejected credential re-read once and the call repeated). The lease operations speak only this.
   */
  withBackend: <T>(call: (backend: KeyBackend) => Promise<T>) => Promise<T>;
  /** True when a backend URL and a credential are configured (else nothing can be sent). */
  connected: () => Promise<boolean>;
  /** Stamped on every issued key (`keyfob_ledger` metadata) so recovery only ever touches this ledger's keys. */
  ledgerId: () => string;
  maxConcurrency?: number;
  /** Jitter source for retry back-off (tests pin it). */
  random?: () => number;
}

export class LeaseContext {
  /** This manager's claim signature: host, pid and an instance nonce. */
  readonly owner: string;
  /** The instance nonce (a UUID) in `owner` and in every claim. */
  readonly instance: string;
  /** The same, as a lease records its owner. */
  readonly ownerIdentity: LeaseOwner;
  readonly state: LeaseWorkState;
  private readonly startedAt: string;
  /** The ledger revision the views were last told about (see `sync`). */
  lastRevision = -1;
  /** The install's ledger sealing key (keychain `ledger-seal`). */
  readonly sealKey: LedgerSealKey;

  constructor(readonly deps: LeaseManagerDeps) {
    const me = processIdentity();
    this.instance = randomUUID();
    this.ownerIdentity = { host: me.host, pid: me.pid, instance: this.instance };
    this.owner = ownerSignature(this.ownerIdentity);
    this.state = new LeaseWorkState(this.ownerIdentity);
    this.startedAt = iso(deps.clock.now());
    this.sealKey = new LedgerSealKey(deps.secretStore);
    setClaimOwnerLive(this.owner, true);
  }

  // ── the seal (ledger-seal.ts) ──

  /**
   * `lease` with its seal, the sealing key created on first need. When it is created now, the entries written
   * before it are sealed as they are (trust on first use: they were trusted unsealed until now).
   */
  async sealed(lease: Lease): Promise<Lease> {
    const { key, created } = await this.sealKey.ensure();
    if (created) {
      await this.update((d) => {
        for (const entry of d.all()) if (entry.seal === undefined && !entry.quarantined) d.put({ ...entry, seal: sealOf(key, entry) });
      });
    }
    return { ...lease, seal: sealOf(key, lease) };
  }

  /**
   * Whether Keyfob may act on the backend for this entry: its seal holds. With no sealing key yet (an install that
   * has not issued since sealing began) nothing is sealed, and every entry is trusted as before. Throws (a keychain
   * error) when the key cannot be read: the caller waits, as for any credential it cannot read.
   */
  async sealHolds(lease: Lease): Promise<boolean> {
    const key = await this.sealKey.current();
    return key === null || sealHolds(key, lease);
  }

  get concurrency(): number {
    return this.deps.maxConcurrency ?? DEFAULT_CONCURRENCY;
  }

  get random(): () => number {
    return this.deps.random ?? Math.random;
  }

  now(): number {
    return this.deps.clock.now();
  }

  // ── the ledger ──

  snapshot(): LedgerSnapshot {
    return this.deps.ledger.read();
  }

  /** Runs a ledger read-modify-write; afterwards this process's view of the revision is current. */
  async update<T>(change: (d: LedgerDraft) => T): Promise<T> {
    if (this.state.stopped) throw stoppedError();
    const result = await this.deps.ledger.update(change);
    this.lastRevision = this.deps.ledger.current().revision;
    return result;
  }

  /** A claim lasting `calls` request timeouts plus a margin. */
  claim(calls: number): LeaseClaim {
    const me = processIdentity();
    const timeout = this.deps.settings().request_timeout_seconds * 1000;
    return {
      owner: this.owner,
      host: me.host,
      pid: me.pid,
      instance: this.instance,
      started_at: this.startedAt,
      until: iso(this.now() + calls * timeout + 30_000),
    };
  }

  /** The lease with this id, or with this unambiguous id prefix (8 characters or more). */
  mustFind(leaseId: string): Lease {
    if (typeof leaseId !== 'string' || leaseId.trim() === '') {
      const message = 'is required';
      throw new KeyfobError('validation', `lease_id: ${message}`, { fields: [{ field: 'lease_id', message }] });
    }
    const id = leaseId.trim().toLowerCase();
    const leases = this.snapshot().leases;
    const exact = leases.get(id);
    if (exact) return exact;
    if (!isLeaseId(id) && !/^[0-9a-f-]{8,36}$/.test(id)) {
      const message = 'must be a lease id (a UUID, or its first 8 or more characters)';
      throw new KeyfobError('validation', `lease_id: ${message}`, { fields: [{ field: 'lease_id', message }] });
    }
    const matches = [...leases.values()].filter((l) => l.lease_id.startsWith(id));
    if (matches.length === 1) return matches[0] as Lease;
    if (matches.length > 1) {
      const message = `matches ${matches.length} leases: give more characters`;
      throw new KeyfobError('validation', `lease_id: ${message}`, { fields: [{ field: 'lease_id', message }] });
    }
    throw leaseNotFound(id);
  }

  // ── what the views see and the person is told ──

  view(lease: Lease): LeaseView {
    const view: LeaseView = { ...lease, idle_will_expire: this.state.idleWillExpire(lease) };
    if (lease.state === 'active') view.will_auto_renew = lease.expires_at !== null && whyNotRenewed(lease, this.state.memory) === null;
    return view;
  }

  /** Owns the lease: only its owner renews it automatically. */
  ownsLease(lease: Lease): boolean {
    return this.state.memory.renewsHere(lease);
  }

  /**
   * The lease ended: its secret leaves the keychain, and the clipboard if it still holds it. False when the keychain
   * refused (locked, unavailable): the key is dead on the proxy anyway, and only this clean-up is retried later.
   */
  async forgetSecret(leaseId: string): Promise<boolean> {
    if (this.state.stopped) return false; // the lease stays revoking; the next attempt (404) forgets the secret
    const removed = await this.deps.secretStore.delete(leaseAccount(leaseId)).then(() => true, () => false);
    await this.deps.clipboard.leaseEnded(leaseId).catch(() => false);
    return removed;
  }

  record(entry: AuditRecord): void {
    if (this.state.stopped) return;
    this.deps.audit.append(entry);
  }

  emit(event: LeaseEvent): void {
    if (this.state.stopped) return;
    for (const listener of this.state.listeners) {
      try {
        listener(event);
      } catch {
        // a view's bug must not break the lease manager
      }
    }
  }

  notify(n: Notification): void {
    if (this.state.stopped || !this.deps.settings().notifications) return;
    try {
      this.deps.notifier.notify(n);
    } catch {
      // notifications are best effort
    }
  }

  rearm(): void {
    this.deps.timer.rearm();
  }
}
