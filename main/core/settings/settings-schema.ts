// The settings document (config.json): its defaults, its JSON schema, its migrations and the validation of
// settings changes. One schema serves the CLI (conf) and the app (electron-store) alike: the settings store checks
// every read and write against it with json-schema-check.ts (not ajv: compiling the schema cost ~250 ms of CPU per CLI
// command). The schema is the structural contract; `migrateConfig` adds what JSON Schema cannot say (ttl ≤ max_ttl,
// role keys equal role names, values stored in normal form) and is what decides whether a file is usable.
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { formatDuration, KEY_ALIAS_PREFIX_PATTERN, MAX_DURATION_SECONDS, MAX_KEY_ALIAS_PREFIX_LENGTH, MAX_ROLE_NAME_LENGTH, parseDuration, validateRole } from '../roles/index.js';
import { KeyfobError, type FieldError } from '../errors.js';
import { checkJsonSchema } from './json-schema-check.js';
import { normalizeProxyUrl } from '../litellm/index.js';
import { isPlainObject, textProblem } from '../text-rules.js';
import type { RevokeTrigger, Role, RoleInput, Settings, StoredConfig } from '../types.js';

/** Version 1 is the first released layout; version 0 is any file without `schema_version` (hand-written). */
export const CURRENT_SCHEMA_VERSION = 1;

export const REVOKE_TRIGGERS: readonly RevokeTrigger[] = ['quit', 'logout', 'lock', 'suspend'];

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  litellm_url: null,
  litellm_resolved_url: null,
  auth_header: null,
  ca_file: null,
  allow_insecure_tls: false,
  request_timeout_seconds: 10,
  default_lease_ttl_seconds: 3_600,
  max_lease_ttl_seconds: 86_400,
  clipboard_clear_seconds: 30,
  idle_threshold_seconds: 600,
  revoke_on: Object.freeze({ quit: true, logout: true, lock: false, suspend: false }),
  launch_at_login: false,
  notifications: true,
});

/** A fresh, mutable copy of the default settings. */
export function defaultSettings(): Settings {
  return { ...DEFAULT_SETTINGS, revoke_on: { ...DEFAULT_SETTINGS.revoke_on } };
}

/** The document a new state directory starts with: default settings, no roles. */
export function defaultConfig(): StoredConfig {
  return { schema_version: CURRENT_SCHEMA_VERSION, settings: defaultSettings(), roles: {} };
}

const SETTING_RANGES = {
  request_timeout_seconds: { min: 1, max: 300 },
  default_lease_ttl_seconds: { min: 1, max: MAX_DURATION_SECONDS },
  max_lease_ttl_seconds: { min: 1, max: MAX_DURATION_SECONDS },
  clipboard_clear_seconds: { min: 0, max: 86_400 },
  idle_threshold_seconds: { min: 1, max: 86_400 },
} as const;
type SecondsSetting = keyof typeof SETTING_RANGES;

type BooleanSetting = 'allow_insecure_tls' | 'launch_at_login' | 'notifications';

const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as Array<keyof Settings>;
/** Added after version 1 was released: a file without them takes their defaults. */
const LATER_SETTING_KEYS: ReadonlyArray<keyof Settings> = ['litellm_resolved_url', 'auth_header'];
const REQUIRED_SETTING_KEYS = SETTING_KEYS.filter((k) => !LATER_SETTING_KEYS.includes(k));
/** An HTTP header name (RFC 9110 token), not one that HTTP itself owns. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'accept', 'cookie']);
const MAX_PATH_LENGTH = 4096;

// Text without control characters or lone surrogates (ajv compiles patterns with the `u` flag).
const SAFE_TEXT = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\ud800-\\udfff]*$';
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const seconds = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max });
const text = (minLength: number, maxLength: number) => ({ type: 'string', pattern: SAFE_TEXT, minLength, maxLength });

/** JSON Schema (draft 2020-12) of config.json. */
export const STORED_CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Keyfob settings (config.json)',
  type: 'object',
  required: ['schema_version', 'settings', 'roles'],
  additionalProperties: false,
  properties: {
    schema_version: { const: CURRENT_SCHEMA_VERSION },
    settings: { $ref: '#/$defs/settings' },
    roles: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9_](([a-z0-9_.-]+)?[a-z0-9_])?$', maxLength: MAX_ROLE_NAME_LENGTH },
      additionalProperties: { $ref: '#/$defs/role' },
    },
    // conf keeps its own bookkeeping here when a caller uses its migrations; tolerated, never written by Keyfob.
    __internal__: { type: 'object' },
  },
  $defs: {
    settings: {
      type: 'object',
      additionalProperties: false,
      required: REQUIRED_SETTING_KEYS,
      properties: {
        litellm_url: nullable({ type: 'string', pattern: '^https?://[^?#@]+$', maxLength: 2048 }),
        litellm_resolved_url: nullable({ type: 'string', pattern: '^https?://[^?#@]+$', maxLength: 2048 }),
        auth_header: nullable({ type: 'string', pattern: HEADER_NAME.source }),
        ca_file: nullable(text(1, MAX_PATH_LENGTH)),
        allow_insecure_tls: { type: 'boolean' },
        request_timeout_seconds: seconds(SETTING_RANGES.request_timeout_seconds.min, SETTING_RANGES.request_timeout_seconds.max),
        default_lease_ttl_seconds: seconds(1, MAX_DURATION_SECONDS),
        max_lease_ttl_seconds: seconds(1, MAX_DURATION_SECONDS),
        clipboard_clear_seconds: seconds(SETTING_RANGES.clipboard_clear_seconds.min, SETTING_RANGES.clipboard_clear_seconds.max),
        idle_threshold_seconds: seconds(SETTING_RANGES.idle_threshold_seconds.min, SETTING_RANGES.idle_threshold_seconds.max),
        revoke_on: {
          type: 'object',
          additionalProperties: false,
          required: REVOKE_TRIGGERS,
          properties: Object.fromEntries(REVOKE_TRIGGERS.map((t) => [t, { type: 'boolean' }])),
        },
        launch_at_login: { type: 'boolean' },
        notifications: { type: 'boolean' },
      },
    },
    role: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'models', 'max_budget', 'budget_duration', 'tpm_limit', 'rpm_limit', 'max_parallel_requests',
        'team_id', 'user_id', 'key_alias_prefix', 'metadata', 'ttl', 'max_ttl'],
      properties: {
        name: { type: 'string', maxLength: MAX_ROLE_NAME_LENGTH },
        models: { type: 'array', maxItems: 200, uniqueItems: true, items: text(1, 256) },
        max_budget: { type: 'number', minimum: 0, maximum: 1_000_000_000 },
        budget_duration: nullable({ type: 'string', pattern: '^[1-9][0-9]{0,5}(mo|s|m|h|d|w)$' }),
        tpm_limit: nullable({ type: 'integer', minimum: 0, maximum: 1_000_000_000_000 }),
        rpm_limit: nullable({ type: 'integer', minimum: 0, maximum: 1_000_000_000_000 }),
        max_parallel_requests: nullable({ type: 'integer', minimum: 0, maximum: 1_000_000_000_000 }),
        team_id: nullable(text(1, 256)),
        user_id: nullable(text(1, 256)),
        key_alias_prefix: { type: 'string', pattern: KEY_ALIAS_PREFIX_PATTERN.source, maxLength: MAX_KEY_ALIAS_PREFIX_LENGTH },
        metadata: {
          type: 'object',
          maxProperties: 32,
          propertyNames: { ...text(1, 64), not: { pattern: '^[Kk][Ee][Yy][Ff][Oo][Bb]_' } },
          additionalProperties: text(0, 512),
        },
        ttl: seconds(0, MAX_DURATION_SECONDS),
        max_ttl: seconds(0, MAX_DURATION_SECONDS),
      },
    },
  },
} as const;

/** How a document breaks STORED_CONFIG_SCHEMA (empty when it conforms): what ajv would have said, in short. */
export function storedConfigSchemaProblems(doc: unknown): string[] {
  return checkJsonSchema(STORED_CONFIG_SCHEMA, doc);
}

// ---------------------------------------------------------------------------------------------------------------
// Settings changes

function settingsError(errors: FieldError[]): KeyfobError {
  const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
  return new KeyfobError('validation', `Settings not saved: ${detail}.`, { fields: errors });
}

/**
 * Checks a settings change (from the window, the CLI or a file) and returns it normalised: durations as seconds,
 * the URL normalised, `revoke_on` completed from `current`. Every invalid field is reported, all at once.
 * Accepts the CLI's text forms too: "true"/"false", "15m", "3600".
 */
export function validateSettingsPatch(patch: unknown, current: Readonly<Settings> = DEFAULT_SETTINGS): Partial<Settings> {
  if (!isPlainObject(patch)) throw settingsError([{ field: 'settings', message: 'must be an object' }]);
  const errors: FieldError[] = [];
  const result: Partial<Settings> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!(SETTING_KEYS as string[]).includes(key)) {
      errors.push({ field: key, message: 'is not a setting' });
      continue;
    }
    const field = key as keyof Settings;
    try {
      switch (field) {
        case 'litellm_url':
        case 'litellm_resolved_url':
          result[field] = value === null || value === '' ? null : normalizeProxyUrl(value, field);
          break;
        case 'auth_header':
          result.auth_header = checkAuthHeader(value);
          break;
        case 'ca_file':
          result.ca_file = checkCaFile(value);
          break;
        case 'revoke_on':
          result.revoke_on = checkRevokeOn(value, current.revoke_on);
          break;
        case 'allow_insecure_tls':
        case 'launch_at_login':
        case 'notifications':
          result[field] = checkBoolean(value, field);
          break;
        default:
          result[field] = checkSeconds(value, field);
      }
    } catch (e) {
      if (!(e instanceof KeyfobError) || e.kind !== 'validation') throw e;
      errors.push(...e.fields);
    }
  }
  const merged = { ...current, ...result };
  const touchesTtl = 'default_lease_ttl_seconds' in result || 'max_lease_ttl_seconds' in result;
  if (touchesTtl && errors.length === 0 && merged.default_lease_ttl_seconds > merged.max_lease_ttl_seconds) {
    errors.push({
      field: 'default_lease_ttl_seconds',
      message: `must not exceed max_lease_ttl_seconds (${formatDuration(merged.default_lease_ttl_seconds)} > ${formatDuration(merged.max_lease_ttl_seconds)})`,
    });
  }
  if (errors.length > 0) throw settingsError(errors);
  return result;
}

/** `current` with a validated patch applied. */
export function applySettingsPatch(current: Readonly<Settings>, patch: unknown): Settings {
  const checked = validateSettingsPatch(patch, current);
  return { ...current, ...checked, revoke_on: { ...(checked.revoke_on ?? current.revoke_on) } };
}

function fieldError(field: string, message: string): KeyfobError {
  return new KeyfobError('validation', `${field}: ${message}`, { fields: [{ field, message }] });
}

function checkBoolean(value: unknown, field: BooleanSetting | `revoke_on.${RevokeTrigger}`): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw fieldError(field, 'must be true or false');
}

function checkSeconds(value: unknown, field: SecondsSetting): number {
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw fieldError(field, 'must be a duration like "30s", "10m" or "1h", or whole seconds');
  }
  const secondsValue = parseDuration(value, field);
  const { min, max } = SETTING_RANGES[field];
  if (secondsValue < min || secondsValue > max) {
    throw fieldError(field, `must be between ${formatDuration(min)} and ${formatDuration(max)}`);
  }
  return secondsValue;
}

function checkAuthHeader(value: unknown): string | null {
  if (value === null || value === '') return null;
  if (typeof value !== 'string' || !HEADER_NAME.test(value.trim())) {
    throw fieldError('auth_header', 'must be an HTTP header name like "x-litellm-api-key" (letters, digits and -), or empty for Authorization: Bearer');
  }
  const name = value.trim();
  if (RESERVED_HEADERS.has(name.toLowerCase())) throw fieldError('auth_header', `cannot be "${name}": HTTP itself uses that header`);
  return name.toLowerCase() === 'authorization' ? null : name;
}

function checkCaFile(value: unknown): string | null {
  if (value === null || value === '') return null;
  if (typeof value !== 'string') throw fieldError('ca_file', 'must be the path of a PEM file');
  const problem = textProblem(value, MAX_PATH_LENGTH);
  if (problem) throw fieldError('ca_file', problem);
  if (!path.posix.isAbsolute(value) && !path.win32.isAbsolute(value)) {
    throw fieldError('ca_file', 'must be an absolute path to a PEM file (for example /etc/ssl/certs/corp-ca.pem)');
  }
  return value;
}

function checkRevokeOn(value: unknown, current: Readonly<Record<RevokeTrigger, boolean>>): Record<RevokeTrigger, boolean> {
  if (!isPlainObject(value)) throw fieldError('revoke_on', `must be an object with any of ${REVOKE_TRIGGERS.join(', ')}`);
  const errors: FieldError[] = [];
  const result = { ...current };
  for (const [key, flag] of Object.entries(value)) {
    if (!(REVOKE_TRIGGERS as string[]).includes(key)) {
      errors.push({ field: `revoke_on.${key}`, message: `is not a revoke trigger (use ${REVOKE_TRIGGERS.join(', ')})` });
      continue;
    }
    const trigger = key as RevokeTrigger;
    try {
      result[trigger] = checkBoolean(flag, `revoke_on.${trigger}`);
    } catch (e) {
      if (!(e instanceof KeyfobError)) throw e;
      errors.push(...e.fields);
    }
  }
  if (errors.length > 0) throw new KeyfobError('validation', 'revoke_on is not valid', { fields: errors });
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a stored document: migrations, then the full check

type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

/** MIGRATIONS[n] turns a version-n document into version n+1. Each step may normalise and may throw. */
const MIGRATIONS: Readonly<Record<number, Migration>> = {
  // 0 → 1: a file without a version (hand-written, or from a pre-release build). Missing settings take their
  // defaults, roles may be written as people type them (durations "15m", a list instead of a map).
  0: (doc) => {
    const errors: FieldError[] = [];
    const settingsIn = doc.settings ?? {};
    let settings: Settings = defaultSettings();
    try {
      settings = applySettingsPatch(defaultSettings(), settingsIn);
    } catch (e) {
      collectPrefixed(e, 'settings', errors);
    }
    const roles: Record<string, Role> = {};
    const rolesIn = doc.roles ?? {};
    const entries: Array<[string, unknown]> = Array.isArray(rolesIn)
      ? rolesIn.map((r: unknown, i) => [isPlainObject(r) && typeof r.name === 'string' ? r.name : `#${i + 1}`, r])
      : isPlainObject(rolesIn) ? Object.entries(rolesIn) : [];
    if (!Array.isArray(rolesIn) && !isPlainObject(rolesIn)) errors.push({ field: 'roles', message: 'must be a map of role name to role' });
    for (const [key, value] of entries) {
      try {
        const input = isPlainObject(value) ? { name: key, ...value } : value;
        const role = validateRole(input as RoleInput);
        if (roles[role.name]) errors.push({ field: `roles.${key}`, message: `duplicates the role "${role.name}"` });
        roles[role.name] = role;
      } catch (e) {
        collectPrefixed(e, `roles.${key}`, errors);
      }
    }
    const unknown = Object.keys(doc).filter((k) => !['settings', 'roles', 'schema_version'].includes(k));
    for (const k of unknown) errors.push({ field: k, message: 'is not part of the settings file' });
    if (errors.length > 0) throw configError(errors);
    return { schema_version: 1, settings, roles };
  },
};

function configError(errors: FieldError[]): KeyfobError {
  const detail = errors.slice(0, 8).map((e) => `${e.field} ${e.message}`).join('; ');
  const more = errors.length > 8 ? ` (and ${errors.length - 8} more)` : '';
  return new KeyfobError('validation', `The settings file is not valid: ${detail}${more}.`, { fields: errors });
}

function collectPrefixed(e: unknown, prefix: string, errors: FieldError[]): void {
  if (!(e instanceof KeyfobError) || e.kind !== 'validation') throw e;
  const fields = e.fields.length > 0 ? e.fields : [{ field: '', message: e.message }];
  for (const f of fields) errors.push({ field: f.field ? `${prefix}.${f.field}` : prefix, message: f.message });
}

/**
 * Turns whatever config.json held into a current StoredConfig, running each migration in order. Throws
 * KeyfobError('validation') (every problem in `fields`) when the document cannot be used, and
 * KeyfobError('state-unavailable') when it comes from a newer Keyfob (never downgraded, never discarded).
 */
export function migrateConfig(raw: unknown): StoredConfig {
  if (!isPlainObject(raw)) throw configError([{ field: '(file)', message: 'must hold a JSON object' }]);
  const version = raw.schema_version ?? 0;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw configError([{ field: 'schema_version', message: 'must be a whole number' }]);
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    throw new KeyfobError(
      'state-unavailable',
      `The settings file was written by a newer Keyfob (schema version ${version}; this one understands up to ${CURRENT_SCHEMA_VERSION}). Update Keyfob, or point it at another state directory with --home.`,
    );
  }
  let doc: Record<string, unknown> = structuredClone(raw);
  for (let v = version; v < CURRENT_SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new KeyfobError('internal', `No migration from settings schema version ${v}.`);
    doc = step(doc);
  }
  return checkCurrentConfig(doc, true);
}

/**
 * Checks a current-version document that code built (a settings store `update`) and returns it normalised:
 * values may be in any form validation accepts (`"15m"`, an un-normalised URL); every other rule applies.
 */
export function normalizeStoredConfig(config: unknown): StoredConfig {
  if (!isPlainObject(config)) throw configError([{ field: '(config)', message: 'must be an object' }]);
  if (config.schema_version !== CURRENT_SCHEMA_VERSION) {
    throw configError([{ field: 'schema_version', message: `must be ${CURRENT_SCHEMA_VERSION}` }]);
  }
  return checkCurrentConfig(structuredClone(config), false);
}

/**
 * The full check of a current-version document: structure and cross-field rules; with `strict`, values must also
 * be stored in their normal form (what a file written by Keyfob holds).
 */
function checkCurrentConfig(doc: Record<string, unknown>, strict: boolean): StoredConfig {
  const errors: FieldError[] = [];
  for (const key of Object.keys(doc)) {
    if (!['schema_version', 'settings', 'roles', '__internal__'].includes(key)) {
      errors.push({ field: key, message: 'is not part of the settings file' });
    }
  }
  const settings = checkStoredSettings(doc.settings, errors, strict);
  const roles: Record<string, Role> = {};
  if (!isPlainObject(doc.roles)) {
    errors.push({ field: 'roles', message: 'must be a map of role name to role' });
  } else {
    for (const [key, value] of Object.entries(doc.roles)) {
      try {
        const role = validateRole(value as RoleInput);
        if (role.name !== key) errors.push({ field: `roles.${key}.name`, message: `must equal its key "${key}"` });
        if (strict) diffNormalForm(value, role, `roles.${key}`, errors);
        roles[key] = role;
      } catch (e) {
        collectPrefixed(e, `roles.${key}`, errors);
      }
    }
  }
  if (errors.length > 0 || settings === null) throw configError(errors);
  return { schema_version: CURRENT_SCHEMA_VERSION, settings, roles };
}

function checkStoredSettings(value: unknown, errors: FieldError[], strict: boolean): Settings | null {
  if (!isPlainObject(value)) {
    errors.push({ field: 'settings', message: 'must be an object' });
    return null;
  }
  const missing = REQUIRED_SETTING_KEYS.filter((k) => !(k in value));
  for (const k of missing) errors.push({ field: `settings.${k}`, message: 'is missing' });
  try {
    const revokeOn = value.revoke_on;
    if (isPlainObject(revokeOn)) {
      for (const t of REVOKE_TRIGGERS) if (!(t in revokeOn)) errors.push({ field: `settings.revoke_on.${t}`, message: 'is missing' });
    }
    const settings = applySettingsPatch(defaultSettings(), value);
    if (settings.default_lease_ttl_seconds > settings.max_lease_ttl_seconds) {
      errors.push({ field: 'settings.default_lease_ttl_seconds', message: 'must not exceed max_lease_ttl_seconds' });
    }
    if (strict) diffNormalForm(value, settings, 'settings', errors);
    return missing.length === 0 ? settings : null;
  } catch (e) {
    collectPrefixed(e, 'settings', errors);
    return null;
  }
}

/** A stored value must already be in the form validation produces (numbers as numbers, URLs normalised …). */
function diffNormalForm(stored: unknown, normal: object, prefix: string, errors: FieldError[]): void {
  if (!isPlainObject(stored)) return;
  for (const [key, expected] of Object.entries(normal)) {
    if (key in stored && !isDeepStrictEqual(stored[key], expected)) {
      errors.push({ field: `${prefix}.${key}`, message: `is not stored in its normal form (expected ${JSON.stringify(expected)})` });
    }
  }
}
