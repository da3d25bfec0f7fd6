// `keyfob role set|list|show|delete`: the role templates, in the settings file the desktop app shares.
import type { KeyfobCore } from '../../core/core-api.js';
import { isKeyfobError } from '../../core/errors.js';
import { validateRole, validateRoleName } from '../../core/roles/index.js';
import type { Role, RoleInput } from '../../core/types.js';
import { boolValue, listValue, stringValue, type ParsedArgs } from '../args.js';
import type { CliContext, Command } from '../command.js';
import { EXIT_FAILED, EXIT_OK, usageError } from '../failure.js';
import { json, roleDetails, roleRows } from '../output.js';
import { confirm } from '../prompt.js';
import { didYouMean } from '../suggest.js';
import { requireRole } from '../role-names.js';
import {
  InputProblems,
  parseAmount,
  parseBudgetPeriod,
  parseCommaList,
  parseDurationSeconds,
  parseKeyValues,
  parseOptionalText,
  parseOptionalWholeNumber,
} from '../validate.js';

/** Role fields as the person typed them on the command line, for error messages. */
const FLAG_FOR_FIELD: Record<string, string> = {
  name: 'NAME',
  models: '--models',
  max_budget: '--max-budget',
  budget_duration: '--budget-duration',
  ttl: '--ttl',
  max_ttl: '--max-ttl',
  key_alias_prefix: '--alias-prefix',
  metadata: '--metadata',
  tpm_limit: '--tpm',
  rpm_limit: '--rpm',
  max_parallel_requests: '--max-parallel',
  team_id: '--team-id',
  user_id: '--user-id',
};

/** Parses the flags of `role set` into the fields they change; every invalid value is reported at once. */
export function roleChangesFromArgs(args: ParsedArgs): { name: string; changes: Partial<RoleInput> } {
  const problems = new InputProblems();
  const name = problems.take('NAME', args.positionals[0] ?? '', (raw) => validateRoleName(raw));
  const changes: Partial<RoleInput> = {};
  const set = <K extends keyof RoleInput>(key: K, value: RoleInput[K] | undefined): void => {
    if (value !== undefined) changes[key] = value;
  };
  set('models', problems.take('--models', stringValue(args, 'models'), parseCommaList));
  set('max_budget', problems.take('--max-budget', stringValue(args, 'max-budget'), parseAmount));
  set('budget_duration', problems.take('--budget-duration', stringValue(args, 'budget-duration'), parseBudgetPeriod));
  set('ttl', problems.take('--ttl', stringValue(args, 'ttl'), parseDurationSeconds));
  set('max_ttl', problems.take('--max-ttl', stringValue(args, 'max-ttl'), parseDurationSeconds));
  set('key_alias_prefix', problems.take('--alias-prefix', stringValue(args, 'alias-prefix'), (raw) => raw.trim()));
  const metadata = listValue(args, 'metadata');
  if (metadata.length) set('metadata', problems.take('--metadata', '', () => parseKeyValues(metadata)));
  set('tpm_limit', problems.take('--tpm', stringValue(args, 'tpm'), parseOptionalWholeNumber));
  set('rpm_limit', problems.take('--rpm', stringValue(args, 'rpm'), parseOptionalWholeNumber));
  set('max_parallel_requests', problems.take('--max-parallel', stringValue(args, 'max-parallel'), parseOptionalWholeNumber));
  set('team_id', problems.take('--team-id', stringValue(args, 'team-id'), parseOptionalText));
  set('user_id', problems.take('--user-id', stringValue(args, 'user-id'), parseOptionalText));
  if (problems.fields.length) {
    // Report the core's objections to the values that did parse too, so one run lists every invalid flag.
    const reported = new Set(problems.fields.map((f) => f.field));
    try {
      validateRole({ ...changes, name: name ?? 'x' });
    } catch (e) {
      if (!isKeyfobError(e)) throw e;
      for (const f of e.fields) {
        const flag = FLAG_FOR_FIELD[f.field] ?? f.field;
        if (!reported.has(flag)) problems.add(flag, f.message);
      }
    }
  }
  problems.throwIfAny('invalid role');
  return { name: name as string, changes };
}

/** The role, or null when there is none of that name. */
function findRole(core: KeyfobCore, name: string): Role | null {
  try {
    return core.getRole(name);
  } catch (e) {
    if (isKeyfobError(e) && e.kind === 'role-not-found') return null;
    throw e;
  }
}

/**
 * A role may name a model the proxy does not offer (a typo, or a model not deployed yet): keys of it would be
 * refused for that model. Warn, and say which ones it does offer. Quiet when the proxy cannot be asked.
 */
async function warnUnknownModels(ctx: CliContext, core: KeyfobCore, models: readonly string[]): Promise<void> {
  if (!core.getSettings().litellm_url) return;
  let offered: string[];
  try {
    offered = await ctx.progress('checking the models with the proxy', () => core.listModels());
  } catch {
    return;
  }
  const unknown = models.filter((m) => !offered.includes(m));
  if (!unknown.length || !offered.length) return;
  const names = unknown.map((m) => {
    const guess = didYouMean(m, offered);
    return guess ? `${m} (${guess})` : m;
  });
  ctx.err(`keyfob: warning: the proxy does not offer ${names.join(', ')}; it offers ${offered.join(', ')}`);
}

/** The core names role fields (`tpm_limit`); the person typed flags (`--tpm`). */
export function withFlagNames(e: unknown): unknown {
  if (!isKeyfobError(e) || e.kind !== 'validation' || !e.fields.length) return e;
  // A message may name another field too ("must not exceed max_ttl"): that one reads as its flag as well.
  const inFlags = (message: string): string => message.replace(/\b[a-z][a-z_]*[a-z]\b/g, (word) => (word.includes('_') ? FLAG_FOR_FIELD[word] ?? word : word));
  const fields = e.fields.map((f) => ({ field: FLAG_FOR_FIELD[f.field] ?? f.field, message: inFlags(f.message) }));
  return usageError(fields.length === 1 ? e.message : `invalid role: ${fields.length} invalid values`, { fields });
}

const nameArg = [{ name: 'NAME', required: true }];

export const roleSetCommand: Command = {
  name: 'role set',
  summary: 'create a role, or change the given fields of an existing one',
  usage:
    'keyfob role set NAME [--models a,b] [--max-budget N] [--budget-duration D] [--ttl D] [--max-ttl D]\n' +
    '                     [--alias-prefix P] [--metadata k=v]... [--tpm N] [--rpm N] [--max-parallel N]\n' +
    '                     [--team-id T] [--user-id U]',
  description: [
    'A role is a template for keys. On an existing role, only the flags given change. Names are lower-cased.',
    'Durations: 90s, 5min, 1h30m, 1.5h, 2d, 2w or whole seconds; a ttl of 0 uses the default lease TTL setting, a',
    'max ttl of 0 the max lease TTL setting (`keyfob config get` shows both). "none" removes an optional limit or id.',
  ],
  args: {
    options: {
      models: { type: 'string', value: 'a,b', help: 'models keys may use, comma-separated; "" means all models' },
      'max-budget': { type: 'string', value: 'USD', help: 'budget per key in USD; 0 means no budget' },
      'budget-duration': { type: 'string', value: 'D', help: 'budget reset period in LiteLLM form (30d, 1mo, 24h), or none' },
      ttl: { type: 'string', value: 'D', help: 'lease lifetime before renewal, e.g. 30m' },
      'max-ttl': { type: 'string', value: 'D', help: 'longest a lease may live, counted from issue, e.g. 8h' },
      'alias-prefix': { type: 'string', value: 'P', help: 'key aliases are P-ROLE-xxxxxxxx (default keyfob)' },
      metadata: { type: 'string', multiple: true, value: 'k=v', help: 'metadata on every key (repeat; replaces the role\'s metadata)' },
      tpm: { type: 'string', value: 'N', help: 'tokens per minute limit, or none' },
      rpm: { type: 'string', value: 'N', help: 'requests per minute limit, or none' },
      'max-parallel': { type: 'string', value: 'N', help: 'parallel requests limit, or none' },
      'team-id': { type: 'string', value: 'T', help: 'LiteLLM team the keys belong to, or none' },
      'user-id': { type: 'string', value: 'U', help: 'LiteLLM user the keys belong to, or none' },
    },
    positionals: nameArg,
  },
  examples: [
    'keyfob role set dev --models gpt-4o-mini,claude-3-5-haiku --ttl 30m --max-ttl 8h --max-budget 5',
    'keyfob role set dev --tpm none                      # remove the limit, keep the rest',
  ],
  async run(ctx, args) {
    const { name, changes } = roleChangesFromArgs(args);
    return ctx.withCore({}, async (core) => {
      const existing = findRole(core, name);
      const input: RoleInput = { ...(existing ?? {}), ...changes, name };
      let saved: Role;
      try {
        saved = core.saveRole(input);
      } catch (e) {
        throw withFlagNames(e);
      }
      ctx.out(`${existing ? 'Updated' : 'Created'} role ${saved.name}.`);
      for (const line of roleDetails(saved)) ctx.out(`  ${line}`);
      if (changes.models?.length) await warnUnknownModels(ctx, core, saved.models);
      return EXIT_OK;
    });
  },
};

export const roleListCommand: Command = {
  name: 'role list',
  summary: 'list the roles',
  usage: 'keyfob role list [--json]',
  args: { options: { json: { type: 'boolean', help: 'print a JSON array of roles (durations in seconds)' } }, positionals: [] },
  examples: ['keyfob role list', 'keyfob role list --json | jq -r ".[].name"'],
  async run(ctx, args) {
    const roles = await ctx.withCore({}, async (core) => {
      // Vault mode: the engine's roles, read from Vault now (and kept for the core's own reads).
      if (core.vault.active()) await core.vault.refreshRoles();
      return core.listRoles();
    });
    if (boolValue(args, 'json')) ctx.out(json(roles));
    else if (!roles.length) ctx.err('keyfob: no roles yet: create one with `keyfob role set NAME --ttl 1h`');
    else for (const line of roleRows(roles)) ctx.out(line);
    return EXIT_OK;
  },
};

export const roleShowCommand: Command = {
  name: 'role show',
  summary: 'show one role',
  usage: 'keyfob role show NAME [--json]',
  args: { options: { json: { type: 'boolean', help: 'print the role as JSON (durations in seconds)' } }, positionals: nameArg },
  examples: ['keyfob role show dev'],
  async run(ctx, args) {
    const role = await ctx.withCore({}, async (core) => {
      if (core.vault.active()) await core.vault.refreshRoles();
      requireRole(core, args.positionals[0] as string, 'NAME');
      return core.getRole(args.positionals[0] as string);
    });
    if (boolValue(args, 'json')) ctx.out(json(role));
    else for (const line of roleDetails(role)) ctx.out(line);
    return EXIT_OK;
  },
};

export const roleDeleteCommand: Command = {
  name: 'role delete',
  summary: 'delete a role (its live leases keep running until they end)',
  usage: 'keyfob role delete NAME [--yes]',
  description: [
    'A role with live leases is deleted only after you confirm (or with --yes): its keys keep working until they',
    'expire, and can still be revoked with `keyfob lease revoke --role NAME`.',
  ],
  args: {
    options: { yes: { type: 'boolean', short: 'y', help: 'do not ask when the role has live leases' } },
    positionals: nameArg,
  },
  examples: ['keyfob role delete dev', 'keyfob lease revoke --role dev && keyfob role delete dev'],
  async run(ctx, args) {
    const raw = args.positionals[0] as string;
    const name = raw.trim().toLowerCase();
    return ctx.withCore({}, async (core) => {
      requireRole(core, raw, 'NAME');
      const live = core.leases.list().filter((l) => l.role === name);
      if (live.length && !boolValue(args, 'yes')) {
        const keys = live.length === 1 ? '1 live key, which keeps' : `${live.length} live keys, which keep`;
        ctx.err(`keyfob: role ${name} has ${keys} working until ${live.length === 1 ? 'it expires' : 'they expire'} (\`keyfob lease revoke --role ${name}\` ends ${live.length === 1 ? 'it' : 'them'} now).`);
        if (!(await confirm(ctx.streams, `Delete role ${name} anyway?`, '--yes'))) {
          ctx.err('keyfob: role not deleted');
          return EXIT_FAILED;
        }
      }
      core.deleteRole(name);
      ctx.out(`Deleted role ${name}.${live.length ? ` Its ${live.length === 1 ? 'live key stays' : `${live.length} live keys stay`} until ${live.length === 1 ? 'it expires' : 'they expire'}.` : ''}`);
      return EXIT_OK;
    });
  },
};
