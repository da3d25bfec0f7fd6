// The lease ledger: `leases.json` in the state directory. It is the durable memory of every lease (Vault keeps its
// leases in storage for the same reason: a restart resumes every timer and every pending revocation). It never holds
// a key — only the token hash and a `sk-...abcd` hint. Writes are atomic (temp file, rename) and every
// read-modify-write runs under the cross-process state lock, so the app and the CLI never lose each other's changes.
//
// Durability: the threat model is a process killed at any instant (SIGKILL, a crash, a quit mid-call). A rename is
// atomic for that: the page cache survives the process, so every write is safe against it without fsync. fsync only
// adds safety against power loss and kernel crashes, and there LiteLLM's server-side `duration` is the safety net. So
// only the writes whose loss would leave a key nobody revokes are fsynced (file and directory): the write-ahead
// `pending` entry (written before `/key/generate`), a lease entering `revoking` (the person's decision to revoke,
// written before `/key/delete`), and the ledger's first write (its id is stamped on every key). Every other write —
// renewals, claims, `active`, ended states, retry counts — falls back, if lost to a power cut, to an earlier state
// that the next start handles conservatively (an earlier expiry, a pending issue cleaned up by alias, a revocation
// retried and answered 404).
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { KeyfobError } from '../errors.js';
import { StateLock, isProcessDead, processIdentity, stateError } from '../settings/index.js';
import type { Clock } from '../ports.js';
import { newDocument, parseLedger, serializeLedger, salvageLedgerId } from './ledger-format.js';
import type { LeaseClaim, LedgerDocument } from './ledger-format.js';
import type { Lease, LeaseOwner, LeaseState, Notice } from '../types.js';

export { LEDGER_FORMAT_VERSION, isLeaseId, salvageLedgerId, serializeLedger } from './ledger-format.js';
export type { LeaseClaim, LedgerDocument } from './ledger-format.js';

const DEFAULT_LEDGER_FILE = 'leases.json';
const DEFAULT_LOCK_FILE = 'state.lock';

/** Ended leases are history: kept for a while for the window and `keyfob list --all`, then pruned. */
const HISTORY_KEEP_MS = 30 * 24 * 3600_000;
const HISTORY_KEEP_COUNT = 500;

const TERMINAL: ReadonlySet<LeaseState> = new Set<LeaseState>(['revoked', 'expired']);

// Lease managers of this process that may still act on their claims: running ones, and stopped ones whose
// abandoned `/key/generate` has not settled yet. A claim with this process's pid and an owner not listed here is
// debris: of a stopped core, or of an earlier process that had the same pid (containers reuse small pids).
const liveClaimOwners = new Set<string>();

/** Marks `owner`'s claims as backed by a live lease manager in this process (or not, with `live` false). */
export function setClaimOwnerLive(owner: string, live: boolean): void {
  if (live) liveClaimOwners.add(owner);
  else liveClaimOwners.delete(owner);
}

export interface LedgerSnapshot {
  readonly ledgerId: string | null;
  readonly revision: number;
  readonly recoveryNeeded: boolean;
  readonly leases: ReadonlyMap<string, Lease>;
  readonly claims: ReadonlyMap<string, LeaseClaim>;
}

/**
 * The view a read-modify-write gets: change leases through `put`/`remove` so the ledger knows to write. The changes
 * are staged here and applied to the document only when it is written, so an unchanged ledger needs no copy.
 */
export class LedgerDraft {
  private readonly leases = new Map<string, Lease | null>();
  private readonly claims = new Map<string, LeaseClaim | null>();
  private recovery: boolean;
  private dirty = false;
  private mustSync = false;

  constructor(private readonly base: LedgerDocument) {
    this.recovery = base.recovery_needed;
  }

  get ledgerId(): string {
    return this.base.ledger_id;
  }

  get recoveryNeeded(): boolean {
    return this.recovery;
  }

  set recoveryNeeded(v: boolean) {
    if (this.recovery !== v) {
      this.recovery = v;
      this.dirty = true;
    }
  }

  get(leaseId: string): Lease | undefined {
    const lease = this.leases.has(leaseId) ? this.leases.get(leaseId) : this.base.leases[leaseId];
    return lease ? { ...lease } : undefined;
  }

  all(): Lease[] {
    const ids = new Set([...Object.keys(this.base.leases), ...this.leases.keys()]);
    return [...ids].map((id) => this.get(id)).filter((l): l is Lease => l !== undefined);
  }

  put(lease: Lease): void {
    // Entering a write-ahead state: the network call that follows must find this on disk even after a power cut.
    if ((lease.state === 'pending' || lease.state === 'revoking') && this.get(lease.lease_id)?.state !== lease.state) this.mustSync = true;
    this.leases.set(lease.lease_id, { ...lease });
    this.dirty = true;
  }

  remove(leaseId: string): void {
    if (this.get(leaseId) || this.claim(leaseId)) {
      this.leases.set(leaseId, null);
      this.claims.set(leaseId, null);
      this.dirty = true;
    }
  }

  claim(leaseId: string): LeaseClaim | undefined {
    const claim = this.claims.has(leaseId) ? this.claims.get(leaseId) : this.base.claims[leaseId];
    return claim ?? undefined;
  }

  setClaim(leaseId: string, claim: LeaseClaim | null): void {
    if (!claim && !this.claim(leaseId)) return;
    this.claims.set(leaseId, claim ? { ...claim } : null);
    this.dirty = true;
  }

  /** @internal */
  get changed(): boolean {
    return this.dirty;
  }

  /** @internal The change holds a write-ahead intent (see the durability note at the top): fsync it. */
  get durable(): boolean {
    return this.mustSync || this.base.revision === 0;
  }

  /**
   * @internal Applies the changes to the base document itself and returns it. In place, because copying a
   * 1,000-lease map on every change costs more than the change: the ledger drops its copy of the document if the
   * write then fails. Snapshots are unaffected (they hold maps of their own).
   */
  applyToBase(): LedgerDocument {
    const doc = this.base;
    for (const [id, lease] of this.leases) {
      if (lease) doc.leases[id] = lease;
      else delete doc.leases[id];
    }
    for (const [id, claim] of this.claims) {
      if (claim) doc.claims[id] = claim;
      else delete doc.claims[id];
    }
    doc.recovery_needed = this.recovery;
    return doc;
  }
}

export interface LeaseLedgerOptions {
  stateDir: string;
  clock: Clock;
  ledgerFile?: string;
  lockFile?: string;
  /** Lock waits (tests of stale locks use short ones). */
  lockStaleMs?: number;
  lockTimeoutMs?: number;
}

export class LeaseLedger {
  readonly path: string;
  readonly stateDir: string;
  private readonly clock: Clock;
  private readonly lock: StateLock;
  private cached: { signature: string; snapshot: LedgerSnapshot; doc: LedgerDocument | null } | null = null;
  private readonly pendingNotices: Notice[] = [];
  private closed = false;

  constructor(opts: LeaseLedgerOptions) {
    this.stateDir = path.resolve(opts.stateDir);
    this.path = path.join(this.stateDir, opts.ledgerFile ?? DEFAULT_LEDGER_FILE);
    this.clock = opts.clock;
    this.lock = new StateLock({
      path: path.join(this.stateDir, opts.lockFile ?? DEFAULT_LOCK_FILE),
      stamp: () => new Date(this.clock.now()).toISOString(),
      ...(opts.lockStaleMs === undefined ? {} : { staleMs: opts.lockStaleMs }),
      ...(opts.lockTimeoutMs === undefined ? {} : { timeoutMs: opts.lockTimeoutMs }),
    });
  }

  /** Messages for the person (a corrupt ledger was backed up); each is returned once. */
  takeNotices(): Notice[] {
    return this.pendingNotices.splice(0);
  }

  /**
   * The current ledger, without the lock (writes are atomic renames, so a reader never sees half a file).
   * Cheap when nothing changed: the file is parsed again only when its identity (inode, size, mtime) changed.
   * A corrupt file reads as empty here; the next locked update backs it up and starts the recovery.
   */
  read(): LedgerSnapshot {
    const signature = this.signature();
    if (this.cached && this.cached.signature === signature) return this.cached.snapshot;
    let snapshot: LedgerSnapshot;
    let doc: LedgerDocument | null = null;
    if (signature === 'missing') {
      snapshot = emptySnapshot(null, false);
    } else {
      const parsed = parseLedger(this.readText(), this.path);
      if (parsed.ok) {
        doc = parsed.doc;
        snapshot = toSnapshot(doc);
      } else {
        snapshot = emptySnapshot(null, true);
      }
    }
    this.cached = { signature, snapshot, doc };
    return snapshot;
  }

  /** The last snapshot read or written by this process (no I/O). */
  current(): LedgerSnapshot {
    return this.cached?.snapshot ?? this.read();
  }

  /**
   * Read-modify-write under the state lock. `change` runs synchronously against a fresh read of the file; the file
   * is rewritten only when the draft changed. Returns what `change` returned.
   */
  async update<T>(change: (draft: LedgerDraft) => T): Promise<T> {
    if (this.closed) throw ledgerClosed();
    return this.lock.withLock(() => {
      // Closed while this update waited for the lock: the owner promised that nothing more is written.
      if (this.closed) throw ledgerClosed();
      const doc = this.loadForUpdate();
      const draft = new LedgerDraft(doc);
      const result = change(draft);
      if (draft.changed || doc.revision === 0) {
        try {
          this.write(draft.applyToBase(), draft.durable);
        } catch (e) {
          this.cached = null; // the document was changed in place but not written: read it again next time
          throw e;
        }
      }
      return result;
    });
  }

  /**
   * No update after this one: later calls are refused. Updates already waiting for the lock in this process ran
   * before (the in-process queue is first come, first served) or are refused when their turn comes.
   */
  close(): void {
    this.closed = true;
  }

  private loadForUpdate(): LedgerDocument {
    // Unchanged since this process last read or wrote it: no need to read and parse it again.
    const signature = this.signature();
    if (this.cached?.doc && this.cached.signature === signature) return this.cached.doc;
    let text: string | null;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw stateError(this.stateDir, e);
      text = null;
    }
    if (text === null) return newDocument(randomUUID(), false);
    const parsed = parseLedger(text, this.path);
    if (parsed.ok) return parsed.doc;
    const backup = this.backupCorrupt(text);
    this.pendingNotices.push({
      kind: 'ledger-backed-up',
      text: `The lease ledger (${this.path}) was unreadable (${parsed.reason}); it was backed up to ${backup}. ` +
        'Keyfob will look for its keys on the proxy and recover or revoke them.',
    });
    return newDocument(salvageLedgerId(text) ?? randomUUID(), true);
  }

  private write(doc: LedgerDocument, durable: boolean): void {
    doc.revision += 1;
    this.prune(doc);
    const text = serializeLedger(doc);
    fs.mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(this.stateDir, `.${path.basename(this.path)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
    try {
      const fd = fs.openSync(tmp, 'wx', 0o600);
      try {
        fs.writeSync(fd, text);
        if (durable) fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.path);
    } catch (e) {
      try { fs.unlinkSync(tmp); } catch { /* never created */ }
      throw stateError(this.stateDir, e);
    }
    if (durable) syncDirectory(this.stateDir);
    this.cached = { signature: this.signature(), snapshot: toSnapshot(doc), doc };
  }

  private prune(doc: LedgerDocument): void {
    const ended = Object.values(doc.leases).filter((l) => TERMINAL.has(l.state));
    if (ended.length === 0) return;
    const horizon = this.clock.now() - HISTORY_KEEP_MS;
    ended.sort((a, b) => endedAt(b) - endedAt(a));
    ended.forEach((lease, i) => {
      if (i >= HISTORY_KEEP_COUNT || endedAt(lease) < horizon) {
        delete doc.leases[lease.lease_id];
        delete doc.claims[lease.lease_id];
      }
    });
  }

  private backupCorrupt(text: string): string {
    const stamp = new Date(this.clock.now()).toISOString().replace(/[:.]/g, '-');
    let backup = `${this.path}.corrupt-${stamp}`;
    for (let n = 1; fs.existsSync(backup); n++) backup = `${this.path}.corrupt-${stamp}-${n}`;
    try {
      fs.writeFileSync(backup, text, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // Never replace a ledger we could not back up.
      throw stateError(this.stateDir, e);
    }
    return backup;
  }

  private readText(): string {
    try {
      return fs.readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw stateError(this.stateDir, e);
    }
  }

  private signature(): string {
    try {
      const st = fs.statSync(this.path);
      return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw stateError(this.stateDir, e);
    }
  }
}

/**
 * True when a claim no longer protects its lease: expired, or its owner is gone — a lease manager of this process
 * that was stopped (or of an earlier process with the same pid), or another process on this host that has exited.
 */
export function isClaimVoid(claim: LeaseClaim, now: number): boolean {
  if (Date.parse(claim.until) <= now) return true;
  return isOwnerGone({ host: claim.host, pid: claim.pid, owner: claim.owner });
}

/**
 * True when the lease manager `owner` (`<host>:<pid>:<instance>`) certainly no longer exists: a stopped manager of
 * this process (or of an earlier process that had this pid), or a process on this host that has exited. A process
 * on another host cannot be checked: it counts as alive.
 */
export function isOwnerGone(who: { host: string; pid: number; owner: string }): boolean {
  if (who.host !== processIdentity().host) return false;
  if (who.pid === process.pid) return !liveClaimOwners.has(who.owner);
  return isProcessDead(who.pid);
}

/** The claim signature of a lease's owner, as `LeaseClaim.owner` spells it. */
export function ownerSignature(owner: LeaseOwner): string {
  return `${owner.host}:${owner.pid}:${owner.instance}`;
}

/** The lease's owner no longer exists (see isOwnerGone); a lease without a recorded owner has none alive. */
export function isLeaseOwnerGone(lease: Lease): boolean {
  return lease.owner === null || isOwnerGone({ host: lease.owner.host, pid: lease.owner.pid, owner: ownerSignature(lease.owner) });
}

/** Makes a rename durable (power loss). Not every platform can open a directory (Windows): best effort there. */
function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch {
    // EISDIR/EPERM/EINVAL on file systems that do not sync directories
  } finally {
    fs.closeSync(fd);
  }
}

function ledgerClosed(): KeyfobError {
  return new KeyfobError('state-unavailable', 'This Keyfob core has stopped: the lease ledger is closed.', {
    hint: 'Start Keyfob again.',
  });
}

/** Shares the document's (frozen) lease objects: a snapshot costs no copy, and no reader can change the ledger's. */
function toSnapshot(doc: LedgerDocument): LedgerSnapshot {
  return {
    ledgerId: doc.ledger_id,
    revision: doc.revision,
    recoveryNeeded: doc.recovery_needed,
    leases: new Map(Object.entries(doc.leases).map(([id, l]) => [id, deepFreeze(l)])),
    claims: new Map(Object.entries(doc.claims).map(([id, c]) => [id, Object.freeze(c)])),
  };
}

/** Frozen all the way down (models, last_error): what serializeLedger's cache relies on. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function emptySnapshot(ledgerId: string | null, recoveryNeeded: boolean): LedgerSnapshot {
  return { ledgerId, revision: 0, recoveryNeeded, leases: new Map(), claims: new Map() };
}

function endedAt(lease: Lease): number {
  return Date.parse(lease.ended_at ?? lease.issued_at) || 0;
}

