// Issuing a key (the seed's createKey): resolve the TTLs, write the `pending` lease and its claim to the ledger
// (write-ahead: the alias is on disk before the proxy can create anything under it), `/key/generate`, keep the key in
// the keychain, then record the lease `active`. Whatever fails after the proxy may have created the key, the key is
// deleted or left `pending` for a cleanup by alias: never a key on the proxy that the ledger does not know.
import { randomUUID } from 'node:crypto';
import { KeyfobError, redactKey, toKeyfobError, withDetail } from '../errors.js';
import { resolveTTLs } from '../roles/index.js';
import { revokeBackoffMs } from './lease-scheduler.js';
import { leaseAccount } from '../keychain/index.js';
import { dropOwnerWhenIdle } from './stop.js';
import { ENDED, handleOf, ids, iso, normalizeIso, stoppedError } from './lease-terms.js';
import type { LeaseContext } from './lease-context.js';
import { IssueNotSent } from '../backend/index.js';
import type { BackendKind, IssuedKey } from '../backend/index.js';
import type { IssueOptions } from '../core-api.js';
import type { IssuedLease, Lease, LeaseScope, Role } from '../types.js';

/** Errors after which the proxy certainly did not create the key: nothing to clean up. */
const DEFINITE_REJECTIONS = new Set(['invalid-request', 'alias-taken', 'admin-key-rejected', 'no-database', 'not-found', 'dns', 'tls', 'not-connected', 'validation']);

/** After a request timeout, the proxy may still be working on the generate: this much longer, it surely is not. */
const GENERATE_SETTLE_MARGIN_MS = 30_000;

/**
 * The instant by which a `/key/generate` sent at `sentAt` (or given up at `sentAt`) has surely ended, one way or the
 * other: only after it does "no key with this alias" prove that no key will appear. Used alike for an issue this
 * process gave up on (timeout) and for the `pending` entry of a process that died mid-issue.
 */
function generateSettledAt(ctx: LeaseContext, sentAt: number): number {
  return sentAt + ctx.deps.settings().request_timeout_seconds * 1000 + GENERATE_SETTLE_MARGIN_MS;
}

function issueScope(scope: unknown): LeaseScope {
  if (scope === undefined || scope === 'free' || scope === 'process') return scope ?? 'free';
  const message = "must be 'process' or 'free'";
  throw new KeyfobError('validation', `scope: ${message}`, { fields: [{ field: 'scope', message }] });
}

function isDefiniteRejection(err: KeyfobError): boolean {
  // A refused connection never reached the proxy, and a backend that gave up before sending (IssueNotSent) sent
  // nothing: nothing can have been created.
  return DEFINITE_REJECTIONS.has(err.kind) || err.networkCode === 'ECONNREFUSED' || err instanceof IssueNotSent;
}

/** An issue waits at most this many request timeouts when the backend does not answer (issue 18). */
const ISSUE_BUDGET_TIMEOUTS = 1.5;

/** `work`, or 'over-budget' once `ms` have passed on the injected clock (the work goes on, its answer unused). */
async function withinBudget<T>(ctx: LeaseContext, work: Promise<T>, ms: number): Promise<T | 'over-budget'> {
  if (!Number.isFinite(ms)) return work;
  work.catch(() => undefined); // an answer after the budget is not awaited by anyone
  let timer: { cancel(): void } | undefined;
  const budget = new Promise<'over-budget'>((resolve) => {
    timer = ctx.deps.clock.setTimeout(() => resolve('over-budget'), ms);
  });
  try {
    return await Promise.race([work, budget]);
  } finally {
    timer?.cancel();
  }
}

/** Whole seconds, for a person: how long the failed issue really took (a request timeout says only its own). */
function elapsedText(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}

export async function issueLease(ctx: LeaseContext, roleName: string, opts: IssueOptions = {}): Promise<IssuedLease> {
  const scope = issueScope(opts.scope);
  const role = ctx.deps.role(roleName);
  const settings = ctx.deps.settings();
  const { ttl, maxTtl } = resolveTTLs(role, settings);
  const now = ctx.now();
  // Not connected: say so before anything is written. (No request: only which backend the lease is for.)
  const backend = await ctx.deps.withBackend(async (b) => b.kind);
  const pending = pendingLease(ctx, role, backend, scope, now);
  const leaseId = pending.lease_id;

  ctx.state.beginClaimedWork(leaseId);
  try {
    // Sealed before it is written: recovery acts only on entries whose seal holds (ledger-seal.ts).
    Object.assign(pending, await ctx.sealed(pending));
    // Write-ahead: the alias is on disk before the proxy can create anything under it. Should this process die,
    // the cleanup by alias is due once the generate it may have sent has surely ended (see generateSettledAt).
    await ctx.update((d) => {
      pending.next_attempt_at = iso(generateSettledAt(ctx, ctx.now()));
      d.put(pending);
      d.setClaim(leaseId, ctx.claim(3));
    });

    // Stopped while the entry was written: stop() released the claim, so no generate may be sent any more.
    if (ctx.state.stopped) throw stoppedError();
    let generated: IssuedKey;
    ctx.state.beginGenerate(leaseId);
    try {
      const request = {
        role, leaseId, alias: pending.key_alias, ttlSeconds: ttl, ledgerId: ctx.deps.ledgerId(),
        // The backend's clean-up handle (Vault's child-token accessor) is on disk before the request goes out.
        // The issue request itself goes out only now: its settle instant starts again from here.
        recordBackendRef: async (ref: string) => {
          pending.backend_ref = ref;
          pending.next_attempt_at = iso(generateSettledAt(ctx, ctx.now()));
          Object.assign(pending, await ctx.sealed(pending)); // backend_ref is one of the sealed identity fields
          await ctx.update((d) => d.put(pending));
        },
      };
      generated = await ctx.deps.withBackend((b) => b.issue(request));
    } catch (e) {
      // Stopped meanwhile: the pending entry stays for whoever comes next (its cleanup by alias is harmless).
      if (ctx.state.stopped) throw stoppedError();
      return await issueFailed(ctx, pending, toKeyfobError(e), now);
    } finally {
      ctx.state.endGenerate(leaseId);
      dropOwnerWhenIdle(ctx);
    }
    const unsealed: Lease = {
      ...pending,
      state: 'active',
      // A backend whose server names the key (Vault) returns the alias it chose.
      key_alias: generated.alias,
      token_hash: generated.tokenHash,
      backend_ref: generated.backendRef,
      key_hint: redactKey(generated.key),
      expires_at: normalizeIso(generated.expiresAt) ?? (ttl > 0 ? iso(now + ttl * 1000) : null),
      renewable: generated.renewable ?? pending.renewable,
      next_attempt_at: null,
    };
    const active = await ctx.sealed(unsealed);
    if (ctx.state.stopped) return await abandonIssued(ctx, active);

    try {
      await ctx.deps.secretStore.set(leaseAccount(leaseId), generated.key);
    } catch (e) {
      if (ctx.state.stopped) return await abandonIssued(ctx, active);
      return await discardIssued(ctx, active, toKeyfobError(e), ENDED.keychainFailed);
    }
    if (ctx.state.stopped) {
      await ctx.deps.secretStore.delete(leaseAccount(leaseId)).catch(() => false);
      return await abandonIssued(ctx, active);
    }

    let recorded: boolean;
    let recordError: KeyfobError | null = null;
    try {
      recorded = await ctx.update((d) => {
        // Our claim ran out while we waited (a keychain prompt?) and another process cleaned the entry up.
        if (d.get(leaseId)?.state !== 'pending' || d.claim(leaseId)?.owner !== ctx.owner) return false;
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
      await ctx.deps.secretStore.delete(leaseAccount(leaseId)).catch(() => false);
      const err = recordError ?? new KeyfobError('internal', 'Another Keyfob process cleaned up this lease while it was being issued. Try again.');
      return await discardIssued(ctx, active, err, 'the ledger could not record the key');
    }

    const view = ctx.view(active);
    const notes = generated.notes.length ? `; ${generated.notes.join('; ')}` : '';
    ctx.record({ action: 'issue', outcome: 'ok', ...ids(active), detail: `ttl ${ttl}s, max ttl ${maxTtl}s${notes}` });
    ctx.emit({ type: 'issued', lease: view });
    return { lease: view, key: generated.key };
  } finally {
    ctx.state.endClaimedWork(leaseId);
    ctx.rearm();
  }
}

/** The lease as written ahead, before the backend is asked: `pending`, under a fresh alias. */
function pendingLease(ctx: LeaseContext, role: Role, backend: BackendKind, scope: LeaseScope, now: number): Lease {
  const { ttl, maxTtl } = resolveTTLs(role, ctx.deps.settings());
  const leaseId = randomUUID();
  // A fresh suffix every time: a retried issue never reuses an alias (LiteLLM requires unique aliases).
  const alias = `${role.key_alias_prefix}-${role.name}-${randomUUID().slice(0, 8)}`;
  return {
    lease_id: leaseId,
    role: role.name,
    key_alias: alias,
    token_hash: null,
    backend,
    backend_ref: null,
    key_hint: null,
    models: [...role.models],
    max_budget: role.max_budget,
    issued_at: iso(now),
    expires_at: null,
    max_expires_at: maxTtl > 0 ? iso(now + maxTtl * 1000) : null,
    ttl_seconds: ttl,
    renewable: ttl > 0,
    state: 'pending',
    scope,
    owner: ctx.ownerIdentity,
    revoke_attempts: 0,
    next_attempt_at: null,
    ended_reason: null,
    ended_at: null,
    last_error: null,
  };
}

/**
 * The manager was stopped while the key was being issued: nothing may be written any more, and nobody will hold
 * the key, so it is deleted on the proxy at once. The `pending` entry left in the ledger is cleaned up (by alias,
 * answered 404) by whoever comes next.
 */
async function abandonIssued(ctx: LeaseContext, issued: Lease): Promise<never> {
  await ctx.deps.withBackend((b) => b.revoke(handleOf(issued))).catch(() => undefined);
  throw stoppedError();
}

/**
 * The issue request failed. A definite rejection leaves nothing behind; an ambiguous failure may have created the
 * key. `startedAt`: when the issue began, so that a timeout's message states the real time it took.
 */
async function issueFailed(ctx: LeaseContext, pending: Lease, err: KeyfobError, startedAt: number): Promise<never> {
  const base = { ...ids(pending) };
  const elapsed = ctx.now() - startedAt;
  // A request timeout's message says how long one request waited; the person is told how long the issue took.
  const took = err.kind === 'timeout' && elapsed >= 1000 ? ` after ${elapsedText(elapsed)}` : '';
  if (isDefiniteRejection(err)) {
    await ctx.update((d) => d.remove(pending.lease_id));
    ctx.record({ action: 'issue', outcome: 'failed', ...base, detail: `${err.kind}: ${withDetail(err)}` });
    if (!took) throw err;
    throw new KeyfobError(err.kind, `Issuing a key for role "${pending.role}" failed${took}: ${err.message} Nothing was created.`, {
      hint: err.hint, status: err.status, cause: err,
    });
  }
  // Ambiguous (timeout, reset, 5xx): the backend may have created the key. Delete it by alias now. After an answer
  // (5xx) the issue is over, so "none found" settles it; after a timeout or a reset the backend may still be working
  // on the issue we gave up on, so only a delete that found the key settles it — otherwise the entry stays `pending`
  // and is swept again once that issue has surely ended. After a timeout the clean-up gets only what is left of the
  // issue's budget (1.5 request timeouts from its start): a backend that answers nothing must not hold the person a
  // full timeout more per clean-up request. What it leaves is swept by the next command or the scheduler.
  const generateOver = err.status !== undefined;
  const unanswered = err.kind === 'timeout' && !generateOver;
  let cleaned = false;
  let maybeStillGenerating = false;
  const budgetLeft = unanswered ? startedAt + ISSUE_BUDGET_TIMEOUTS * ctx.deps.settings().request_timeout_seconds * 1000 - ctx.now() : Infinity;
  if (budgetLeft > 0) {
    const sweep = ctx.deps.withBackend((b) => b.cleanUpInterrupted(handleOf(pending)));
    try {
      const outcome = await withinBudget(ctx, sweep, budgetLeft);
      if (outcome !== 'over-budget') {
        cleaned = generateOver || outcome.found;
        maybeStillGenerating = !cleaned;
      }
    } catch {
      // the backend is still unwell: leave the entry for the retries and the next start
    }
  }
  // Unanswered: the issue may still be under way whatever the clean-up did not prove.
  if (unanswered && !cleaned) maybeStillGenerating = true;
  if (cleaned) {
    await ctx.update((d) => d.remove(pending.lease_id));
    ctx.record({ action: 'issue', outcome: 'failed', ...base, detail: `${err.kind}: ${withDetail(err)}; no key left on the proxy` });
    throw new KeyfobError(err.kind, `Issuing a key for role "${pending.role}" failed: ${err.message} No key was left on the proxy.`, {
      hint: err.hint ?? 'Try again in a moment.',
      status: err.status,
      cause: err,
    });
  }
  const now = ctx.now();
  // A "none found" that proves nothing (or no clean-up yet): sweep again once that issue has surely ended (a request
  // timeout and a margin), not at the first back-off, which could come before the key does.
  const backoff = revokeBackoffMs(1, ctx.random);
  const sweepAt = maybeStillGenerating ? Math.max(now + backoff, generateSettledAt(ctx, now)) : now + backoff;
  await ctx.update((d) => {
    d.put({ ...pending, revoke_attempts: 1, next_attempt_at: iso(sweepAt), last_error: err.toJSON() });
    d.setClaim(pending.lease_id, null);
  });
  ctx.record({ action: 'issue', outcome: 'failed', ...base, detail: `${err.kind}: ${withDetail(err)}; cleanup pending` });
  throw new KeyfobError(
    err.kind,
    `Issuing a key for role "${pending.role}" failed${took}: ${err.message} The proxy may have created the key "${pending.key_alias}"; ` +
      'Keyfob will delete it as soon as the proxy answers.',
    { hint: err.hint ?? 'Check the connection to the proxy.', status: err.status, cause: err },
  );
}

/** The key was created but cannot be kept (keychain or ledger failed): delete it on the proxy, never leave it unknown. */
async function discardIssued(ctx: LeaseContext, active: Lease, err: KeyfobError, why: string): Promise<never> {
  try {
    await ctx.deps.withBackend((b) => b.revoke(handleOf(active)));
    await ctx.update((d) => d.remove(active.lease_id)).catch(() => undefined);
    ctx.record({ action: 'issue', outcome: 'failed', ...ids(active), detail: `${why}: ${withDetail(err)}; key deleted on the proxy` });
  } catch (deleteError) {
    const del = toKeyfobError(deleteError);
    const now = ctx.now();
    await ctx.update((d) => {
      d.put({
        ...active,
        state: 'revoking',
        ended_reason: why,
        revoke_attempts: 1,
        next_attempt_at: iso(now + revokeBackoffMs(1, ctx.random)),
        last_error: del.toJSON(),
      });
      d.setClaim(active.lease_id, null);
    }).catch(() => undefined);
    ctx.record({ action: 'issue', outcome: 'failed', ...ids(active), detail: `${why}: ${withDetail(err)}; deleting the key failed (${del.kind}), retrying` });
  }
  throw err;
}
