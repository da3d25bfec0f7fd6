// Reconcile at start: finish what a previous run (possibly killed mid-call) left behind, so that the proxy holds no
// key the ledger does not know and the ledger no live lease the proxy lacks. Leases past their expiry are revoked,
// unfinished issues (`pending`, their process gone) are deleted by alias, due revocations are retried, active leases
// rescheduled — all with bounded concurrency. When the ledger itself was lost (corrupt file), the proxy's key list is
// searched for this ledger's keys (metadata `keyfob_ledger` / `keyfob_lease_id`): keys whose secret is still in the
// keychain are adopted again, the others revoked.
import { toKeyfobError } from '../errors.js';
import { isClaimVoid, isLeaseOwnerGone } from './lease-ledger.js';
import { ENDED, hasEnded } from './lease-terms.js';
import { leaseAccount } from '../keychain/index.js';
import { hasExpired, msOrNull, nextAttemptMs } from './lease-scheduler.js';
import { recoverFromBackend } from './recover.js';
import { revokeForReconcile } from './reconcile-work.js';
import type { LeaseContext } from './lease-context.js';
import type { ReconcileReport } from '../core-api.js';
import type { Lease } from '../types.js';

export function emptyReport(): ReconcileReport {
  return { revoked: 0, expired: 0, resumed: 0, pending_cleaned: 0, still_revoking: 0, irrevocable: 0 };
}

/** Reconcile at start, an operation like the others on the manager's context. */
export async function reconcileLeases(ctx: LeaseContext): Promise<ReconcileReport> {
  const report = emptyReport();

  try {
    // A locked touch of the ledger: creates it, or backs up a corrupt one and flags the recovery.
    await ctx.update(() => undefined);
  } catch (e) {
    const err = toKeyfobError(e);
    ctx.state.addNotice({ kind: 'ledger-unavailable', text: `${err.message}${err.hint ? ` ${err.hint}` : ''}` });
    return countOnly(ctx, ctx.now());
  }

  const connected = await ctx.deps.connected();
  let recovery: string | null = null;
  if (ctx.snapshot().recoveryNeeded) {
    if (connected) recovery = await recoverFromBackend(ctx);
    else ctx.state.addNotice({ kind: 'recovery-waits', text: 'The lease ledger has to be rebuilt from the proxy: connect Keyfob to finish it.' });
  }

  const now = ctx.now();
  const snap = ctx.snapshot();
  const toExpire: Lease[] = [];
  const toRevoke: Lease[] = [];
  const toClean: Lease[] = [];
  const revokingElsewhere: number[] = [];
  for (const lease of snap.leases.values()) {
    const claim = snap.claims.get(lease.lease_id);
    const claimedByOther = claim !== undefined && claim.owner !== ctx.owner && !isClaimVoid(claim, now);
    const due = nextAttemptMs(lease, claim, now) <= now;
    switch (lease.state) {
      case 'active': {
        if (hasExpired(lease, now)) toExpire.push(lease);
        else if (lease.scope === 'process' && isLeaseOwnerGone(lease) && lease.owner?.instance !== ctx.instance) toRevoke.push(lease);
        else report.resumed++;
        break;
      }
      case 'pending':
        if (claimedByOther) break; // a live process is issuing it: not ours to touch, and nothing left over
        // Swept now even before its generate has surely ended: a key found by its alias is deleted at once; only
        // "none found" waits (see claimForRevoke), and is counted as still being revoked.
        toClean.push(lease);
        break;
      case 'revoking':
        // A live process is revoking it right now: not left over from an earlier run, and not a failure.
        if (claimedByOther) revokingElsewhere.push(claim.pid);
        else if (due) toRevoke.push(lease);
        else report.still_revoking++;
        break;
      case 'irrevocable':
        report.irrevocable++;
        break;
      default:
        break;
    }
  }

  if (revokingElsewhere.length) {
    const pids = [...new Set(revokingElsewhere)].join(', ');
    const n = revokingElsewhere.length;
    const text = `${n} lease${n === 1 ? ' is' : 's are'} being revoked by another Keyfob process (pid ${pids}) right now.`;
    ctx.state.addNotice({ kind: 'revoking-elsewhere', text, count: n });
  }

  const work = [...toExpire, ...toRevoke, ...toClean];
  if (work.length && !connected) {
    report.still_revoking += work.length;
    const n = work.length;
    const text = `${n} lease${n === 1 ? ' waits' : 's wait'} to be revoked on the proxy: connect Keyfob to finish.`;
    ctx.state.addNotice({ kind: 'waiting-to-revoke', text, count: n });
  } else if (work.length) {
    const outcome = await revokeForReconcile(ctx, work, ENDED.expired);
    const after = ctx.snapshot();
    const tally = (leases: Lease[], onSuccess: keyof ReconcileReport): void => {
      for (const l of leases) {
        const result = outcome.get(l.lease_id);
        const state = after.leases.get(l.lease_id)?.state;
        if (result === 'revoked') report[onSuccess]++;
        else if (state === 'irrevocable') report.irrevocable++;
        else if (state === 'active') report.resumed++;
        else if (state !== undefined && state !== 'revoked' && state !== 'expired') report.still_revoking++;
      }
    };
    tally(toExpire, 'expired');
    tally(toRevoke, 'revoked');
    tally(toClean, 'pending_cleaned');
  }

  await retrySecretCleanup(ctx);

  // Only a start that changed something or left something undone is worth a line: every CLI command starts a core,
  // and "nothing to do" on each would drown the lines that matter. Rescheduling active leases changes nothing.
  const failed = report.still_revoking > 0 || report.irrevocable > 0 || recovery === 'failed';
  const acted = report.revoked + report.expired + report.pending_cleaned > 0 || recovery === 'done';
  if (failed || acted) {
    ctx.record({
      action: 'reconcile',
      outcome: failed ? 'failed' : 'ok',
      detail: Object.entries(report).map(([k, v]) => `${k}=${v}`).join(' ') + (recovery === null ? '' : ` recovery=${recovery}`),
    });
  }
  return report;
}

/** Ended leases whose secret the keychain refused to delete (it was locked): only that clean-up is tried again. */
async function retrySecretCleanup(ctx: LeaseContext): Promise<void> {
  const leftovers = [...ctx.snapshot().leases.values()].filter((l) => l.secret_left === true && hasEnded(l));
  const cleaned: string[] = [];
  for (const lease of leftovers) {
    const removed = await ctx.deps.secretStore.delete(leaseAccount(lease.lease_id)).then(() => true, () => false);
    if (removed) cleaned.push(lease.lease_id);
  }
  if (!cleaned.length) return;
  await ctx.update((d) => {
    for (const id of cleaned) {
      const lease = d.get(id);
      if (!lease) continue;
      delete lease.secret_left;
      d.put(lease);
    }
  }).catch(() => undefined);
}

/** What the ledger says without touching it (read-only state directory). */
function countOnly(ctx: LeaseContext, now: number): ReconcileReport {
  const report = emptyReport();
  for (const lease of ctx.snapshot().leases.values()) {
    if (lease.state === 'active') {
      if ((msOrNull(lease.expires_at) ?? Infinity) > now) report.resumed++;
      else report.still_revoking++;
    } else if (lease.state === 'revoking' || lease.state === 'pending') report.still_revoking++;
    else if (lease.state === 'irrevocable') report.irrevocable++;
  }
  return report;
}

