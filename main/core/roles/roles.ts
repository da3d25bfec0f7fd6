// Roles: named key templates (the seed's litellmRole plus LiteLLM's limits). `validateRole` is the one gate every
// role passes — from the window, the CLI, or a settings file — and it reports every invalid field at once.
import { parseBudgetDuration, parseDuration, formatDuration } from './durations.js';
import { KeyfobError, type FieldError } from '../errors.js';
import { isPlainObject, textProblem } from '../text-rules.js';
import type { Role, RoleInput } from '../types.js';

/** Vault's GenericNameRegex, applied after lower-casing (the seed's TypeLowerCaseString). */
export const ROLE_NAME_PATTERN = /^\w(([\w.-]+)?\w)?$/;
export const MAX_ROLE_NAME_LENGTH = 64;
export const DEFAULT_KEY_ALIAS_PREFIX = 'keyfob';
/** Letters, digits, `-`, `_`, `.`; starting and ending with a letter or digit, as LiteLLM key aliases allow. */
export const KEY_ALIAS_PREFIX_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
export const MAX_KEY_ALIAS_PREFIX_LENGTH = 32;
/** Metadata keys Keyfob itself writes onto keys (lease id, role); a role may not set them. */
export const RESERVED_METADATA_PREFIX = 'keyfob_';

const LIMITS = {
  models: 200,
  modelName: 256,
  id: 256,
  metadataEntries: 32,
  metadataKey: 64,
  metadataValue: 512,
  maxBudget: 1_000_000_000,
  rateLimit: 1_000_000_000_000,
} as const;

const ROLE_FIELDS: ReadonlySet<string> = new Set<keyof RoleInput>([
  'name', 'models', 'max_budget', 'budget_duration', 'tpm_limit', 'rpm_limit', 'max_parallel_requests',
  'team_id', 'user_id', 'key_alias_prefix', 'metadata', 'ttl', 'max_ttl',
]);

/** Trims and lower-cases; does not validate (see `validateRoleName`). */
export function normalizeRoleName(name: string): string {
  return name.trim().toLowerCase();
}

/** The normalised name, or a validation error naming the field `name`. */
export function validateRoleName(name: unknown): string {
  const errors: FieldError[] = [];
  const normalized = checkName(name, errors);
  if (errors.length > 0 || normalized === null) throw roleError(errors);
  return normalized;
}

/** A role with every optional field at its default: all models, no budget, the settings' TTLs. */
export function defaultRole(name: string): Role {
  return validateRole({ name });
}

/**
 * Checks and normalises what a person typed into a Role. Throws KeyfobError('validation') listing every invalid
 * field (`fields`), not only the first.
 */
export function validateRole(input: RoleInput): Role {
  const errors: FieldError[] = [];
  if (!isPlainObject(input)) {
    throw roleError([{ field: 'role', message: 'must be an object with at least a name' }]);
  }
  for (const key of Object.keys(input)) {
    if (!ROLE_FIELDS.has(key)) errors.push({ field: key, message: 'is not a role field' });
  }

  const name = checkName(input.name, errors);
  const models = checkModels(input.models, errors);
  const max_budget = checkNumber(input.max_budget, 'max_budget', { integer: false, max: LIMITS.maxBudget }, errors) ?? 0;
  const budget_duration = checkBudgetDuration(input.budget_duration, errors);
  const tpm_limit = checkNumber(input.tpm_limit, 'tpm_limit', { integer: true, max: LIMITS.rateLimit }, errors);
  const rpm_limit = checkNumber(input.rpm_limit, 'rpm_limit', { integer: true, max: LIMITS.rateLimit }, errors);
  const max_parallel_requests = checkNumber(
    input.max_parallel_requests, 'max_parallel_requests', { integer: true, max: LIMITS.rateLimit }, errors);
  const team_id = checkOptionalId(input.team_id, 'team_id', errors);
  const user_id = checkOptionalId(input.user_id, 'user_id', errors);
  const key_alias_prefix = checkAliasPrefix(input.key_alias_prefix, errors);
  const metadata = checkMetadata(input.metadata, errors);
  const ttl = checkDuration(input.ttl, 'ttl', errors);
  const max_ttl = checkDuration(input.max_ttl, 'max_ttl', errors);
  if (ttl !== null && max_ttl !== null && ttl > 0 && max_ttl > 0 && ttl > max_ttl) {
    errors.push({ field: 'ttl', message: `must not exceed max_ttl (${formatDuration(ttl)} > ${formatDuration(max_ttl)})` });
  }

  if (errors.length > 0) throw roleError(errors, name);
  return {
    name: name as string,
    models,
    max_budget,
    budget_duration,
    tpm_limit,
    rpm_limit,
    max_parallel_requests,
    team_id,
    user_id,
    key_alias_prefix,
    metadata,
    ttl: ttl ?? 0,
    max_ttl: max_ttl ?? 0,
  };
}

function roleError(errors: FieldError[], name?: string | null): KeyfobError {
  const subject = name ? `Role "${name}" is not valid` : 'The role is not valid';
  const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
  return new KeyfobError('validation', `${subject}: ${detail}.`, { fields: errors });
}

function checkName(value: unknown, errors: FieldError[]): string | null {
  if (typeof value !== 'string' || value.trim() === '') {
    errors.push({ field: 'name', message: 'is required (for example "dev" or "ci-nightly")' });
    return null;
  }
  const name = normalizeRoleName(value);
  if (name.length > MAX_ROLE_NAME_LENGTH) {
    errors.push({ field: 'name', message: `is too long (at most ${MAX_ROLE_NAME_LENGTH} characters)` });
    return null;
  }
  const problem = textProblem(name, MAX_ROLE_NAME_LENGTH);
  if (problem) {
    errors.push({ field: 'name', message: problem });
    return null;
  }
  if (!ROLE_NAME_PATTERN.test(name)) {
    errors.push({
      field: 'name',
      message: 'may hold only letters, digits, "_", "-" and ".", and must start and end with a letter, digit or "_" (for example "dev" or "team.ci-1")',
    });
    return null;
  }
  return name;
}

function checkModels(value: unknown, errors: FieldError[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push({ field: 'models', message: 'must be a list of model names (empty means all models)' });
    return [];
  }
  if (value.length > LIMITS.models) {
    errors.push({ field: 'models', message: `has too many entries (${value.length}; at most ${LIMITS.models})` });
    return [];
  }
  const models: string[] = [];
  value.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry.trim() === '') {
      errors.push({ field: 'models', message: `entry ${index + 1} must be a non-empty model name` });
      return;
    }
    const model = entry.trim();
    const problem = textProblem(model, LIMITS.modelName);
    if (problem) {
      errors.push({ field: 'models', message: `entry ${index + 1} ${problem}` });
      return;
    }
    if (!models.includes(model)) models.push(model);
  });
  return models;
}

interface NumberRule {
  integer: boolean;
  max: number;
}

/** A number or a numeric string; unset (undefined, null, "") gives null. */
function checkNumber(value: unknown, field: string, rule: NumberRule, errors: FieldError[]): number | null {
  if (value === undefined || value === null) return null;
  let n: number;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return null;
    const pattern = rule.integer ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/;
    if (!pattern.test(text)) {
      errors.push({ field, message: rule.integer ? 'must be a whole number (for example 1000)' : 'must be a number (for example 25 or 12.5)' });
      return null;
    }
    n = Number(text);
  } else if (typeof value === 'number') {
    n = value;
  } else {
    errors.push({ field, message: 'must be a number' });
    return null;
  }
  if (!Number.isFinite(n)) {
    errors.push({ field, message: 'must be a finite number' });
  } else if (n < 0) {
    errors.push({ field, message: 'must be 0 or more' });
  } else if (rule.integer && !Number.isInteger(n)) {
    errors.push({ field, message: 'must be a whole number (for example 1000)' });
  } else if (n > rule.max) {
    errors.push({ field, message: `is too large (at most ${rule.max})` });
  } else {
    return n;
  }
  return null;
}

function checkBudgetDuration(value: unknown, errors: FieldError[]): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
  return collect(() => parseBudgetDuration(value as string, 'budget_duration'), errors);
}

function checkDuration(value: unknown, field: 'ttl' | 'max_ttl', errors: FieldError[]): number | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return 0;
  return collect(() => parseDuration(value as string | number, field), errors);
}

function checkOptionalId(value: unknown, field: string, errors: FieldError[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    errors.push({ field, message: 'must be text' });
    return null;
  }
  const id = value.trim();
  if (id === '') return null;
  const problem = textProblem(id, LIMITS.id);
  if (problem) {
    errors.push({ field, message: problem });
    return null;
  }
  return id;
}

function checkAliasPrefix(value: unknown, errors: FieldError[]): string {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    return DEFAULT_KEY_ALIAS_PREFIX;
  }
  if (typeof value !== 'string') {
    errors.push({ field: 'key_alias_prefix', message: 'must be text' });
    return DEFAULT_KEY_ALIAS_PREFIX;
  }
  const prefix = value.trim();
  if (prefix.length > MAX_KEY_ALIAS_PREFIX_LENGTH) {
    errors.push({ field: 'key_alias_prefix', message: `is too long (at most ${MAX_KEY_ALIAS_PREFIX_LENGTH} characters)` });
  } else if (!KEY_ALIAS_PREFIX_PATTERN.test(prefix)) {
    errors.push({
      field: 'key_alias_prefix',
      message: 'may hold only letters, digits, "-", "_" and ".", and must start and end with a letter or digit (it begins every LiteLLM key alias; for example "keyfob")',
    });
  }
  return prefix;
}

function checkMetadata(value: unknown, errors: FieldError[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) {
    errors.push({ field: 'metadata', message: 'must be an object of text keys and text values' });
    return {};
  }
  const entries = Object.entries(value);
  if (entries.length > LIMITS.metadataEntries) {
    errors.push({ field: 'metadata', message: `has too many entries (${entries.length}; at most ${LIMITS.metadataEntries})` });
    return {};
  }
  const result: Array<[string, string]> = [];
  for (const [key, entry] of entries) {
    const shownKey = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
    const keyProblem = key === '' ? 'must not be empty' : textProblem(key, LIMITS.metadataKey);
    if (keyProblem) {
      errors.push({ field: 'metadata', message: `key ${shownKey} ${keyProblem}` });
      continue;
    }
    if (key.toLowerCase().startsWith(RESERVED_METADATA_PREFIX)) {
      errors.push({ field: 'metadata', message: `key ${shownKey} is reserved: keys starting "${RESERVED_METADATA_PREFIX}" are set by Keyfob` });
      continue;
    }
    if (typeof entry !== 'string') {
      errors.push({ field: 'metadata', message: `value of ${shownKey} must be text` });
      continue;
    }
    const valueProblem = textProblem(entry, LIMITS.metadataValue);
    if (valueProblem) {
      errors.push({ field: 'metadata', message: `value of ${shownKey} ${valueProblem}` });
      continue;
    }
    result.push([key, entry]);
  }
  return Object.fromEntries(result);
}

/** Runs a parser that throws validation errors, moving its field errors into `errors`. */
function collect<T>(parse: () => T, errors: FieldError[]): T | null {
  try {
    return parse();
  } catch (e) {
    if (e instanceof KeyfobError && e.kind === 'validation') {
      errors.push(...e.fields);
      return null;
    }
    throw e;
  }
}
