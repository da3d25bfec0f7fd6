// Revoking: a person's revoke (one lease, a role, all), an expiry, a retry. Write-ahead: one ledger write marks every
// target `revoking` under this manager's claim before any delete is sent; "already gone" counts as done. A failed
// delete is retried (revoke-failures.ts). An entry whose seal does not hold is quarantined, never deleted.
import { mapBounded } from './bounded-concurrency.js';
import { toKeyfobError } from '../errors.js';
import { normalizeRoleName } from '../roles/index.js';
import { isClaimVoid, isLeaseOwnerGone } from './lease-ledger.js';
import { msOrNull, nextAttemptMs } from './lease-scheduler.js';
import { ENDED, handleOf, hasEnded, ids, iso, localTime } from './lease-terms.js';
import { quarantine } from './quarantine.js';
import { revokeFailed } from './revoke-failures.js';
import type { KeyfobError } from '../errors.js';
import type { RevokeSummary } from '../core-api.js';
import type { LeaseContext } from './lease-context.js';
import type { LedgerDraft } from './lease-ledger.js';
import type { LedgerWrite } from './ledger-write-batch.js';
import type { RevokeOutcome } from './lease-terms.js';
import type { Lease, LeaseView } from '../types.js';

export async function revokeLease(ctx: LeaseContext, leaseId: string, reason: string = ENDED.byPerson): Promise<LeaseView> {
  const lease = ctx.mustFind(leaseId);
  if (lease.state === 'revoked' || lease.state === 'expired') return ctx.view(lease);
  await revokeMany(ctx, [lease], reason, { force: true });
  return viewWithWaitReason(ctx, ctx.mustFind(lease.lease_id), ctx.now());
}

export async function revokeRole(ctx: LeaseContext, role: string): Promise<RevokeSummary> {
  const name = normalizeRoleName(String(role));
  const targets = [...ctx.snapshot().leases.values()].filter((l) => l.role === name && !hasEnded(l));
  return revokeMany(ctx, targets, ENDED.byPerson, { force: true });
}

/**
 * `deadlineMs` bounds the whole call: a duration in ms (e.g. 5000 at quit), or an absolute epoch instant when it is
 * larger than 10^11. Past it no new request starts and the call returns; the rest stays `revoking` for later.
 */
export async function revokeAll(ctx: LeaseContext, opts: { reason?: string; deadlineMs?: number } = {}): Promise<RevokeSummary> {
  const targets = [...ctx.snapshot().leases.values()].filter((l) => !hasEnded(l));
  let deadlineAt: number | undefined;
  if (opts.deadlineMs !== undefined) deadlineAt = opts.deadlineMs > 1e11 ? opts.deadlineMs : ctx.now() + opts.deadlineMs;
  return revokeMany(ctx, targets, opts.reason ?? ENDED.byPerson, { force: true, deadlineAt });
}

/** A person's revocation waits at most this long beyond the request timeout for another live process to let go. */
const WAIT_FOR_OTHERS_SLACK_MS = 5000;
/** How often the ledger is read again while waiting. */
const WAIT_POLL_MS = 200;

/**
 * Revokes `targets`: one ledger write marks them all `revoking` (write-ahead), then the deletes run with bounded
 * concurrency. `force` is a person's request: it ignores the retry back-off and retries irrevocable leases, and it
 * waits (a request timeout and a few seconds at most) for leases another live Keyfob process is issuing or
 * revoking, then revokes what that process left. What is still held after the wait is returned in `left` with a
 * `wait_reason` that says so.
 */
export async function revokeMany(
  ctx: LeaseContext,
  targets: readonly Lease[],
  reason: string,
  opts: { force: boolean; deadlineAt?: number },
): Promise<RevokeSummary> {
  const targetIds = new Set(targets.map((l) => l.lease_id));
  if (targetIds.size === 0) return { revoked: 0, failed: 0, left: [] };
  const startedAt = ctx.now();
  const waitUntil = Math.min(opts.deadlineAt ?? Infinity, startedAt + ctx.deps.settings().request_timeout_seconds * 1000 + WAIT_FOR_OTHERS_SLACK_MS);
  let revoked = 0;
  let failed = 0;
  let round = [...targetIds];
  for (;;) {
    const outcome = await revokeRound(ctx, round, reason, opts);
    revoked += outcome.revoked;
    failed += outcome.failed;
    if (!opts.force || outcome.stoppedByDeadline) break;
    const waiting = round.filter((id) => !outcome.claimed.has(id) && worthWaitingFor(ctx, id, ctx.now(), waitUntil));
    if (!waiting.length || ctx.now() + WAIT_POLL_MS > waitUntil) break;
    const before = new Set(waiting);
    await sleep(ctx, WAIT_POLL_MS);
    const snap = ctx.snapshot();
    // Ended by the process that held it: done as asked.
    for (const id of before) {
      const state = snap.leases.get(id)?.state;
      if (state === 'revoked' || state === 'expired' || state === undefined) revoked++;
    }
    round = waiting.filter((id) => {
      const l = snap.leases.get(id);
      return l !== undefined && !hasEnded(l);
    });
    if (!round.length) break;
  }

  const snap = ctx.snapshot();
  const now = ctx.now();
  const left = [...targetIds]
    .map((id) => snap.leases.get(id))
    .filter((l): l is Lease => !!l && !hasEnded(l))
    .map((l) => viewWithWaitReason(ctx, l, now));
  ctx.rearm();
  return { revoked, failed, left };
}

/** One pass: claim what can be claimed (one write), then the deletes. */
async function revokeRound(
  ctx: LeaseContext,
  leaseIds: readonly string[],
  reason: string,
  opts: { force: boolean; deadlineAt?: number },
): Promise<{ revoked: number; failed: number; claimed: Set<string>; stoppedByDeadline: boolean }> {
  const { force, deadlineAt } = opts;
  const now = ctx.now();
  // Write-ahead, one ledger write for all: every target is `revoking`, claimed by us, before any request.
  const claimed = await ctx.update((d) => {
    const out: Lease[] = [];
    for (const id of leaseIds) {
      const next = claimForRevoke(ctx, d, id, reason, now, force);
      if (next) out.push(next);
    }
    return out;
  });
  for (const l of claimed) ctx.state.beginClaimedWork(l.lease_id);
  if (claimed.length) ctx.emit({ type: 'changed' });

  let stop = false;
  const work = mapBounded(claimed, (lease) => attemptRevoke(ctx, lease), {
    limit: ctx.concurrency,
    stopped: () => stop,
  });

  let counted: Array<PromiseSettledResult<RevokeOutcome> | undefined>;
  let stoppedByDeadline = false;
  if (deadlineAt === undefined) {
    counted = await work;
  } else {
    let timer: { cancel(): void } | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = ctx.deps.clock.setTimeout(() => resolve('deadline'), Math.max(0, deadlineAt - ctx.now()));
    });
    const winner = await Promise.race([work, deadline]);
    timer?.cancel();
    if (winner === 'deadline') {
      stop = true;
      stoppedByDeadline = true;
      counted = [];
      // Those never started: release them (still `revoking`) so the scheduler or the next start retries them.
      await releaseUnsent(ctx, claimed);
    } else {
      counted = winner;
    }
  }

  // An interrupted issue swept early that found nothing may still be waited for, like one never claimed.
  const sweptEarly = (i: number) => counted[i]?.status === 'fulfilled' && counted[i]?.value === 'waiting';
  return {
    revoked: counted.filter((r) => r?.status === 'fulfilled' && r.value === 'revoked').length,
    failed: counted.filter((r) => r?.status === 'rejected' || (r?.status === 'fulfilled' && r.value === 'failed')).length,
    claimed: new Set(claimed.filter((_l, i) => !sweptEarly(i)).map((l) => l.lease_id)),
    stoppedByDeadline,
  };
}

/**
 * Why a live lease cannot be revoked by this process right now although nothing failed: another live Keyfob
 * process holds its claim (it is issuing or revoking it), or it is an interrupted issue whose generate may still
 * complete on the proxy. Null when nothing but an error (or nothing at all) stands in the way.
 */
export function waitingOnOthers(ctx: LeaseContext, leaseId: string, now: number): string | null {
  const snap = ctx.snapshot();
  const lease = snap.leases.get(leaseId);
  if (!lease || hasEnded(lease)) return null;
  const claim = snap.claims.get(leaseId);
  if (claim && claim.owner !== ctx.owner && !isClaimVoid(claim, now)) {
    const doing = lease.state === 'pending' ? 'issuing' : 'revoking';
    return `another Keyfob process (pid ${claim.pid}) is ${doing} it right now`;
  }
  if (lease.state === 'pending' && !ctx.state.isClaimedHere(leaseId)) {
    const at = nextAttemptMs(lease, claim, now);
    if (at > now) return `its interrupted issue may still complete on the proxy; Keyfob deletes the key by its alias after ${localTime(iso(at))}`;
  }
  return null;
}

/**
 * Waiting helps: another live process holds the lease (it usually lets go within a request), or an interrupted
 * issue becomes safe to clean up before the wait ends. An issue whose generate may still land later is not waited for.
 */
function worthWaitingFor(ctx: LeaseContext, leaseId: string, now: number, waitUntil: number): boolean {
  if (waitingOnOthers(ctx, leaseId, now) === null) return false;
  const snap = ctx.snapshot();
  const lease = snap.leases.get(leaseId);
  const claim = snap.claims.get(leaseId);
  if (claim && claim.owner !== ctx.owner && !isClaimVoid(claim, now)) return true;
  return lease !== undefined && nextAttemptMs(lease, claim, now) <= waitUntil;
}

export function viewWithWaitReason(ctx: LeaseContext, lease: Lease, now: number): LeaseView {
  const view = ctx.view(lease);
  const why = waitingOnOthers(ctx, lease.lease_id, now);
  if (why !== null) view.wait_reason = why;
  return view;
}

function sleep(ctx: LeaseContext, ms: number): Promise<void> {
  return new Promise((resolve) => {
    ctx.deps.clock.setTimeout(resolve, ms);
  });
}

/**
 * Under the lock: move a lease to `revoking` (recording why) and claim it — unless someone else is on it, or, for
 * scheduled work, the ledger changed since the plan was made (renewed by another process, retry not yet due).
 */
export function claimForRevoke(ctx: LeaseContext, d: LedgerDraft, id: string, reason: string, now: number, force: boolean): Lease | null {
  const current = d.get(id);
  if (!current || hasEnded(current) || current.quarantined) return null; // quarantined: never acted on
  const claim = d.claim(id);
  if (claim && claim.owner !== ctx.owner && !isClaimVoid(claim, now)) return null;
  if (ctx.state.isClaimedHere(id)) return null;
  // An interrupted issue whose generate may not have ended yet is swept early: a key found by its alias is deleted
  // at once, whoever asks; only "none found" waits, since it proves nothing before the generate has surely ended.
  const settleAt = current.state === 'pending' ? nextAttemptMs(current, claim, now) : now;
  // Not yet due for another reason (a back-off after the backend answered with an error): wait for it, as always.
  if (settleAt > now && !mayStillBeIssuing(current)) return null;
  if (!force) {
    if (current.state === 'irrevocable') return null;
    if (current.state === 'active') {
      const end = activeLeaseEnd(ctx, current, now);
      if (end === null) return null;
      reason = end;
    }
    if (current.state === 'revoking' && nextAttemptMs(current, claim, now) > now) return null;
  }
  const mine = ctx.claim(2);
  // While claimed, the next attempt is due when the claim ends: a lease on its way out always has a deadline, even
  // if this manager never gets to record the outcome.
  if (settleAt > now) {
    if (ctx.state.sweptEarly.has(id)) return null;
    ctx.state.earlySweeps.set(id, settleAt);
  }
  const next: Lease = current.state === 'pending'
    // An abandoned issue: cleaned up by alias, stays pending until then (and never before its generate has ended).
    ? { ...current, next_attempt_at: iso(Math.max(settleAt, Date.parse(mine.until))) }
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

/**
 * A pending entry waits only for its issue request to have surely ended: written ahead by a process that died, or
 * left after the request went unanswered (a timeout). One whose clean-up already failed otherwise waits its back-off.
 */
function mayStillBeIssuing(lease: Lease): boolean {
  return lease.last_error === null || lease.last_error.kind === 'timeout';
}

/** Why an active lease must go now without a person asking: its expiry passed, or its process ended. */
function activeLeaseEnd(ctx: LeaseContext, lease: Lease, now: number): string | null {
  if ((msOrNull(lease.expires_at) ?? Infinity) <= now) return ENDED.expired;
  if (lease.scope === 'process' && !ctx.ownsLease(lease) && isLeaseOwnerGone(lease)) return ENDED.ownerGone;
  return null;
}

/** A deadline passed: the claimed leases whose delete was never sent go back, due at once, for whoever comes next. */
async function releaseUnsent(ctx: LeaseContext, claimed: readonly Lease[]): Promise<void> {
  const unsent = claimed.filter((l) => ctx.state.isClaimedUnsent(l.lease_id));
  for (const l of unsent) ctx.state.endClaimedWork(l.lease_id);
  if (!unsent.length) return;
  const now = ctx.now();
  await ctx.update((d) => {
    for (const l of unsent) {
      if (d.claim(l.lease_id)?.owner !== ctx.owner) continue;
      d.setClaim(l.lease_id, null);
      const current = d.get(l.lease_id);
      const settleAt = ctx.state.earlySweeps.get(l.lease_id) ?? now;
      ctx.state.earlySweeps.delete(l.lease_id);
      if (current && (current.state === 'revoking' || current.state === 'pending')) d.put({ ...current, next_attempt_at: iso(Math.max(now, settleAt)) });
    }
  }).catch(() => undefined);
}

/**
 * One `/key/delete` for a claimed lease (by token hash; by alias for an abandoned issue). 404 counts as success.
 * Success ends the lease and deletes its secret; failure schedules a jittered retry, or makes it irrevocable.
 */
export async function attemptRevoke(ctx: LeaseContext, lease: Lease, write: LedgerWrite = (change) => ctx.update(change)): Promise<RevokeOutcome> {
  const id = lease.lease_id;
  ctx.state.deleteSent(id);
  try {
    const settleAt = ctx.state.earlySweeps.get(id);
    ctx.state.earlySweeps.delete(id);
    let failure: KeyfobError | null = null;
    let found = true;
    try {
      // The entry must be Keyfob's own before its key is deleted with the admin credential (ledger-seal.ts).
      if (!(await ctx.sealHolds(lease))) {
        await quarantine(ctx, lease, write);
        return 'failed';
      }
      const handle = handleOf(lease);
      await ctx.deps.withBackend(async (b) => {
        if (lease.token_hash) await b.revoke(handle);
        else ({ found } = await b.cleanUpInterrupted(handle)); // an unfinished issue: by its alias
      });
    } catch (e) {
      failure = toKeyfobError(e); // a 404 never gets here: deleting is idempotent ("already gone")
    }
    // Stopped meanwhile: `stop` released the claim and recorded the interruption; the next attempt answers 404.
    if (ctx.state.stopped) return 'abandoned';
    // A failed early sweep is retried with the back-off, but never before the generate has surely ended.
    if (failure) return await revokeFailed(ctx, lease, failure, write, settleAt ?? 0);
    if (!found && settleAt !== undefined && settleAt > ctx.now()) return await sweptTooEarly(ctx, lease, settleAt, write);
    return await revokeSucceeded(ctx, lease, write);
  } finally {
    ctx.state.endClaimedWork(id);
  }
}

/** An interrupted issue swept before its generate has surely ended found nothing: swept again at that instant. */
async function sweptTooEarly(ctx: LeaseContext, lease: Lease, settleAt: number, write: LedgerWrite): Promise<RevokeOutcome> {
  ctx.state.sweptEarly.add(lease.lease_id);
  await write((d) => {
    const current = d.get(lease.lease_id);
    if (current?.state !== 'pending') return;
    d.put({ ...current, next_attempt_at: iso(settleAt) });
    d.setClaim(lease.lease_id, null);
  });
  return 'waiting';
}

async function revokeSucceeded(ctx: LeaseContext, lease: Lease, write: LedgerWrite): Promise<RevokeOutcome> {
  const id = lease.lease_id;
  // The secret goes before the ledger says "ended": a crash in between leaves a `revoking` lease, retried (404).
  const secretGone = await ctx.forgetSecret(id);
  const now = ctx.now();
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
    // The keychain refused to forget the secret (locked): the key is revoked all the same; the clean-up is retried.
    if (!secretGone && current.token_hash !== null) next.secret_left = true;
    d.put(next);
    d.setClaim(id, null);
    return next;
  });
  ctx.state.renewalSettled(id);
  if (!ended) {
    ctx.record({ action: 'reconcile', outcome: 'ok', ...ids(lease), detail: 'unfinished issue cleaned up on the proxy' });
    ctx.emit({ type: 'changed' });
    return 'revoked';
  }
  const view = ctx.view(ended);
  if (ended.state === 'expired') {
    ctx.record({ action: 'expire', outcome: 'ok', ...ids(ended), detail: 'expired; key deleted on the proxy' });
    ctx.emit({ type: 'expired', lease: view });
  } else {
    ctx.record({ action: 'revoke', outcome: 'ok', ...ids(ended), detail: ended.ended_reason ?? undefined });
    ctx.emit({ type: 'revoked', lease: view });
  }
  return 'revoked';
}
