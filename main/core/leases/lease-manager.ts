// The lease manager: issue, renew, expire and revoke LiteLLM keys the way Vault treats leases. Every change goes
// through the ledger first (write-ahead), so a crash at any point leaves a record the next start can finish:
// a `pending` lease is in the ledger before `/key/generate` is sent, a `revoking` one before `/key/delete`.
// Timing lives in lease-scheduler.ts (the rules) and single-timer.ts (the one armed timer).
import { randomUUID } from 'node:crypto';
import { mapBounded, DEFAULT_CONCURRENCY } from './bounded-concurrency.js';
import { KeyfobError, isKeyfobError, redactKey, toKeyfobError } from '../errors.js';
import { normalizeRoleName, resolveTTLs, toLiteLLMDuration } from '../roles/index.js';
import { isClaimVoid, isLeaseId, setClaimOwnerLive } from './lease-ledger.js';
import { MAX_REVOKE_ATTEMPTS, cappedRenewal, hasExpired, msOrNull, nextAttemptMs, planLease, revokeBackoffMs } from './lease-scheduler.js';
import { processIdentity } from '../settings/index.js';
import { leaseAccount } from '../keychain/index.js';
import type { AuditLog, AuditRecord } from '../audit-log.js';
import type { ClipboardGuard } from '../clipboard-guard.js';
import type { LeaseOperations, RevokeSummary } from '../core-api.js';
import type { LeaseClaim, LeaseLedger, LedgerDraft, LedgerSnapshot } from './lease-ledger.js';
import { LedgerWriteBatch } from './ledger-write-batch.js';
import type { LedgerWrite } from './ledger-write-batch.js';
import type { LeaseWork, PlanMemory } from './lease-scheduler.js';
import type { GenerateKeyRequest, GeneratedKey, LiteLLMAdmin } from '../litellm/index.js';
import type { Activity, Clock, Notification, Notifier, SecretStore } from '../ports.js';
import type { DeadlineSource, SingleTimer } from '../single-timer.js';
import type { IssuedLease, Lease, LeaseEvent, LeaseView, Role, Settings } from '../types.js';

/** Why a lease ended (`ended_reason`). A `revoking` lease whose reason is EXPIRED ends as `expired`, else `revoked`. */
export const ENDED = {
  expired: 'expired',
  byPerson: 'revoked by person',
  gone: 'gone on the server',
  issueFailed: 'issue failed: the key may exist on the proxy',
  keychainFailed: 'the keychain could not store the key',
} as const;

/** Errors after which the proxy certainly did not create the key: nothing to clean up. */
const DEFINITE_REJECTIONS = new Set(['invalid-request', 'alias-taken', 'admin-key-rejected', 'no-database', 'not-found', 'dns', 'tls', 'not-connected', 'validation']);

const RENEW_RETRY_BASE_MS = 30_000;

/**
 * Reconcile records this many outcomes per ledger write: 1,000 stale leases take 20 rewrites, not 1,000. A crash
 * loses at most this many outcomes, each retried at the next start and answered 404 (already gone).
 */
const RECONCILE_WRITE_BATCH = 50;

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
  /** Runs a call with the admin client built from the current settings and stored admin key. */
  withClient: <T>(call: (client: LiteLLMAdmin) => Promise<T>) => Promise<T>;
  /** Stamped on every issued key (`keyfob_ledger` metadata) so recovery only ever touches this ledger's keys. */
  ledgerId: () => string;
  maxConcurrency?: number;
  /** Jitter source for retry back-off (tests pin it). */
  random?: () => number;
}

/** `abandoned`: the manager was stopped while the request was in flight; its answer is dropped (see `stop`). */
type RevokeOutcome = 'revoked' | 'failed' | 'busy' | 'abandoned';

export class LeaseManager implements LeaseOperations, DeadlineSource {
  /** This manager's claim signature: host, pid and an instance nonce. */
  readonly owner: string;
  /** The instance nonce (a UUID) in `owner` and in every claim. */
  readonly instance: string;
  private readonly startedAt: string;
  private readonly listeners = new Set<(event: LeaseEvent) => void>();
  /** Issues and revocations this manager is carrying out right now (claimed in the ledger). */
  private readonly inFlight = new Set<string>();
  /** lease id → the expiry whose renewal was skipped (cleared by refresh(), when the person may be back). */
  private readonly renewalSkipped = new Map<string, string>();
  /** `${id}@${expires_at}`: renewal-skipped already announced for this renew point. */
  private readonly skipAnnounced = new Set<string>();
  private readonly warnedFor = new Set<string>();
  private readonly renewRetry = new Map<string, { failures: number; at: number }>();
  /** Renewals in flight: not renewed twice at once (a revocation may still overtake them). */
  private readonly renewing = new Set<string>();
  /** Claimed leases whose delete request has started (a quit deadline releases the others). */
  private readonly started = new Set<string>();
  /** Issues whose `/key/generate` is in flight: their claims outlive `stop()` until the call settles. */
  private readonly generating = new Set<string>();
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private lastRevision = -1;
  private readonly notices: string[] = [];
  private readonly memory: PlanMemory;

  constructor(private readonly deps: LeaseManagerDeps) {
    const me = processIdentity();
    this.instance = randomUUID();
    this.owner = `${me.host}:${me.pid}:${this.instance}`;
    this.startedAt = iso(deps.clock.now());
    setClaimOwnerLive(this.owner, true);
    this.memory = {
      renewalSkipped: (id, expiresAt) => this.renewalSkipped.get(id) === expiresAt,
      warned: (id, expiresAt) => this.warnedFor.has(`${id}@${expiresAt}`),
      renewRetryAt: (id) => this.renewRetry.get(id)?.at,
      inFlight: (id) => this.inFlight.has(id) || this.renewing.has(id),
    };
  }

  // ── reading ──────────────────────────────────────────────────────────────────────────────────────────────────

  list(opts: { all?: boolean } = {}): LeaseView[] {
    const leases = [...this.snapshot().leases.values()];
    return leases
      .filter((l) => opts.all || isLive(l))
      .sort((a, b) => b.issued_at.localeCompare(a.issued_at))
      .map((l) => this.view(l));
  }

  get(leaseId: string): LeaseView {
    return this.view(this.mustFind(leaseId));
  }

  /**
   * Re-reads the ledger (another process may have changed it), forgets idle skips (the person may be back, so a
   * lease past its renew point gets another chance) and re-arms the timer. Call on resume, unlock, clock jumps.
   */
  refresh(): void {
    this.renewalSkipped.clear();
    this.sync();
  }

  on(listener: (event: LeaseEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Messages for the person (a corrupt ledger was backed up, recovery results); each returned once. */
  takeNotices(): string[] {
    return [...this.deps.ledger.takeNotices(), ...this.notices.splice(0)];
  }

  /** Resolves when no scheduled work is running (tests; quit). */
  async settled(): Promise<void> {
    await this.deps.timer.settled();
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
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    this.stopped = true;
    const now = this.deps.clock.now();
    try {
      // Only this manager writes its claims, so its own last view of the ledger knows them all.
      const mine = [...this.deps.ledger.current().claims].filter(([, c]) => c.owner === this.owner).map(([id]) => id);
      if (mine.length > 0) await this.deps.ledger.update((d) => this.releaseClaims(d, mine, now));
    } catch {
      // The state directory cannot be read or written: the claims run out on their own at their `until`.
    }
    this.deps.ledger.close();
    this.dropOwnerWhenIdle();
  }

  private releaseClaims(d: LedgerDraft, ids: readonly string[], now: number): void {
    for (const id of ids) {
      const lease = d.get(id);
      if (!lease || d.claim(id)?.owner !== this.owner || this.generating.has(id)) continue;
      d.setClaim(id, null);
      if (lease.state !== 'revoking' && lease.state !== 'pending') continue;
      const interrupted = this.started.has(id)
        ? new KeyfobError('timeout', 'Keyfob stopped before the proxy answered; the request will be sent again.').toJSON()
        : lease.last_error;
      d.put({ ...lease, next_attempt_at: iso(now), last_error: interrupted });
    }
  }

  /** After `stop`, the claims of this manager are void once no `/key/generate` of it is in flight any more. */
  private dropOwnerWhenIdle(): void {
    if (this.stopped && this.generating.size === 0) setClaimOwnerLive(this.owner, false);
  }

  /** Picks up another process's changes: re-read, tell the views, re-arm. */
  sync(): void {
    const snap = this.snapshot();
    if (snap.revision !== this.lastRevision) {
      const first = this.lastRevision === -1;
      this.lastRevision = snap.revision;
      if (!first) this.emit({ type: 'changed' });
    }
    this.deps.timer.rearm();
  }

  // ── issue ────────────────────────────────────────────────────────────────────────────────────────────────────

  async issue(roleName: string): Promise<IssuedLease> {
    const role = this.deps.role(roleName);
    const settings = this.deps.settings();
    const { ttl, maxTtl } = resolveTTLs(role, settings);
    const now = this.deps.clock.now();
    const leaseId = randomUUID();
    // A fresh suffix every time: a retried issue never reuses an alias (LiteLLM requires unique aliases).
    const alias = `${role.key_alias_prefix}-${role.name}-${randomUUID().slice(0, 8)}`;
    const pending: Lease = {
      lease_id: leaseId,
      role: role.name,
      key_alias: alias,
      token_hash: null,
      key_hint: null,
      models: [...role.models],
      max_budget: role.max_budget,
      issued_at: iso(now),
      expires_at: null,
      max_expires_at: maxTtl > 0 ? iso(now + maxTtl * 1000) : null,
      ttl_seconds: ttl,
      renewable: ttl > 0,
      state: 'pending',
      revoke_attempts: 0,
      next_attempt_at: null,
      ended_reason: null,
      ended_at: null,
      last_error: null,
    };

    // Not connected: say so before anything is written.
    await this.deps.withClient(async () => undefined);

    this.inFlight.add(leaseId);
    try {
      // Write-ahead: the alias is on disk before the proxy can create anything under it. Should the claim be left
      // behind, its end is when the cleanup is due.
      const claim = this.claim(3);
      pending.next_attempt_at = claim.until;
      await this.update((d) => {
        d.put(pending);
        d.setClaim(leaseId, claim);
      });

      let generated: GeneratedKey;
      this.generating.add(leaseId);
      try {
        generated = await this.deps.withClient((c) => c.generateKey(this.generateRequest(role, leaseId, alias, ttl)));
      } catch (e) {
        // Stopped meanwhile: the pending entry stays for whoever comes next (its cleanup by alias is harmless).
        if (this.stopped) throw stoppedError();
        return await this.issueFailed(pending, toKeyfobError(e));
      } finally {
        this.generating.delete(leaseId);
        this.dropOwnerWhenIdle();
      }
      if (this.stopped) return await this.abandonIssued(generated.token);

      const active: Lease = {
        ...pending,
        state: 'active',
        token_hash: generated.token,
        key_hint: redactKey(generated.key),
        expires_at: normalizeIso(generated.expires) ?? (ttl > 0 ? iso(now + ttl * 1000) : null),
        next_attempt_at: null,
      };

      try {
        await this.deps.secretStore.set(leaseAccount(leaseId), generated.key);
      } catch (e) {
        if (this.stopped) return await this.abandonIssued(generated.token);
        return await this.discardIssued(active, toKeyfobError(e), ENDED.keychainFailed);
      }
      if (this.stopped) {
        await this.deps.secretStore.delete(leaseAccount(leaseId)).catch(() => false);
        return await this.abandonIssued(generated.token);
      }

      let recorded: boolean;
      let recordError: KeyfobError | null = null;
      try {
        recorded = await this.update((d) => {
          // Our claim ran out while we waited (a keychain prompt?) and another process cleaned the entry up.
          if (d.get(leaseId)?.state !== 'pending' || d.claim(leaseId)?.owner !== this.owner) return false;
          d.put(active);
          d.setClaim(leaseId, null);
          return true;
        });
      } catch (e) {
        recorded = false;
        recordError = toKeyfobError(e);
      }
      if (!recorded) {
        // The key exists and is stored, but the ledger cannot say so: take it back rather than leave it unknown.
        await this.deps.secretStore.delete(leaseAccount(leaseId)).catch(() => false);
        const err = recordError ?? new KeyfobError('internal', 'Another Keyfob process cleaned up this lease while it was being issued. Try again.');
        return await this.discardIssued(active, err, 'the ledger could not record the key');
      }

      const view = this.view(active);
      this.record({ action: 'issue', outcome: 'ok', ...ids(active), detail: `ttl ${ttl}s, max ttl ${maxTtl}s` });
      this.emit({ type: 'issued', lease: view });
      return { lease: view, key: generated.key };
    } finally {
      this.inFlight.delete(leaseId);
      this.deps.timer.rearm();
    }
  }

  private generateRequest(role: Role, leaseId: string, alias: string, ttl: number): GenerateKeyRequest {
    const req: GenerateKeyRequest = {
      models: [...role.models],
      key_alias: alias,
      metadata: { ...role.metadata, keyfob_role: role.name, keyfob_lease_id: leaseId, keyfob_ledger: this.deps.ledgerId() },
    };
    if (ttl > 0) req.duration = toLiteLLMDuration(ttl);
    if (role.max_budget > 0) req.max_budget = role.max_budget;
    if (role.budget_duration) req.budget_duration = role.budget_duration;
    if (role.tpm_limit !== null) req.tpm_limit = role.tpm_limit;
    if (role.rpm_limit !== null) req.rpm_limit = role.rpm_limit;
    if (role.max_parallel_requests !== null) req.max_parallel_requests = role.max_parallel_requests;
    if (role.team_id) req.team_id = role.team_id;
    if (role.user_id) req.user_id = role.user_id;
    return req;
  }

  /**
   * The manager was stopped while the key was being issued: nothing may be written any more, and nobody will hold
   * the key, so it is deleted on the proxy at once. The `pending` entry left in the ledger is cleaned up (by alias,
   * answered 404) by whoever comes next.
   */
  private async abandonIssued(token: string): Promise<never> {
    await this.deps.withClient((c) => c.deleteKeys({ keys: [token] })).catch(() => undefined);
    throw stoppedError();
  }

  /** `/key/generate` failed. A definite rejection leaves nothing behind; an ambiguous failure may have created the key. */
  private async issueFailed(pending: Lease, err: KeyfobError): Promise<never> {
    const base = { ...ids(pending) };
    if (isDefiniteRejection(err)) {
      await this.update((d) => d.remove(pending.lease_id));
      this.record({ action: 'issue', outcome: 'failed', ...base, detail: `${err.kind}: ${err.message}` });
      throw err;
    }
    // Ambiguous (timeout, reset, 5xx): the proxy may have created the key. Delete it by alias now. After an answer
    // (5xx) the generate is over, so "none found" settles it; after a timeout or a reset the proxy may still be
    // working on the generate we gave up on, so only a delete that found the key settles it — otherwise the entry
    // stays `pending` and is swept again once that generate has surely ended.
    const generateOver = err.status !== undefined;
    let cleaned = false;
    let maybeStillGenerating = false;
    try {
      const { alreadyGone } = await this.deps.withClient((c) => c.deleteKeys({ key_aliases: [pending.key_alias] }));
      cleaned = generateOver || !alreadyGone;
      maybeStillGenerating = !cleaned;
    } catch {
      // the proxy is still unwell: leave the entry for the retries and the next start
    }
    if (cleaned) {
      await this.update((d) => d.remove(pending.lease_id));
      this.record({ action: 'issue', outcome: 'failed', ...base, detail: `${err.kind}: ${err.message}; no key left on the proxy` });
      throw new KeyfobError(err.kind, `Issuing a key for role "${pending.role}" failed: ${err.message} No key was left on the proxy.`, {
        hint: err.hint ?? 'Try again in a moment.',
        status: err.status,
        cause: err,
      });
    }
    const now = this.deps.clock.now();
    // A "none found" that proves nothing: sweep again once that generate has surely ended (a request timeout and a
    // margin), not at the first back-off, which could come before the key does.
    const backoff = revokeBackoffMs(1, this.random);
    const sweepAfter = maybeStillGenerating ? Math.max(backoff, this.deps.settings().request_timeout_seconds * 1000 + 30_000) : backoff;
    await this.update((d) => {
      d.put({ ...pending, revoke_attempts: 1, next_attempt_at: iso(now + sweepAfter), last_error: err.toJSON() });
      d.setClaim(pending.lease_id, null);
    });
    this.record({ action: 'issue', outcome: 'failed', ...base, detail: `${err.kind}: ${err.message}; cleanup pending` });
    throw new KeyfobError(
      err.kind,
      `Issuing a key for role "${pending.role}" failed: ${err.message} The proxy may have created the key "${pending.key_alias}"; ` +
        'Keyfob will delete it as soon as the proxy answers.',
      { hint: err.hint ?? 'Check the connection to the proxy.', status: err.status, cause: err },
    );
  }

  /** The key was created but cannot be kept (keychain or ledger failed): delete it on the proxy, never leave it unknown. */
  private async discardIssued(active: Lease, err: KeyfobError, why: string): Promise<never> {
    try {
      await this.deps.withClient((c) => c.deleteKeys({ keys: [active.token_hash as string] }));
      await this.update((d) => d.remove(active.lease_id)).catch(() => undefined);
      this.record({ action: 'issue', outcome: 'failed', ...ids(active), detail: `${why}: ${err.message}; key deleted on the proxy` });
    } catch (deleteError) {
      const del = toKeyfobError(deleteError);
      const now = this.deps.clock.now();
      await this.update((d) => {
        d.put({
          ...active,
          state: 'revoking',
          ended_reason: why,
          revoke_attempts: 1,
          next_attempt_at: iso(now + revokeBackoffMs(1, this.random)),
          last_error: del.toJSON(),
        });
        d.setClaim(active.lease_id, null);
      }).catch(() => undefined);
      this.record({ action: 'issue', outcome: 'failed', ...ids(active), detail: `${why}: ${err.message}; deleting the key failed (${del.kind}), retrying` });
    }
    throw err;
  }

  // ── renew ────────────────────────────────────────────────────────────────────────────────────────────────────

  async renew(leaseId: string, incrementSeconds?: number): Promise<LeaseView> {
    const lease = this.mustFind(leaseId);
    if (lease.state !== 'active') {
      throw new KeyfobError('not-renewable', `Lease ${lease.key_alias} is ${lease.state}: only an active lease can be renewed.`);
    }
    if (!lease.renewable || lease.ttl_seconds <= 0) {
      throw new KeyfobError('not-renewable', `Lease ${lease.key_alias} is not renewable (its role has no TTL).`, { hint: 'Issue a new key instead.' });
    }
    if (hasExpired(lease, this.deps.clock.now())) {
      // Expiry is revocation: /key/update would re-base the dead key's expiry on now and bring it back to life.
      this.deps.timer.rearm();
      throw new KeyfobError('not-renewable', `Lease ${lease.key_alias} has expired: its key is being revoked.`, { hint: 'Issue a new key.' });
    }
    const increment = incrementSeconds ?? lease.ttl_seconds;
    if (!Number.isInteger(increment) || increment <= 0) {
      const message = 'must be a whole number of seconds greater than 0';
      throw new KeyfobError('validation', `increment: ${message}`, { fields: [{ field: 'increment', message }] });
    }
    const now = this.deps.clock.now();
    const { seconds, capped } = cappedRenewal(lease, now, increment);
    const atCap = capped && now + seconds * 1000 <= (msOrNull(lease.expires_at) ?? 0);
    if (seconds < 1 || atCap) {
      throw new KeyfobError('not-renewable', `Lease ${lease.key_alias} has reached its max TTL: it cannot be renewed past ${lease.max_expires_at}.`, {
        hint: 'Issue a new key when this one expires.',
      });
    }
    return this.sendRenewal(lease, seconds, capped, 'person');
  }

  private async sendRenewal(lease: Lease, seconds: number, capped: boolean, by: 'person' | 'auto'): Promise<LeaseView> {
    const id = lease.lease_id;
    const sentAt = this.deps.clock.now();
    let expires: string | null;
    this.renewing.add(id);
    try {
      const token = lease.token_hash;
      if (!token) throw new KeyfobError('internal', `Lease ${lease.key_alias} has no token hash to renew it by.`);
      const answer = await this.deps.withClient((c) => c.renewKey(token, seconds));
      expires = normalizeIso(answer.expires) ?? iso(sentAt + seconds * 1000);
    } catch (e) {
      const err = toKeyfobError(e);
      if (err.kind === 'not-found') {
        const gone = await this.markGone(lease);
        throw new KeyfobError('not-found', `The key ${gone.key_alias} no longer exists on the proxy; its lease has been closed.`, {
          hint: 'Issue a new key.',
          status: err.status,
        });
      }
      this.record({ action: 'renew', outcome: 'failed', ...ids(lease), detail: `${by}: ${err.kind}: ${err.message}` });
      throw err;
    } finally {
      this.renewing.delete(id);
    }

    const updated = await this.update((d) => {
      const current = d.get(id);
      if (!current || current.state !== 'active') return current ?? null; // revoked meanwhile: the revocation wins
      const next = { ...current, expires_at: expires, last_error: null };
      d.put(next);
      return next;
    });
    this.renewalSkipped.delete(id);
    this.renewRetry.delete(id);
    this.deps.timer.rearm();
    if (!updated) throw leaseNotFound(id);
    const view = this.view(updated);
    if (updated.state === 'active') {
      this.record({ action: 'renew', outcome: 'ok', ...ids(updated), detail: `${by}: +${seconds}s${capped ? ' (capped at the max TTL)' : ''}` });
      this.emit({ type: 'renewed', lease: view, capped });
    }
    return view;
  }

  /** The proxy no longer knows the key (deleted by an admin, or the database was reset). */
  private async markGone(lease: Lease): Promise<Lease> {
    const now = this.deps.clock.now();
    const gone = await this.update((d) => {
      const current = d.get(lease.lease_id) ?? lease;
      const next: Lease = { ...current, state: 'revoked', ended_reason: ENDED.gone, ended_at: iso(now), next_attempt_at: null };
      d.put(next);
      d.setClaim(lease.lease_id, null);
      return next;
    });
    await this.forgetSecret(gone.lease_id);
    const view = this.view(gone);
    this.record({ action: 'renew', outcome: 'failed', ...ids(gone), detail: 'the key no longer exists on the proxy' });
    this.emit({ type: 'gone', lease: view });
    this.notify({ title: 'Key gone', body: `The key ${gone.key_alias} no longer exists on the LiteLLM proxy.`, urgency: 'normal' });
    this.deps.timer.rearm();
    return gone;
  }

  // ── revoke ───────────────────────────────────────────────────────────────────────────────────────────────────

  async revoke(leaseId: string, reason: string = ENDED.byPerson): Promise<LeaseView> {
    const lease = this.mustFind(leaseId);
    if (lease.state === 'revoked' || lease.state === 'expired') return this.view(lease);
    await this.revokeMany([lease], reason, { force: true });
    return this.get(lease.lease_id);
  }

  async revokeRole(role: string): Promise<RevokeSummary> {
    const name = normalizeRoleName(String(role));
    const targets = [...this.snapshot().leases.values()].filter((l) => l.role === name && isLive(l));
    return this.revokeMany(targets, ENDED.byPerson, { force: true });
  }

  /**
   * `deadlineMs` bounds the whole call: a duration in ms (e.g. 5000 at quit), or an absolute epoch instant when it is
   * larger than 10^11. Past it no new request starts and the call returns; the rest stays `revoking` for later.
   */
  async revokeAll(opts: { reason?: string; deadlineMs?: number } = {}): Promise<RevokeSummary> {
    const targets = [...this.snapshot().leases.values()].filter(isLive);
    let deadlineAt: number | undefined;
    if (opts.deadlineMs !== undefined) deadlineAt = opts.deadlineMs > 1e11 ? opts.deadlineMs : this.deps.clock.now() + opts.deadlineMs;
    return this.revokeMany(targets, opts.reason ?? ENDED.byPerson, { force: true, deadlineAt });
  }

  /**
   * Revokes `targets`: one ledger write marks them all `revoking` (write-ahead), then the deletes run with bounded
   * concurrency. `force` is a person's request: it ignores the retry back-off and retries irrevocable leases.
   */
  private async revokeMany(targets: readonly Lease[], reason: string, opts: { force: boolean; deadlineAt?: number }): Promise<RevokeSummary> {
    const { force, deadlineAt } = opts;
    const ids = new Set(targets.map((l) => l.lease_id));
    if (ids.size === 0) return { revoked: 0, failed: 0, left: [] };
    const now = this.deps.clock.now();

    // Write-ahead, one ledger write for all: every target is `revoking`, claimed by us, before any request.
    const claimed = await this.update((d) => {
      const out: Lease[] = [];
      for (const id of ids) {
        const next = this.claimForRevoke(d, id, reason, now, force);
        if (next) out.push(next);
      }
      return out;
    });
    for (const l of claimed) this.inFlight.add(l.lease_id);
    if (claimed.length) this.emit({ type: 'changed' });

    let stop = false;
    const work = mapBounded(claimed, (lease) => this.attemptRevoke(lease), {
      limit: this.concurrency,
      stopped: () => stop,
    });

    let counted: Array<PromiseSettledResult<RevokeOutcome> | undefined>;
    if (deadlineAt === undefined) {
      counted = await work;
    } else {
      let timer: { cancel(): void } | undefined;
      const deadline = new Promise<'deadline'>((resolve) => {
        timer = this.deps.clock.setTimeout(() => resolve('deadline'), Math.max(0, deadlineAt - this.deps.clock.now()));
      });
      const winner = await Promise.race([work, deadline]);
      timer?.cancel();
      if (winner === 'deadline') {
        stop = true;
        counted = [];
        // Those never started: release them (still `revoking`) so the scheduler or the next start retries them.
        await this.releaseUnstarted(claimed);
      } else {
        counted = winner;
      }
    }

    const revoked = counted.filter((r) => r?.status === 'fulfilled' && r.value === 'revoked').length;
    const failed = counted.filter((r) => r?.status === 'rejected' || (r?.status === 'fulfilled' && r.value === 'failed')).length;
    const snap = this.snapshot();
    const left = [...ids]
      .map((id) => snap.leases.get(id))
      .filter((l): l is Lease => !!l && isLive(l))
      .map((l) => this.view(l));
    this.deps.timer.rearm();
    return { revoked, failed, left };
  }

  /**
   * Under the lock: move a lease to `revoking` (recording why) and claim it — unless someone else is on it, or, for
   * scheduled work, the ledger changed since the plan was made (renewed by another process, retry not yet due).
   */
  private claimForRevoke(d: LedgerDraft, id: string, reason: string, now: number, force: boolean): Lease | null {
    const current = d.get(id);
    if (!current || !isLive(current)) return null;
    const claim = d.claim(id);
    if (claim && claim.owner !== this.owner && !isClaimVoid(claim, now)) return null;
    if (this.inFlight.has(id)) return null;
    if (!force) {
      if (current.state === 'irrevocable') return null;
      if (current.state === 'active' && (msOrNull(current.expires_at) ?? Infinity) > now) return null;
      if ((current.state === 'revoking' || current.state === 'pending') && nextAttemptMs(current, claim, now) > now) return null;
    }
    const mine = this.claim(2);
    // While claimed, the next attempt is due when the claim ends: a lease on its way out always has a deadline, even
    // if this manager never gets to record the outcome.
    const next: Lease = current.state === 'pending'
      ? { ...current, next_attempt_at: mine.until } // an abandoned issue: cleaned up by alias, stays pending until then
      : {
        ...current,
        state: 'revoking',
        ended_reason: current.state === 'active' ? reason : current.ended_reason ?? reason,
        // A person's new attempt on an irrevocable lease starts a fresh series.
        revoke_attempts: current.state === 'irrevocable' ? 0 : current.revoke_attempts,
        next_attempt_at: mine.until,
      };
    d.put(next);
    d.setClaim(id, mine);
    return next;
  }

  private async releaseUnstarted(claimed: readonly Lease[]): Promise<void> {
    const unstarted = claimed.filter((l) => this.inFlight.has(l.lease_id) && !this.started.has(l.lease_id));
    for (const l of unstarted) this.inFlight.delete(l.lease_id);
    if (!unstarted.length) return;
    const now = this.deps.clock.now();
    await this.update((d) => {
      for (const l of unstarted) {
        if (d.claim(l.lease_id)?.owner !== this.owner) continue;
        d.setClaim(l.lease_id, null);
        const current = d.get(l.lease_id);
        if (current && (current.state === 'revoking' || current.state === 'pending')) d.put({ ...current, next_attempt_at: iso(now) });
      }
    }).catch(() => undefined);
  }

  /**
   * One `/key/delete` for a claimed lease (by token hash; by alias for an abandoned issue). 404 counts as success.
   * Success ends the lease and deletes its secret; failure schedules a jittered retry, or makes it irrevocable.
   */
  private async attemptRevoke(lease: Lease, write: LedgerWrite = (change) => this.update(change)): Promise<RevokeOutcome> {
    const id = lease.lease_id;
    this.inFlight.add(id);
    this.started.add(id);
    try {
      const target = lease.token_hash ? { keys: [lease.token_hash] } : { key_aliases: [lease.key_alias] };
      let failure: KeyfobError | null = null;
      try {
        await this.deps.withClient((c) => c.deleteKeys(target));
      } catch (e) {
        failure = toKeyfobError(e); // a 404 never gets here: deleteKeys answers it as already gone
      }
      // Stopped meanwhile: `stop` released the claim and recorded the interruption; the next attempt answers 404.
      if (this.stopped) return 'abandoned';
      return failure ? await this.revokeFailed(lease, failure, write) : await this.revokeSucceeded(lease, write);
    } finally {
      this.inFlight.delete(id);
      this.started.delete(id);
    }
  }

  private async revokeSucceeded(lease: Lease, write: LedgerWrite): Promise<RevokeOutcome> {
    const id = lease.lease_id;
    // The secret goes before the ledger says "ended": a crash in between leaves a `revoking` lease, retried (404).
    await this.forgetSecret(id);
    const now = this.deps.clock.now();
    const ended = await write((d) => {
      const current = d.get(id) ?? lease;
      if (current.state === 'pending') {
        d.remove(id);
        return null;
      }
      const next: Lease = {
        ...current,
        state: current.ended_reason === ENDED.expired ? 'expired' : 'revoked',
        ended_at: iso(now),
        next_attempt_at: null,
        last_error: null,
      };
      d.put(next);
      d.setClaim(id, null);
      return next;
    });
    this.renewRetry.delete(id);
    this.renewalSkipped.delete(id);
    if (!ended) {
      this.record({ action: 'reconcile', outcome: 'ok', ...ids(lease), detail: 'unfinished issue cleaned up on the proxy' });
      this.emit({ type: 'changed' });
      return 'revoked';
    }
    const view = this.view(ended);
    if (ended.state === 'expired') {
      this.record({ action: 'expire', outcome: 'ok', ...ids(ended), detail: 'expired; key deleted on the proxy' });
      this.emit({ type: 'expired', lease: view });
    } else {
      this.record({ action: 'revoke', outcome: 'ok', ...ids(ended), detail: ended.ended_reason ?? undefined });
      this.emit({ type: 'revoked', lease: view });
    }
    return 'revoked';
  }

  private async revokeFailed(lease: Lease, err: KeyfobError, write: LedgerWrite): Promise<RevokeOutcome> {
    const id = lease.lease_id;
    const now = this.deps.clock.now();
    const next = await write((d) => {
      const current = d.get(id) ?? lease;
      const failures = current.revoke_attempts + 1;
      const giveUp = failures >= MAX_REVOKE_ATTEMPTS;
      const updated: Lease = {
        ...current,
        state: giveUp ? 'irrevocable' : current.state,
        revoke_attempts: failures,
        next_attempt_at: giveUp ? null : iso(now + revokeBackoffMs(failures, this.random)),
        last_error: err.toJSON(),
        ended_reason: current.ended_reason ?? (current.state === 'pending' ? ENDED.issueFailed : ENDED.byPerson),
      };
      if (giveUp) updated.ended_at = iso(now);
      d.put(updated);
      d.setClaim(id, null);
      return updated;
    });
    const view = this.view(next);
    this.record({
      action: lease.ended_reason === ENDED.expired ? 'expire' : 'revoke',
      outcome: 'failed',
      ...ids(next),
      detail: `attempt ${next.revoke_attempts}: ${err.kind}: ${err.message}`,
    });
    this.emit({ type: 'revoke-failed', lease: view, error: err.toJSON() });
    if (next.state === 'irrevocable') {
      this.emit({ type: 'irrevocable', lease: view });
      this.notify({
        title: 'A key could not be revoked',
        body:
          `Keyfob gave up revoking ${next.key_alias}${next.key_hint ? ` (${next.key_hint})` : ''} after ${next.revoke_attempts} attempts ` +
          `(${err.message}). Delete it by hand in the LiteLLM admin UI.`,
        urgency: 'critical',
      });
    } else if (next.revoke_attempts === 1) {
      this.notify({
        title: 'Revoking a key failed',
        body: `${next.key_alias}: ${err.message} Keyfob will keep retrying.`,
        urgency: 'normal',
      });
    }
    return 'failed';
  }

  // ── copy and reveal ──────────────────────────────────────────────────────────────────────────────────────────

  async copyRoleKey(roleName: string): Promise<{ lease: LeaseView; issued: boolean }> {
    const role = this.deps.role(roleName);
    const now = this.deps.clock.now();
    const live = [...this.snapshot().leases.values()]
      .filter((l) => l.role === role.name && l.state === 'active' && (msOrNull(l.expires_at) ?? Infinity) > now)
      .sort((a, b) => (msOrNull(b.expires_at) ?? Infinity) - (msOrNull(a.expires_at) ?? Infinity));
    for (const lease of live) {
      const key = await this.deps.secretStore.get(leaseAccount(lease.lease_id));
      if (key) {
        await this.deps.clipboard.copy(key, lease.lease_id);
        return { lease: this.view(lease), issued: false };
      }
    }
    const { lease, key } = await this.issue(role.name);
    await this.deps.clipboard.copy(key, lease.lease_id);
    return { lease, issued: true };
  }

  async copyLeaseKey(leaseId: string): Promise<LeaseView> {
    const { lease, key } = await this.liveKey(leaseId);
    await this.deps.clipboard.copy(key, lease.lease_id);
    return this.view(lease);
  }

  async revealKey(leaseId: string): Promise<string> {
    return (await this.liveKey(leaseId)).key;
  }

  private async liveKey(leaseId: string): Promise<{ lease: Lease; key: string }> {
    const lease = this.mustFind(leaseId);
    if (lease.state !== 'active' || hasExpired(lease, this.deps.clock.now())) {
      throw new KeyfobError('lease-not-found', `Lease ${lease.key_alias} is ${lease.state === 'active' ? 'expired' : lease.state}: its key no longer works.`, {
        hint: 'Issue a new key.',
      });
    }
    const key = await this.deps.secretStore.get(leaseAccount(lease.lease_id));
    if (!key) {
      throw new KeyfobError('lease-not-found', `The key of ${lease.key_alias} is no longer in the keychain.`, { hint: 'Revoke this lease and issue a new key.' });
    }
    return { lease, key };
  }

  // ── the scheduler's side ─────────────────────────────────────────────────────────────────────────────────────

  nextDeadline(now: number): number | null {
    const snap = this.snapshot();
    let earliest: number | null = null;
    for (const lease of snap.leases.values()) {
      const plan = planLease(lease, snap.claims.get(lease.lease_id), now, this.memory, this.owner);
      const at = plan.due ? now : plan.next;
      if (at !== null && (earliest === null || at < earliest)) earliest = at;
    }
    return earliest;
  }

  async run(now: number): Promise<void> {
    const snap = this.snapshot();
    const due: Array<{ lease: Lease; work: LeaseWork }> = [];
    for (const lease of snap.leases.values()) {
      const plan = planLease(lease, snap.claims.get(lease.lease_id), now, this.memory, this.owner);
      if (plan.due) due.push({ lease, work: plan.due });
    }
    this.forgetStaleMemory(snap);
    await mapBounded(due, ({ lease, work }) => this.doWork(lease, work), { limit: this.concurrency });
  }

  private async doWork(lease: Lease, work: LeaseWork): Promise<void> {
    switch (work) {
      case 'renew':
        return this.autoRenew(lease);
      case 'warn':
        return this.warnExpiringSoon(lease);
      case 'expire':
        await this.revokeMany([lease], ENDED.expired, { force: false });
        return;
      case 'revoke':
      case 'cleanup-pending':
        await this.revokeMany([lease], lease.ended_reason ?? ENDED.byPerson, { force: false });
        return;
    }
  }

  private async autoRenew(lease: Lease): Promise<void> {
    const expiresAt = lease.expires_at as string;
    const activity = this.deps.activity.current();
    const threshold = this.deps.settings().idle_threshold_seconds;
    if (activity.locked || activity.idleSeconds >= threshold) {
      this.renewalSkipped.set(lease.lease_id, expiresAt);
      const key = `${lease.lease_id}@${expiresAt}`;
      if (!this.skipAnnounced.has(key)) {
        this.skipAnnounced.add(key);
        const reason = activity.locked ? 'locked' : 'idle';
        const view = this.view(lease);
        this.record({ action: 'renew', outcome: 'skipped', ...ids(lease), detail: `person ${reason}; the lease will expire at ${expiresAt}` });
        this.emit({ type: 'renewal-skipped', lease: view, reason });
        this.notify({
          title: 'Key not renewed',
          body: `${lease.key_alias} was not renewed because you were ${reason === 'locked' ? 'away (screen locked)' : 'idle'}; it expires at ${localTime(expiresAt)}.`,
          urgency: 'low',
        });
      }
      return;
    }
    const now = this.deps.clock.now();
    const { seconds, capped } = cappedRenewal(lease, now, lease.ttl_seconds);
    try {
      await this.sendRenewal(lease, seconds, capped, 'auto');
    } catch (e) {
      if (isKeyfobError(e) && e.kind === 'not-found') return; // marked gone, person told
      // A network failure: try again later, while the lease is still alive.
      const failures = (this.renewRetry.get(lease.lease_id)?.failures ?? 0) + 1;
      const expires = msOrNull(expiresAt) ?? now;
      const delay = Math.min(RENEW_RETRY_BASE_MS * 2 ** (failures - 1), Math.max(0, (expires - now) / 2));
      this.renewRetry.set(lease.lease_id, { failures, at: delay >= 1000 ? now + delay : expires });
    }
  }

  private async warnExpiringSoon(lease: Lease): Promise<void> {
    this.warnedFor.add(`${lease.lease_id}@${lease.expires_at}`);
    const view = this.view(lease);
    this.emit({ type: 'expiring-soon', lease: view });
    this.notify({
      title: 'Key expiring soon',
      body: `${lease.key_alias} reaches its max TTL and expires at ${localTime(lease.expires_at as string)}; it cannot be renewed.`,
      urgency: 'normal',
    });
  }

  /** Per-lease memory of ended leases is dropped, so a long-running app does not accumulate it. */
  private forgetStaleMemory(snap: LedgerSnapshot): void {
    const live = (id: string) => snap.leases.get(id)?.state === 'active';
    for (const id of this.renewRetry.keys()) if (!live(id)) this.renewRetry.delete(id);
    for (const id of this.renewalSkipped.keys()) if (!live(id)) this.renewalSkipped.delete(id);
    for (const set of [this.skipAnnounced, this.warnedFor]) {
      for (const key of set) {
        const [id, expiresAt] = key.split('@');
        if (!live(id as string) || snap.leases.get(id as string)?.expires_at !== expiresAt) set.delete(key);
      }
    }
  }

  // ── start: reconcile ─────────────────────────────────────────────────────────────────────────────────────────

  /** Work for reconcile.ts: claims and revokes leases, bounded. Returns the outcome per lease id. */
  async revokeForReconcile(leases: readonly Lease[], reason: string): Promise<Map<string, RevokeOutcome>> {
    const outcome = new Map<string, RevokeOutcome>();
    if (!leases.length) return outcome;
    const now = this.deps.clock.now();
    const claimed = await this.update((d) => {
      const out: Lease[] = [];
      for (const l of leases) {
        const next = this.claimForRevoke(d, l.lease_id, l.state === 'active' ? reason : l.ended_reason ?? reason, now, false);
        if (next) out.push(next);
        else outcome.set(l.lease_id, 'busy');
      }
      return out;
    });
    for (const l of claimed) this.inFlight.add(l.lease_id);
    // The outcomes are recorded RECONCILE_WRITE_BATCH at a time (see ledger-write-batch.ts). A runner moves on to
    // the next lease once its outcome is queued, so at most `concurrency` deletes are in flight, as before.
    const batch = new LedgerWriteBatch((change) => this.update(change), RECONCILE_WRITE_BATCH);
    const attempts: Array<Promise<RevokeOutcome>> = [];
    await mapBounded(claimed, async (l, i) => {
      const { write, queued } = batch.writer();
      const attempt = this.attemptRevoke(l, write);
      attempts[i] = attempt;
      await Promise.race([queued, attempt.then(() => undefined, () => undefined)]);
    }, { limit: this.concurrency });
    await batch.flush();
    const results = await Promise.allSettled(attempts);
    claimed.forEach((l, i) => {
      const r = results[i];
      outcome.set(l.lease_id, r?.status === 'fulfilled' ? r.value : 'failed');
    });
    return outcome;
  }

  /** Adds leases rebuilt from the proxy's key list (ledger recovery). */
  async adopt(leases: readonly Lease[]): Promise<void> {
    if (!leases.length) return;
    await this.update((d) => {
      for (const l of leases) if (!d.get(l.lease_id)) d.put(l);
    });
    for (const l of leases) this.record({ action: 'reconcile', outcome: 'ok', ...ids(l), detail: `recovered from the proxy as ${l.state}` });
  }

  addNotice(text: string): void {
    this.notices.push(text);
  }

  /** Something the views show changed outside the leases (a role was saved or deleted). */
  announceChange(): void {
    this.emit({ type: 'changed' });
  }

  snapshot(): LedgerSnapshot {
    return this.deps.ledger.read();
  }

  /** Runs a ledger read-modify-write; afterwards this process's view of the revision is current. */
  async update<T>(change: (d: LedgerDraft) => T): Promise<T> {
    if (this.stopped) throw stoppedError();
    const result = await this.deps.ledger.update(change);
    this.lastRevision = this.deps.ledger.current().revision;
    return result;
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────────────────────

  private get concurrency(): number {
    return this.deps.maxConcurrency ?? DEFAULT_CONCURRENCY;
  }

  private get random(): () => number {
    return this.deps.random ?? Math.random;
  }

  /** A claim lasting `calls` request timeouts plus a margin. */
  private claim(calls: number): LeaseClaim {
    const me = processIdentity();
    const timeout = this.deps.settings().request_timeout_seconds * 1000;
    return {
      owner: this.owner,
      host: me.host,
      pid: me.pid,
      instance: this.instance,
      started_at: this.startedAt,
      until: iso(this.deps.clock.now() + calls * timeout + 30_000),
    };
  }

  private mustFind(leaseId: string): Lease {
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

  private view(lease: Lease): LeaseView {
    const skipped = lease.state === 'active' && this.skipAnnounced.has(`${lease.lease_id}@${lease.expires_at}`);
    return { ...lease, idle_will_expire: skipped };
  }

  private async forgetSecret(leaseId: string): Promise<void> {
    if (this.stopped) return; // the lease stays revoking; the next attempt (404) forgets the secret
    await this.deps.secretStore.delete(leaseAccount(leaseId)).catch(() => false);
    await this.deps.clipboard.leaseEnded(leaseId).catch(() => false);
  }

  private record(entry: AuditRecord): void {
    if (this.stopped) return;
    this.deps.audit.append(entry);
  }

  private emit(event: LeaseEvent): void {
    if (this.stopped) return;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a view's bug must not break the lease manager
      }
    }
  }

  private notify(n: Notification): void {
    if (this.stopped || !this.deps.settings().notifications) return;
    try {
      this.deps.notifier.notify(n);
    } catch {
      // notifications are best effort
    }
  }
}

export function isLive(lease: Lease): boolean {
  return lease.state === 'pending' || lease.state === 'active' || lease.state === 'revoking' || lease.state === 'irrevocable';
}


function isDefiniteRejection(err: KeyfobError): boolean {
  // A refused connection never reached the proxy: nothing can have been created.
  return DEFINITE_REJECTIONS.has(err.kind) || err.networkCode === 'ECONNREFUSED';
}

function ids(lease: Lease): Pick<AuditRecord, 'lease_id' | 'role' | 'key_alias'> {
  return { lease_id: lease.lease_id, role: lease.role, key_alias: lease.key_alias };
}

function stoppedError(): KeyfobError {
  return new KeyfobError('state-unavailable', 'Keyfob is stopping: the operation was abandoned.', { hint: 'Start Keyfob again and retry.' });
}

function leaseNotFound(id: string): KeyfobError {
  return new KeyfobError('lease-not-found', `No lease ${id}.`, { hint: 'Check the lease id against the list of leases (ended ones included).' });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function normalizeIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : iso(ms);
}

function localTime(isoText: string): string {
  const d = new Date(isoText);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
