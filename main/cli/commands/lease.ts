// `keyfob lease list|renew|revoke`: the leases in the ledger shared with the desktop app.
import type { KeyfobCore, RevokeSummary } from '../../core/core-api.js';
import { KeyfobError } from '../../core/errors.js';
import { isLeaseId } from '../../core/leases/index.js';
import type { LeaseView } from '../../core/types.js';
import { boolValue, stringValue } from '../args.js';
import type { CliContext, Command } from '../command.js';
import { EXIT_FAILED, EXIT_OK, usageError } from '../failure.js';
import { isoOrNull, json, leaseJson, leaseRows, relativeTo } from '../output.js';
import { InputProblems, parseDurationSeconds } from '../validate.js';

const SHORT_ID = /^[0-9a-f][0-9a-f-]{3,35}$/i;
const LIST_HINT = 'see `keyfob lease list --all` for the lease ids (and check --home / KEYFOB_HOME)';

/** A full lease id, or a unique prefix of one (at least 4 characters) as a convenience for typing. */
export function resolveLeaseId(core: KeyfobCore, raw: string): string {
  const id = raw.trim().toLowerCase();
  const known = core.leases.list({ all: true });
  if (isLeaseId(id)) {
    if (known.some((l) => l.lease_id === id)) return id;
    throw new KeyfobError('lease-not-found', `no lease ${id}`, { hint: LIST_HINT });
  }
  if (!SHORT_ID.test(id)) {
    throw usageError('LEASE_ID: not a lease id', {
      fields: [{ field: 'LEASE_ID', message: `must be a lease id as \`keyfob lease list\` shows it (a UUID), or its first 4+ characters (got ${JSON.stringify(raw)})` }],
    });
  }
  const matches = known.filter((l) => l.lease_id.startsWith(id));
  const [only] = matches;
  if (matches.length === 1 && only) return only.lease_id;
  if (matches.length === 0) {
    throw new KeyfobError('lease-not-found', `no lease id starts with ${id}`, { hint: LIST_HINT });
  }
  throw usageError(`${matches.length} leases start with ${id}: ${matches.map((l) => l.lease_id).join(', ')}`, {
    hint: 'type more characters of the lease id',
  });
}

function isEnded(lease: LeaseView): boolean {
  return lease.state === 'revoked' || lease.state === 'expired';
}

export const leaseListCommand: Command = {
  name: 'lease list',
  summary: 'list live leases (--all: ended ones too)',
  usage: 'keyfob lease list [--json] [--all]',
  description: [
    'Reconciles the ledger with the proxy first (leases whose key is gone or past its expiry are ended).',
    '--json prints an array of objects: lease_id, key_alias, role, models, max_budget, issued_at, expires_at,',
    'max_expires_at (ISO-8601 UTC or null), renewable and state. Keys are never listed.',
  ],
  args: {
    options: {
      json: { type: 'boolean', help: 'print a JSON array' },
      all: { type: 'boolean', help: 'include ended leases (revoked, expired) kept as history' },
    },
    positionals: [],
  },
  examples: ['keyfob lease list', 'keyfob lease list --all --json | jq ".[] | select(.state == \\"revoked\\")"'],
  async run(ctx, args) {
    const all = boolValue(args, 'all');
    const leases = await ctx.withCore({ reconcile: true }, async (core) => core.leases.list({ all }));
    const sorted = [...leases].sort((a, b) => a.issued_at.localeCompare(b.issued_at));
    if (boolValue(args, 'json')) ctx.out(json(sorted.map(leaseJson)));
    else if (!sorted.length) ctx.err(all ? 'keyfob: no leases' : 'keyfob: no live leases (`keyfob lease list --all` shows ended ones)');
    else for (const line of leaseRows(sorted, Date.now())) ctx.out(line);
    return EXIT_OK;
  },
};

export const leaseRenewCommand: Command = {
  name: 'lease renew',
  summary: 'extend a lease: now + increment, capped at its max TTL',
  usage: 'keyfob lease renew LEASE_ID [--increment D] [--json]',
  description: [
    "Vault's rule: the new expiry is now + increment (default: the role's ttl), never past the lease's max TTL",
    'counted from its issue; a renewal that reaches the cap says so on stderr.',
  ],
  args: {
    options: {
      increment: { type: 'string', value: 'D', help: 'how long from now, e.g. 30m (default: the role\'s ttl)' },
      json: { type: 'boolean', help: 'print the renewed lease as JSON (without the key)' },
    },
    positionals: [{ name: 'LEASE_ID', required: true }],
  },
  examples: ['keyfob lease renew 3f2a9c4e-1b7d-4e0a-9c55-0d8e2f6a7b10 --increment 2h', 'keyfob lease renew 3f2a9c4e'],
  async run(ctx, args) {
    const problems = new InputProblems();
    const increment = problems.take('--increment', stringValue(args, 'increment'), parseDurationSeconds);
    if (increment === 0) problems.add('--increment', 'must be more than 0');
    problems.throwIfAny('cannot renew');
    let capped = false;
    const lease = await ctx.withCore({ reconcile: true }, async (core) => {
      const id = resolveLeaseId(core, args.positionals[0] as string);
      // Whether the max TTL cut the increment short is only told through the event.
      const unsubscribe = core.leases.on((e) => {
        if (e.type === 'renewed' && e.lease.lease_id === id) capped = e.capped;
      });
      try {
        return await ctx.progress('renewing the lease', () => core.leases.renew(id, increment));
      } finally {
        unsubscribe();
      }
    });
    const now = Date.now();
    if (boolValue(args, 'json')) ctx.out(json(leaseJson(lease)));
    else ctx.out(`Renewed lease ${lease.lease_id}: expires ${relativeTo(lease.expires_at, now)} (${isoOrNull(lease.expires_at) ?? 'never'}).`);
    if (capped) ctx.err(`keyfob: warning: capped at the lease's max TTL; it cannot be renewed past ${isoOrNull(lease.max_expires_at)}`);
    return EXIT_OK;
  },
};

export const leaseRevokeCommand: Command = {
  name: 'lease revoke',
  summary: 'revoke a lease (deletes its key on the proxy), all leases of a role, or all leases',
  usage: 'keyfob lease revoke (LEASE_ID | --role ROLE | --all)',
  description: [
    'Revoking a lease that has already ended is not an error. A revocation the proxy did not confirm is kept and',
    'retried by the next Keyfob process (the exit status is then 1); the key also dies at its own expiry.',
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
    return ctx.withCore({ reconcile: true }, async (core) => {
      if (id !== undefined) return revokeOne(ctx, core, resolveLeaseId(core, id));
      const summary = await ctx.progress('revoking', () =>
        role !== undefined ? core.leases.revokeRole(role) : core.leases.revokeAll({ reason: 'revoked with keyfob lease revoke --all' }),
      );
      return reportSummary(ctx, summary, role !== undefined ? `of role ${role}` : '');
    });
  },
};

async function revokeOne(ctx: CliContext, core: KeyfobCore, id: string): Promise<number> {
  const before = core.leases.get(id);
  if (isEnded(before)) {
    ctx.out(`Lease ${id} has already ended (${before.state}${before.ended_at ? ` ${relativeTo(before.ended_at, Date.now())}` : ''}).`);
    return EXIT_OK;
  }
  const after = await ctx.progress('revoking the lease', () => core.leases.revoke(id, 'revoked with keyfob lease revoke'));
  if (isEnded(after)) {
    ctx.out(`Revoked lease ${id} (${after.key_alias}).`);
    return EXIT_OK;
  }
  ctx.err(`keyfob: lease ${id} is ${after.state}: ${after.wait_reason ?? after.last_error?.message ?? 'the proxy did not confirm the deletion'}`);
  ctx.err(after.state === 'irrevocable'
    ? `hint: delete the key by hand on the proxy (alias ${after.key_alias}); it expires on its own ${relativeTo(after.expires_at, Date.now())}`
    : 'hint: it is retried by the next Keyfob command or the desktop app; the key also expires on its own');
  return EXIT_FAILED;
}

function reportSummary(ctx: CliContext, summary: RevokeSummary, scope: string): number {
  const scopeText = scope ? ` ${scope}` : '';
  ctx.out(`Revoked ${summary.revoked} lease${summary.revoked === 1 ? '' : 's'}${scopeText}.`);
  if (!summary.failed && !summary.left.length) return EXIT_OK;
  for (const lease of summary.left) {
    ctx.err(`keyfob: lease ${lease.lease_id} (${lease.key_alias}) is ${lease.state}: ${lease.wait_reason ?? lease.last_error?.message ?? 'not confirmed by the proxy'}`);
  }
  const count = Math.max(summary.failed, summary.left.length);
  ctx.err(`hint: ${count} revocation${count === 1 ? '' : 's'} failed; they are retried by the next Keyfob command or the desktop app`);
  return EXIT_FAILED;
}
