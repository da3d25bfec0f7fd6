// The key of a live lease, for the person: copied to the clipboard (cleared later if unchanged) or revealed. The
// tray's one click copies a role's live key, issuing one when none is live. A lease that is not active, or past its
// expiry, has no usable key.
import { KeyfobError } from '../errors.js';
import { leaseAccount } from '../keychain/index.js';
import { hasExpired, msOrNull } from './lease-scheduler.js';
import { issueLease } from './issue.js';
import type { LeaseContext } from './lease-context.js';
import type { Lease, LeaseView } from '../types.js';

export async function copyRoleKey(ctx: LeaseContext, roleName: string): Promise<{ lease: LeaseView; issued: boolean }> {
  const role = ctx.deps.role(roleName);
  const now = ctx.now();
  const live = [...ctx.snapshot().leases.values()]
    .filter((l) => l.role === role.name && l.state === 'active' && (msOrNull(l.expires_at) ?? Infinity) > now)
    .sort((a, b) => (msOrNull(b.expires_at) ?? Infinity) - (msOrNull(a.expires_at) ?? Infinity));
  for (const lease of live) {
    const key = await ctx.deps.secretStore.get(leaseAccount(lease.lease_id));
    if (key) {
      await ctx.deps.clipboard.copy(key, lease.lease_id);
      return { lease: ctx.view(lease), issued: false };
    }
  }
  const { lease, key } = await issueLease(ctx, role.name);
  await ctx.deps.clipboard.copy(key, lease.lease_id);
  return { lease, issued: true };
}

export async function copyLeaseKey(ctx: LeaseContext, leaseId: string): Promise<LeaseView> {
  const { lease, key } = await liveKey(ctx, leaseId);
  await ctx.deps.clipboard.copy(key, lease.lease_id);
  return ctx.view(lease);
}

export async function revealKey(ctx: LeaseContext, leaseId: string): Promise<string> {
  return (await liveKey(ctx, leaseId)).key;
}

async function liveKey(ctx: LeaseContext, leaseId: string): Promise<{ lease: Lease; key: string }> {
  const lease = ctx.mustFind(leaseId);
  if (lease.state !== 'active' || hasExpired(lease, ctx.now())) {
    throw new KeyfobError('lease-not-found', `Lease ${lease.key_alias} is ${lease.state === 'active' ? 'expired' : lease.state}: its key has ended.`, {
      hint: 'Issue a new key.',
    });
  }
  const key = await ctx.deps.secretStore.get(leaseAccount(lease.lease_id));
  if (!key) {
    throw new KeyfobError('lease-not-found', `The key of ${lease.key_alias} is no longer in the keychain.`, { hint: 'Revoke this lease and issue a new key.' });
  }
  return { lease, key };
}
