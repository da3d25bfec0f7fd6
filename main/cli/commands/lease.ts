// `keyfob lease list|renew|revoke`: the leases in the ledger shared with the desktop app.
import type { KeyfobCore } from '../../core/core-api.js';
import { KeyfobError } from '../../core/errors.js';
import { isLeaseId } from '../../core/leases/index.js';
import { hasEnded } from '../../../preload/lease-rules.js';
import { readToolAsks, type ToolAsk } from '../../core/tools/index.js';
import type { LeaseView } from '../../core/types.js';
import { boolValue, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, usageError } from '../failure.js';
import { formatSpan, formatTable, json, leaseJson } from '../output.js';
import { InputProblems, parseDurationSeconds } from '../validate.js';
import { relativeAndClock } from '../when.js';

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

/**
 * When the lease ended for the person: a key that reached its expiry died then, on the proxy, even if the clean-up
 * (and so `ended_at`) came later.
 */
export function endedAt(lease: LeaseView): string | null {
  const ended = lease.ended_at ? Date.parse(lease.ended_at) : NaN;
  const expiry = lease.expires_at ? Date.parse(lease.expires_at) : NaN;
  if (Number.isNaN(ended)) return lease.ended_at;
  return !Number.isNaN(expiry) && expiry < ended ? (lease.expires_at as string) : lease.ended_at;
}

/**
 * "in 29m 36s (at 00:02:23)": within a day of now the relative part already says which day, so the clock goes without
 * its date (which would push the row past 80 columns around midnight); further away, with it.
 */
function tableWhen(iso: string | null, nowMs: number): string {
  const ms = iso === null ? NaN : Date.parse(iso);
  if (Number.isNaN(ms) || Math.abs(ms - nowMs) >= 86_400_000) return relativeAndClock(iso, nowMs);
  return relativeAndClock(iso, nowMs).replace(/\(at \d{4}-\d\d-\d\d /, '(at ');
}

/** What keeps a lease alive, for `lease list`: the `exec` it belongs to, or the tool whose helper last asked for it. */
export function ownerOf(lease: LeaseView, asks: ReadonlyMap<string, ToolAsk>): string {
  if (lease.scope === 'process' && lease.owner) return `exec ${lease.owner.pid}`;
  const ask = asks.get(lease.lease_id);
  return ask ? `keyfob ${ask.via}` : '-';
}

/**
 * The `lease list` table, made to fit 80 columns: the first 8 characters of the id (every command takes a unique
 * prefix), expiries in the person's time zone (never ISO UTC), the key's hint, and what keeps the lease alive.
 */
export function leaseTable(leases: readonly LeaseView[], nowMs: number, asks: ReadonlyMap<string, ToolAsk> = new Map()): string[] {
  return formatTable(
    ['ID', 'ROLE', 'STATE', 'EXPIRES', 'KEY', 'KEPT BY'],
    leases.map((l) => {
      const ended = endedAt(l);
      return [
        l.lease_id.slice(0, 8),
        l.role,
        l.state === 'active' && l.idle_will_expire ? 'idle: ends' : l.state,
        !hasEnded(l) ? tableWhen(l.expires_at, nowMs) : ended ? `ended ${tableWhen(ended, nowMs)}` : '-',
        l.key_hint ?? '-',
        hasEnded(l) ? '-' : ownerOf(l, asks),
      ];
    }),
  );
}

export const leaseListCommand: Command = {
  name: 'lease list',
  summary: 'list live leases (--all: ended ones too)',
  usage: 'keyfob lease list [--json] [--all]',
  description: [
    'Reconciles the ledger with the proxy first (leases whose key is gone or past its expiry are ended).',
    '--json prints an array of objects: lease_id, key_alias, role, models, max_budget, issued_at, expires_at,',
    'max_expires_at (ISO-8601 UTC or null), renewable and state. Keys are never listed.',
    'Without --json, times are in your time zone (TZ is honoured); an ended lease shows when its key stopped working.',
    'The table fits 80 columns: ID is the first 8 characters of the lease id (any command takes a unique prefix);',
    'KEPT BY names the `exec` (its pid) a lease belongs to, or the helper (`keyfob token`/`env`) that last asked for it.',
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
    const leases = await ctx.withCore({ reconcile: true, notifications: false }, async (core) => core.leases.list({ all }));
    const sorted = [...leases].sort((a, b) => a.issued_at.localeCompare(b.issued_at));
    if (boolValue(args, 'json')) ctx.out(json(sorted.map(leaseJson)));
    else if (!sorted.length) ctx.err(all ? 'keyfob: no leases' : 'keyfob: no live leases (`keyfob lease list --all` shows ended ones)');
    else for (const line of leaseTable(sorted, Date.now(), new Map(readToolAsks(ctx.stateDir).map((a) => [a.lease_id, a])))) ctx.out(line);
    return EXIT_OK;
  },
};

export const leaseRenewCommand: Command = {
  name: 'lease renew',
  summary: 'extend a lease: now + increment, capped at its max TTL',
  usage: 'keyfob lease renew LEASE_ID [--increment D] [--shorten] [--json]',
  description: [
    "Vault's rule: the new expiry is now + increment (default: the role's ttl), never past the lease's max TTL",
    'counted from its issue; a renewal that reaches the cap says so. A renewal that would bring the expiry',
    'closer (a plain renew after `--increment 8h`) is refused unless --shorten is given.',
    'Durations: 90s, 5min, 1h30m, 1.5h, 2d or whole seconds.',
  ],
  args: {
    options: {
      increment: { type: 'string', value: 'D', help: 'how long from now, e.g. 30m (default: the role\'s ttl)' },
      shorten: { type: 'boolean', help: 'allow the renewal to bring the expiry closer than it is now' },
      json: { type: 'boolean', help: 'print the renewed lease as JSON (without the key)' },
    },
    positionals: [{ name: 'LEASE_ID', required: true }],
  },
  examples: ['keyfob lease renew 3f2a9c4e-1b7d-4e0a-9c55-0d8e2f6a7b10 --increment 2h', 'keyfob lease renew 3f2a9c4e', 'keyfob lease renew 3f2a9c4e --increment 10m --shorten'],
  async run(ctx, args) {
    const problems = new InputProblems();
    const increment = problems.take('--increment', stringValue(args, 'increment'), parseDurationSeconds);
    if (increment === 0) problems.add('--increment', 'must be more than 0');
    problems.throwIfAny('cannot renew');
    const shorten = boolValue(args, 'shorten');
    let capped = false;
    const lease = await ctx.withCore({ reconcile: true, notifications: false }, async (core) => {
      const id = resolveLeaseId(core, args.positionals[0] as string);
      refuseShortening(core.leases.get(id), increment, Date.now(), shorten);
      // Whether the max TTL cut the increment short is only told through the event.
      const unsubscribe = core.leases.on((e) => {
        if (e.type === 'renewed' && e.lease.lease_id === id) capped = e.capped;
      });
      try {
        return await ctx.progress('renewing the lease', () => renewLease(core, id, increment, shorten));
      } finally {
        unsubscribe();
      }
    });
    const now = Date.now();
    if (boolValue(args, 'json')) ctx.out(json(leaseJson(lease)));
    else if (capped) ctx.out(`Renewed lease ${lease.lease_id} up to its max TTL: expires ${relativeAndClock(lease.expires_at, now)}; it cannot be renewed further.`);
    else ctx.out(`Renewed lease ${lease.lease_id}: expires ${relativeAndClock(lease.expires_at, now)}.`);
    return EXIT_OK;
  },
};

/**
 * Renew never silently shortens a lease. The rule lives in the lease manager (`renew(id, inc, { allowShorten })`);
 * the CLI checks it first too, so that the refusal names the flag and reads in the person's time zone.
 */
function renewLease(core: KeyfobCore, id: string, increment: number | undefined, allowShorten: boolean): Promise<LeaseView> {
  return core.leases.renew(id, increment, { allowShorten });
}

/** Throws when renewing `lease` by `increment` now would bring its expiry closer, unless `allowShorten`. */
export function refuseShortening(lease: LeaseView, increment: number | undefined, nowMs: number, allowShorten: boolean): void {
  if (allowShorten || lease.state !== 'active' || !lease.expires_at) return;
  const current = Date.parse(lease.expires_at);
  let next = nowMs + (increment ?? lease.ttl_seconds) * 1000;
  if (lease.max_expires_at) next = Math.min(next, Date.parse(lease.max_expires_at));
  // A second of slack: a renewal that keeps the expiry where it is (to the second) does not shorten anything.
  if (Number.isNaN(current) || next >= current - 1000) return;
  const by = formatSpan((current - next) / 1000);
  throw new KeyfobError('validation', `this renewal would shorten lease ${lease.lease_id} by ${by}: it expires ${relativeAndClock(lease.expires_at, nowMs)}, and would expire ${relativeAndClock(new Date(next).toISOString(), nowMs)}`, {
    hint: `add --shorten to shorten it, or give a longer --increment (now + increment, e.g. --increment ${formatSpan(Math.ceil((current - nowMs) / 60_000) * 60).replace(/ /g, '')})`, // pasteable: 1h30m
  });
}
