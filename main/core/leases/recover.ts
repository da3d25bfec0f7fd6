// Rebuilding a lost ledger (a corrupt file was backed up): the backend lists the keys Keyfob stamped, and those of
// this ledger come back as leases. A key whose secret is still in the keychain is adopted as a lease again; a key of
// this ledger without its secret is of no use to anyone and is revoked; keys of other ledgers (another machine,
// another state directory) are never touched unless this keychain holds their secret.
import { redactKey, toKeyfobError } from '../errors.js';
import { isLeaseId } from './lease-ledger.js';
import { leaseAccount } from '../keychain/index.js';
import { msOrNull } from './lease-scheduler.js';
import { resolveTTLs } from '../roles/index.js';
import { ENDED, ids } from './lease-terms.js';
import type { LeaseContext } from './lease-context.js';
import type { OwnedKey } from '../backend/index.js';
import type { BackendKind } from '../backend/index.js';
import type { Lease } from '../types.js';

export async function recoverFromBackend(ctx: LeaseContext): Promise<'done' | 'failed'> {
  const snap = ctx.snapshot();
  const ledgerId = snap.ledgerId;
  const known = new Set(snap.leases.keys());
  let owned: OwnedKey[];
  let kind: BackendKind;
  try {
    ({ owned, kind } = await ctx.deps.withBackend(async (b) => ({ owned: await b.listOwned(ledgerId ?? ''), kind: b.kind })));
  } catch (e) {
    const err = toKeyfobError(e);
    const text = `Rebuilding the lease ledger from the proxy failed (${err.message}); Keyfob will try again at the next start.`;
    ctx.state.addNotice({ kind: 'recovery-failed', text });
    return 'failed';
  }

  const now = ctx.now();
  const adopted: Lease[] = [];
  for (const key of owned) {
    const leaseId = key.leaseId;
    if (!isLeaseId(leaseId) || key.tokenHash === null || known.has(leaseId)) continue;
    const ours = ledgerId !== null && key.ledgerId === ledgerId;
    const secret = await ctx.deps.secretStore.get(leaseAccount(leaseId)).catch(() => null);
    if (!ours && !secret) continue;
    // Found on the backend stamped by this ledger (or holding a secret this keychain kept): sealed as Keyfob's own.
    adopted.push(await ctx.sealed(rebuildLease(ctx, kind, key, leaseId, key.tokenHash, secret, now)));
  }

  if (adopted.length) {
    await ctx.update((d) => {
      for (const l of adopted) if (!d.get(l.lease_id)) d.put(l);
    });
    for (const l of adopted) ctx.record({ action: 'reconcile', outcome: 'ok', ...ids(l), detail: `recovered from the proxy as ${l.state}` });
  }
  await ctx.update((d) => {
    d.recoveryNeeded = false;
  });
  const kept = adopted.filter((l) => l.state === 'active').length;
  const text = `Recovered ${adopted.length} lease(s) from the proxy: ${kept} still usable, ${adopted.length - kept} to be revoked.`;
  ctx.state.addNotice({ kind: 'recovered', text, count: adopted.length });
  return 'done';
}

function rebuildLease(ctx: LeaseContext, backend: BackendKind, key: OwnedKey, leaseId: string, token: string, secret: string | null, now: number): Lease {
  const roleName = key.role ?? 'unknown';
  const createdMs = msOrNull(key.createdAt) ?? now;
  const expiresMs = msOrNull(key.expiresAt);
  let ttl = expiresMs === null ? 0 : Math.max(0, Math.round((expiresMs - createdMs) / 1000));
  let maxTtl = ttl;
  try {
    ({ ttl, maxTtl } = resolveTTLs(ctx.deps.role(roleName), ctx.deps.settings()));
  } catch {
    // the role is gone: keep what the key itself says, not renewable
  }
  const usable = secret !== null && (expiresMs === null || expiresMs > now);
  return {
    lease_id: leaseId,
    role: roleName,
    key_alias: key.alias,
    token_hash: token,
    backend,
    backend_ref: key.backendRef,
    key_hint: secret ? redactKey(secret) : key.keyHint ?? null,
    models: key.models ?? [],
    max_budget: key.maxBudget ?? 0,
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
