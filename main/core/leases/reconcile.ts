// Reconcile at start: finish what a previous run (possibly killed mid-call) left behind, so that the proxy holds no
// key the ledger does not know and the ledger no live lease the proxy lacks. Leases past their expiry are revoked,
// unfinished issues (`pending`, their process gone) are deleted by alias, due revocations are retried, active leases
// rescheduled — all with bounded concurrency. When the ledger itself was lost (corrupt file), the proxy's key list is
// searched for this ledger's keys (metadata `keyfob_ledger` / `keyfob_lease_id`): keys whose secret is still in the
// keychain are adopted again, the others revoked.
import { KeyfobError, redactKey, toKeyfobError } from '../errors.js';
import { isClaimVoid, isLeaseId, isLeaseOwnerGone } from './lease-ledger.js';
import { ENDED, isLive } from './lease-manager.js';
import { leaseAccount } from '../keychain/index.js';
import { hasExpired, msOrNull, nextAttemptMs } from './lease-scheduler.js';
import { resolveTTLs } from '../roles/index.js';
import type { AuditLog } from '../audit-log.js';
import type { ReconcileReport } from '../core-api.js';
import type { LeaseManager } from './lease-manager.js';
import type { LiteLLMAdmin } from '../litellm/index.js';
import type { Clock, SecretStore } from '../ports.js';
import type { Lease, Role, Settings } from '../types.js';

/** /key/list pages read at most during recovery (100 keys a page). */
const MAX_RECOVERY_PAGES = 200;

export interface ReconcileDeps {
  manager: LeaseManager;
  clock: Clock;
  audit: AuditLog;
  secretStore: SecretStore;
  settings: () => Settings;
  role: (name: string) => Role;
  withClient: <T>(call: (client: LiteLLMAdmin) => Promise<T>) => Promise<T>;
  /** True when a proxy URL and an admin key are configured (else nothing can be sent). */
  connected: () => Promise<boolean>;
}

export function emptyReport(): ReconcileReport {
  return { revoked: 0, expired: 0, resumed: 0, pending_cleaned: 0, still_revoking: 0, irrevocable: 0 };
}

export async function reconcileLeases(deps: ReconcileDeps): Promise<ReconcileReport> {
  const { manager } = deps;
  const report = emptyReport();

  try {
    // A locked touch of the ledger: creates it, or backs up a corrupt one and flags the recovery.
    await manager.update(() => undefined);
  } catch (e) {
    const err = toKeyfobError(e);
    manager.addNotice(`${err.message}${err.hint ? ` ${err.hint}` : ''}`);
    return countOnly(manager, deps.clock.now());
  }

  const connected = await deps.connected();
  let recovery: string | null = null;
  if (manager.snapshot().recoveryNeeded) {
    if (connected) recovery = await recover(deps);
    else manager.addNotice('The lease ledger has to be rebuilt from the proxy: connect Keyfob to finish it.');
  }

  const now = deps.clock.now();
  const snap = manager.snapshot();
  const toExpire: Lease[] = [];
  const toRevoke: Lease[] = [];
  const toClean: Lease[] = [];
  const revokingElsewhere: number[] = [];
  for (const lease of snap.leases.values()) {
    const claim = snap.claims.get(lease.lease_id);
    const claimedByOther = claim !== undefined && claim.owner !== manager.owner && !isClaimVoid(claim, now);
    const due = nextAttemptMs(lease, claim, now) <= now;
    switch (lease.state) {
      case 'active': {
        if (hasExpired(lease, now)) toExpire.push(lease);
        else if (lease.scope === 'process' && isLeaseOwnerGone(lease) && lease.owner?.instance !== manager.instance) toRevoke.push(lease);
        else report.resumed++;
        break;
      }
      case 'pending':
        if (claimedByOther) break; // a live process is issuing it: not ours to touch, and nothing left over
        if (due) toClean.push(lease);
        else report.still_revoking++;
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
    manager.addNotice(`${n} lease${n === 1 ? ' is' : 's are'} being revoked by another Keyfob process (pid ${pids}) right now.`);
  }

  const work = [...toExpire, ...toRevoke, ...toClean];
  if (work.length && !connected) {
    report.still_revoking += work.length;
    manager.addNotice(`${work.length} lease(s) wait to be revoked on the proxy: connect Keyfob to finish.`);
  } else if (work.length) {
    const outcome = await manager.revokeForReconcile(work, ENDED.expired);
    const after = manager.snapshot();
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

  await retrySecretCleanup(deps);

  // Only a start that changed something or left something undone is worth a line: every CLI command starts a core,
  // and "nothing to do" on each would drown the lines that matter. Rescheduling active leases changes nothing.
  const failed = report.still_revoking > 0 || report.irrevocable > 0 || recovery === 'failed';
  const acted = report.revoked + report.expired + report.pending_cleaned > 0 || recovery === 'done';
  if (failed || acted) {
    deps.audit.append({
      action: 'reconcile',
      outcome: failed ? 'failed' : 'ok',
      detail: Object.entries(report).map(([k, v]) => `${k}=${v}`).join(' ') + (recovery === null ? '' : ` recovery=${recovery}`),
    });
  }
  return report;
}

/** Ended leases whose secret the keychain refused to delete (it was locked): only that clean-up is tried again. */
async function retrySecretCleanup(deps: ReconcileDeps): Promise<void> {
  const { manager } = deps;
  const leftovers = [...manager.snapshot().leases.values()].filter((l) => l.secret_left === true && !isLive(l));
  const cleaned: string[] = [];
  for (const lease of leftovers) {
    const removed = await deps.secretStore.delete(leaseAccount(lease.lease_id)).then(() => true, () => false);
    if (removed) cleaned.push(lease.lease_id);
  }
  if (!cleaned.length) return;
  await manager.update((d) => {
    for (const id of cleaned) {
      const lease = d.get(id);
      if (!lease) continue;
      delete lease.secret_left;
      d.put(lease);
    }
  }).catch(() => undefined);
}

/** What the ledger says without touching it (read-only state directory). */
function countOnly(manager: LeaseManager, now: number): ReconcileReport {
  const report = emptyReport();
  for (const lease of manager.snapshot().leases.values()) {
    if (lease.state === 'active') {
      if ((msOrNull(lease.expires_at) ?? Infinity) > now) report.resumed++;
      else report.still_revoking++;
    } else if (lease.state === 'revoking' || lease.state === 'pending') report.still_revoking++;
    else if (lease.state === 'irrevocable') report.irrevocable++;
  }
  return report;
}

/**
 * The ledger was lost: find this ledger's keys on the proxy. A key whose secret is still in the keychain is adopted
 * as a lease again; a key of this ledger without its secret is of no use to anyone and is revoked; keys of other
 * ledgers (another machine, another state directory) are never touched.
 */
async function recover(deps: ReconcileDeps): Promise<'done' | 'failed'> {
  const { manager } = deps;
  const snap = manager.snapshot();
  const ledgerId = snap.ledgerId;
  const known = new Set(snap.leases.keys());
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await listAllKeys(deps);
  } catch (e) {
    const err = toKeyfobError(e);
    manager.addNotice(`Rebuilding the lease ledger from the proxy failed (${err.message}); Keyfob will try again at the next start.`);
    return 'failed';
  }

  const now = deps.clock.now();
  const adopted: Lease[] = [];
  for (const row of rows) {
    const metadata = isRecord(row.metadata) ? row.metadata : {};
    const leaseId = metadata.keyfob_lease_id;
    const token = row.token;
    if (!isLeaseId(leaseId) || typeof token !== 'string' || known.has(leaseId)) continue;
    const ours = ledgerId !== null && metadata.keyfob_ledger === ledgerId;
    const secret = await deps.secretStore.get(leaseAccount(leaseId)).catch(() => null);
    if (!ours && !secret) continue;
    adopted.push(rebuildLease(deps, row, leaseId, token, metadata, secret, now));
  }

  await manager.adopt(adopted);
  await manager.update((d) => {
    d.recoveryNeeded = false;
  });
  const kept = adopted.filter((l) => l.state === 'active').length;
  manager.addNotice(
    `Recovered ${adopted.length} lease(s) from the proxy: ${kept} still usable, ${adopted.length - kept} to be revoked.`,
  );
  return 'done';
}

function rebuildLease(
  deps: ReconcileDeps,
  row: Record<string, unknown>,
  leaseId: string,
  token: string,
  metadata: Record<string, unknown>,
  secret: string | null,
  now: number,
): Lease {
  const roleName = typeof metadata.keyfob_role === 'string' ? metadata.keyfob_role : 'unknown';
  const createdMs = msOrNull(typeof row.created_at === 'string' ? row.created_at : null) ?? now;
  const expiresMs = msOrNull(typeof row.expires === 'string' ? row.expires : null);
  let ttl = expiresMs === null ? 0 : Math.max(0, Math.round((expiresMs - createdMs) / 1000));
  let maxTtl = ttl;
  try {
    ({ ttl, maxTtl } = resolveTTLs(deps.role(roleName), deps.settings()));
  } catch {
    // the role is gone: keep what the key itself says, not renewable
  }
  const usable = secret !== null && (expiresMs === null || expiresMs > now);
  const keyName = typeof row.key_name === 'string' ? row.key_name : null;
  return {
    lease_id: leaseId,
    role: roleName,
    key_alias: typeof row.key_alias === 'string' ? row.key_alias : '',
    token_hash: token,
    key_hint: secret ? redactKey(secret) : keyName && keyName.startsWith('sk-...') ? keyName : null,
    models: Array.isArray(row.models) ? row.models.filter((m): m is string => typeof m === 'string') : [],
    max_budget: typeof row.max_budget === 'number' ? row.max_budget : 0,
    issued_at: new Date(createdMs).toISOString(),
    expires_at: expiresMs === null ? null : new Date(expiresMs).toISOString(),
    max_expires_at: maxTtl > 0 ? new Date(createdMs + maxTtl * 1000).toISOString() : null,
    ttl_seconds: ttl,
    renewable: usable && ttl > 0,
    state: usable ? 'active' : 'revoking',
    // Its owner is not known any more: it lives until its expiry, and nobody renews it automatically.
    scope: 'free',
    owner: null,
    revoke_attempts: 0,
    next_attempt_at: usable ? null : new Date(now).toISOString(), // to be revoked: due at once
    ended_reason: usable ? null : secret ? ENDED.expired : 'recovered without its key',
    ended_at: null,
    last_error: null,
  };
}

async function listAllKeys(deps: ReconcileDeps): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  for (let page = 1; page <= MAX_RECOVERY_PAGES; page++) {
    const answer = await deps.withClient((c) => c.listKeys({ page, size: 100, return_full_object: true }));
    for (const key of answer.keys) if (isRecord(key)) rows.push(key);
    if (answer.keys.length === 0 || page >= answer.total_pages) return rows;
  }
  throw new KeyfobError('server-error', `The proxy lists more than ${MAX_RECOVERY_PAGES * 100} keys; recovery stopped.`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
