// `keyfob lease revoke LEASE_ID | --role ROLE | --all`. A lease another Keyfob process holds is waited for (by the
// lease manager), and what that process did with it is read back before anything is reported as failed.
import type { KeyfobCore, RevokeSummary } from '../../core/core-api.js';
import type { LeaseView } from '../../core/types.js';
import { boolValue, stringValue } from '../args.js';
import type { CliContext, Command } from '../command.js';
import { EXIT_FAILED, EXIT_OK, usageError } from '../failure.js';
import { describeFailure } from '../lease-failure.js';
import { roleNotFound } from '../role-names.js';
import { relativeAndClock } from '../when.js';
import { hasEnded } from '../../../preload/lease-rules.js';
import { endedAt, resolveLeaseId } from './lease.js';

export const leaseRevokeCommand: Command = {
  name: 'lease revoke',
  summary: 'revoke a lease (deletes its key on the proxy), all leases of a role, or all leases',
  usage: 'keyfob lease revoke (LEASE_ID | --role ROLE | --all)',
  description: [
    'Revoking a lease that has already ended is not an error. A revocation the proxy did not confirm is kept and',
    'retried by the next Keyfob process (the exit status is then 1); the key also dies at its own expiry.',
    'Revoking deletes the key on the proxy. A proxy with several replicas caches keys: another replica may accept',
    'a deleted key for up to 60 s (LiteLLM\'s user_api_key_cache_ttl).',
  ],
  args: {
    options: {
      role: { type: 'string', value: 'ROLE', help: 'revoke every live lease of this role' },
      all: { type: 'boolean', help: 'revoke every live lease' },
    },
    positionals: [{ name: 'LEASE_ID', required: false }],
  },
  examples: ['keyfob lease revoke 3f2a9c4e-1b7d-4e0a-9c55-0d8e2f6a7b10', 'keyfob lease revoke --role dev', 'keyfob lease revoke --all'],
  async run(ctx, args) {
    const id = args.positionals[0];
    const role = stringValue(args, 'role');
    const all = boolValue(args, 'all');
    const chosen = [id !== undefined, role !== undefined, all].filter(Boolean).length;
    if (chosen !== 1) {
      throw usageError(chosen === 0 ? 'say which leases to revoke: LEASE_ID, --role ROLE or --all' : 'give only one of LEASE_ID, --role ROLE and --all');
    }
    const verbose = boolValue(args, 'verbose');
    return ctx.withCore({ reconcile: true, notifications: false }, async (core) => {
      if (id !== undefined) return revokeOne(ctx, core, resolveLeaseId(core, id), verbose);
      if (role !== undefined) checkRevokableRole(core, role);
      const reason = role !== undefined ? 'revoked with keyfob lease revoke --role' : 'revoked with keyfob lease revoke --all';
      const summary = await ctx.progress('revoking', async () =>
        settleLeft(core, await (role !== undefined ? core.leases.revokeRole(role) : core.leases.revokeAll({ reason })), reason),
      );
      return reportSummary(ctx, summary, role !== undefined ? `of role ${role.trim().toLowerCase()}` : '', verbose);
    });
  },
};

/**
 * `--role deev` is a typo, not "Revoked 0 leases": a role must exist, or still have leases (a deleted role's
 * leases can still be revoked by its name).
 */
function checkRevokableRole(core: KeyfobCore, raw: string): void {
  const name = raw.trim().toLowerCase();
  if (core.listRoles().some((r) => r.name === name)) return;
  if (core.leases.list({ all: true }).some((l) => l.role === name)) return;
  throw roleNotFound(core, raw, '--role');
}

async function revokeOne(ctx: CliContext, core: KeyfobCore, id: string, verbose: boolean): Promise<number> {
  const before = core.leases.get(id);
  if (hasEnded(before)) {
    const ended = endedAt(before);
    ctx.out(`Lease ${id} has already ended (${before.state}${ended ? ` ${relativeAndClock(ended, Date.now())}` : ''}).`);
    return EXIT_OK;
  }
  let after = await ctx.progress('revoking the lease', () => core.leases.revoke(id, 'revoked with keyfob lease revoke'));
  if (after.state === 'active') {
    // Held by another process (renewing or ending it) when we looked: see what it did, and try once more.
    core.leases.refresh();
    after = currentView(core, after);
    if (after.state === 'active' && !after.wait_reason) after = await core.leases.revoke(id, 'revoked with keyfob lease revoke');
  }
  if (hasEnded(after)) {
    ctx.out(`Revoked lease ${id} (${after.key_alias}).`);
    return EXIT_OK;
  }
  ctx.err(`keyfob: lease ${id} is ${after.state}: ${after.wait_reason ?? describeFailure(after.last_error, verbose, 'the proxy did not confirm the deletion')}`);
  ctx.err(after.state === 'irrevocable'
    ? `hint: delete the key by hand on the proxy (alias ${after.key_alias}); it expires on its own ${relativeAndClock(after.expires_at, Date.now())}`
    : 'hint: it is retried by the next Keyfob command or the desktop app; the key also expires on its own');
  return EXIT_FAILED;
}

function reportSummary(ctx: CliContext, summary: RevokeSummary, scope: string, verbose: boolean): number {
  const scopeText = scope ? ` ${scope}` : '';
  const plural = (n: number): string => `${n} lease${n === 1 ? '' : 's'}`;
  if (!summary.failed && !summary.left.length) {
    ctx.out(`Revoked ${plural(summary.revoked)}${scopeText}.`);
    return EXIT_OK;
  }
  const total = summary.revoked + Math.max(summary.failed, summary.left.length);
  ctx.out(`Revoked ${summary.revoked} of ${plural(total)}${scopeText}.`);
  for (const lease of summary.left) {
    ctx.err(`keyfob: lease ${lease.lease_id} (${lease.key_alias}) is ${lease.state}: ${lease.wait_reason ?? describeFailure(lease.last_error, verbose, 'not confirmed by the proxy')}`);
  }
  const count = Math.max(summary.failed, summary.left.length);
  ctx.err(`hint: ${count === 1 ? '1 revocation failed; it is' : `${count} revocations failed; they are`} retried by the next Keyfob command or the desktop app`);
  return EXIT_FAILED;
}

/**
 * What the summary leaves `active` was held by another Keyfob process (renewing or issuing it) when the revocation
 * looked; that process has usually let go a moment later. Read the ledger again: a lease that process ended is
 * reported as ended (not as a failure), and one it let go of is revoked now.
 */
async function settleLeft(core: KeyfobCore, summary: RevokeSummary, reason: string): Promise<RevokeSummary> {
  if (!summary.left.some((l) => l.state === 'active')) return summary;
  core.leases.refresh();
  let { revoked } = summary;
  const left: LeaseView[] = [];
  for (const held of summary.left) {
    let lease = currentView(core, held);
    if (lease.state === 'active' && !lease.wait_reason) lease = await core.leases.revoke(lease.lease_id, reason);
    if (hasEnded(lease)) revoked++;
    else left.push(lease);
  }
  return { revoked, failed: Math.min(summary.failed, left.length), left };
}

/** The lease as the ledger has it now (another process may have ended it). */
function currentView(core: KeyfobCore, lease: LeaseView): LeaseView {
  try {
    return core.leases.get(lease.lease_id);
  } catch {
    return { ...lease, state: 'revoked' };
  }
}
