// /key/generate, /key/update, /key/delete, /key/info, /key/list, /key/block, /key/unblock, /key/regenerate.
import { maskKey, requireAdmin } from '../auth.js';
import { addDuration, DurationError } from '../duration.js';
import { FLAVOR_RULES } from '../flavors.js';
import { hashKey, keyName, newPlaintextKey, tokenOf } from '../key-store.js';
import type { KeyRecord } from '../key-store.js';
import { json, proxyError, pythonDictRepr, validationError } from '../responses.js';
import type { SimHttpError, SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';
import { isoDatabase, isoUpdate } from '../time-format.js';
import { validateBody, validateQuery } from '../validation.js';
import type { Schema } from '../validation.js';
import { generateResponseJson, rowJson } from './key-rows.js';

/** The user the master key acts as: what the proxy writes into created_by/updated_by. */
const ADMIN_USER = 'default_user_id';

const VIRTUAL_KEYS_DOCS = 'https://docs.litellm.ai/docs/proxy/virtual_keys';

/** No database: the proxy's handlers fail with one of two messages depending on the route (contract: "500 / 400"). */
const NO_DATABASE: Record<string, { status: number; type: string; message: string }> = {
  '/key/generate': { status: 500, type: 'internal_server_error', message: `DB not connected. See ${VIRTUAL_KEYS_DOCS}` },
  '/key/info': { status: 500, type: 'internal_server_error', message: `DB not connected. See ${VIRTUAL_KEYS_DOCS}` },
  '/key/list': { status: 500, type: 'internal_server_error', message: `DB not connected. See ${VIRTUAL_KEYS_DOCS}` },
  '/key/update': { status: 400, type: 'bad_request_error', message: 'Not connected to DB!' },
  '/key/delete': { status: 400, type: 'bad_request_error', message: 'Not connected to DB!' },
  '/key/block': { status: 400, type: 'bad_request_error', message: 'Not connected to DB!' },
  '/key/unblock': { status: 400, type: 'bad_request_error', message: 'Not connected to DB!' },
};

const ENTERPRISE_FIELDS = ['tags', 'model_max_budget', 'guardrails'] as const;

const KEY_FIELDS: Schema = {
  key_alias: { kind: 'str', nullable: true },
  duration: { kind: 'str', nullable: true },
  models: { kind: 'list_str', nullable: true },
  spend: { kind: 'float', nullable: true },
  max_budget: { kind: 'float', nullable: true },
  budget_duration: { kind: 'str', nullable: true },
  metadata: { kind: 'dict', nullable: true },
  tpm_limit: { kind: 'int', nullable: true },
  rpm_limit: { kind: 'int', nullable: true },
  max_parallel_requests: { kind: 'int', nullable: true },
  team_id: { kind: 'str', nullable: true },
  user_id: { kind: 'str', nullable: true },
  blocked: { kind: 'bool', nullable: true },
  aliases: { kind: 'dict', nullable: true },
  config: { kind: 'dict', nullable: true },
  permissions: { kind: 'dict', nullable: true },
  allowed_cache_controls: { kind: 'list', nullable: true },
  budget_id: { kind: 'str', nullable: true },
  soft_budget: { kind: 'float', nullable: true },
  send_invite_email: { kind: 'bool', nullable: true },
  tags: { kind: 'list_str', nullable: true },
  model_max_budget: { kind: 'dict', nullable: true },
  guardrails: { kind: 'list_str', nullable: true },
};

const GENERATE_SCHEMA: Schema = { ...KEY_FIELDS, key: { kind: 'str', nullable: true } };
const UPDATE_SCHEMA: Schema = { ...KEY_FIELDS, key: { kind: 'str', required: true } };
const KEY_ONLY_SCHEMA: Schema = { key: { kind: 'str', required: true } };
const DELETE_SCHEMA: Schema = { keys: { kind: 'list_str', nullable: true }, key_aliases: { kind: 'list_str', nullable: true } };
const INFO_QUERY: Schema = { key: { kind: 'str' } };
const LIST_QUERY: Schema = {
  page: { kind: 'int', ge: 1 },
  size: { kind: 'int', ge: 1, le: 100 },
  key_alias: { kind: 'str' },
  user_id: { kind: 'str' },
  team_id: { kind: 'str' },
  return_full_object: { kind: 'bool' },
};

function body(req: RouteRequest, schema: Schema): Record<string, unknown> {
  const { value, issues } = validateBody(req.body, schema);
  if (issues.length) throw validationError(issues);
  return value;
}

function requireDatabase(req: RouteRequest, state: SimState): void {
  if (state.databaseConnected) return;
  const failure = NO_DATABASE[req.path] ?? NO_DATABASE['/key/update']!;
  throw proxyError(state.flavor, failure.status, failure.type, failure.message);
}

function rejectEnterpriseFields(data: Record<string, unknown>, state: SimState): void {
  for (const field of ENTERPRISE_FIELDS) {
    const value = data[field];
    const empty = value === null || value === undefined || (Array.isArray(value) ? value.length === 0 : Object.keys(value as object).length === 0);
    if (!empty) {
      throw proxyError(state.flavor, 403, 'auth_error', pythonDictRepr({
        error: `${field} is an Enterprise only feature. You must be a LiteLLM Enterprise user to use this feature. If you have a license please set \`LITELLM_LICENSE\` in your env. Get a 7 day trial key here: https://www.litellm.ai/#trial.`,
      }));
    }
  }
}

function rejectNegativeBudget(data: Record<string, unknown>, state: SimState): void {
  if (typeof data.max_budget === 'number' && data.max_budget < 0) {
    throw proxyError(state.flavor, 400, 'bad_request_error', `max_budget cannot be negative. Received: ${data.max_budget}`, 'max_budget');
  }
}

function rejectTakenAlias(alias: unknown, state: SimState, self?: KeyRecord): void {
  if (typeof alias !== 'string') return;
  if (state.store.findByAlias(alias).some((row) => row !== self)) {
    throw proxyError(state.flavor, 400, 'bad_request_error',
      `Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`, 'key_alias');
  }
}

/** `now + duration` in µs, or the flavor's answer to a duration the grammar rejects. */
function expiryFrom(duration: string, nowUs: number, state: SimState): number {
  try {
    return addDuration(nowUs, duration);
  } catch (e) {
    if (!(e instanceof DurationError)) throw e;
    const status = state.durationErrorStatus;
    throw proxyError(state.flavor, status, status === 400 ? 'bad_request_error' : 'internal_server_error', e.message);
  }
}

function unknownKeyOnUpdate(token: string, state: SimState): SimHttpError {
  const rule = FLAVOR_RULES[state.flavor].updateUnknownKey;
  return proxyError(state.flavor, rule.status, rule.type, rule.message(token));
}

export function generateKey(req: RouteRequest, state: SimState): SimResponse {
  requireAdmin(req, state);
  const data = body(req, GENERATE_SCHEMA);
  requireDatabase(req, state);
  rejectEnterpriseFields(data, state);
  rejectNegativeBudget(data, state);
  if (typeof data.key === 'string' && !data.key.startsWith('sk-')) {
    throw proxyError(state.flavor, 400, 'bad_request_error', pythonDictRepr({
      error: `Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: ${maskKey(data.key)}`,
    }));
  }
  rejectTakenAlias(data.key_alias, state);
  const nowUs = state.nowUs();
  const duration = typeof data.duration === 'string' ? data.duration : null;
  const expiresUs = duration === null ? null : expiryFrom(duration, nowUs, state);
  const budgetDuration = typeof data.budget_duration === 'string' ? data.budget_duration : null;
  const budgetResetAtUs = budgetDuration === null ? null : expiryFrom(budgetDuration, nowUs, state);
  const plaintext = typeof data.key === 'string' ? data.key : newPlaintextKey();
  const token = hashKey(plaintext);
  if (state.store.find(token)) {
    throw proxyError(state.flavor, 500, 'internal_server_error', 'Unique constraint failed on the fields: (`token`)');
  }
  const row: KeyRecord = {
    token,
    key_name: keyName(plaintext),
    key_alias: (data.key_alias as string | null | undefined) ?? null,
    spend: (data.spend as number | null | undefined) ?? 0,
    max_budget: (data.max_budget as number | null | undefined) ?? null,
    expiresUs,
    models: (data.models as string[] | null | undefined) ?? [],
    metadata: (data.metadata as Record<string, unknown> | null | undefined) ?? {},
    blocked: (data.blocked as boolean | null | undefined) ?? null,
    tpm_limit: (data.tpm_limit as number | null | undefined) ?? null,
    rpm_limit: (data.rpm_limit as number | null | undefined) ?? null,
    max_parallel_requests: (data.max_parallel_requests as number | null | undefined) ?? null,
    budget_duration: budgetDuration,
    budgetResetAtUs,
    team_id: (data.team_id as string | null | undefined) ?? null,
    user_id: (data.user_id as string | null | undefined) ?? null,
    aliases: (data.aliases as Record<string, unknown> | null | undefined) ?? {},
    config: (data.config as Record<string, unknown> | null | undefined) ?? {},
    permissions: (data.permissions as Record<string, unknown> | null | undefined) ?? {},
    allowed_cache_controls: (data.allowed_cache_controls as unknown[] | null | undefined) ?? [],
    budget_id: (data.budget_id as string | null | undefined) ?? null,
    createdAtUs: nowUs,
    updatedAtUs: nowUs,
    created_by: ADMIN_USER,
    updated_by: ADMIN_USER,
  };
  state.store.insert(structuredClone(row));
  return json(generateResponseJson(row, plaintext, duration, data));
}

/** Fields /key/update copies onto the row when present; list and dict fields treat null as empty. */
const UPDATABLE: Array<[keyof KeyRecord & string, 'scalar' | 'list' | 'dict']> = [
  ['key_alias', 'scalar'], ['spend', 'scalar'], ['max_budget', 'scalar'], ['blocked', 'scalar'], ['tpm_limit', 'scalar'],
  ['rpm_limit', 'scalar'], ['max_parallel_requests', 'scalar'], ['team_id', 'scalar'], ['user_id', 'scalar'],
  ['budget_id', 'scalar'], ['models', 'list'], ['allowed_cache_controls', 'list'], ['metadata', 'dict'], ['aliases', 'dict'],
  ['config', 'dict'], ['permissions', 'dict'],
];

export function updateKey(req: RouteRequest, state: SimState): SimResponse {
  requireAdmin(req, state);
  const data = body(req, UPDATE_SCHEMA);
  requireDatabase(req, state);
  const sent = data.key as string;
  const row = state.store.find(sent);
  if (!row) throw unknownKeyOnUpdate(tokenOf(sent), state);
  rejectEnterpriseFields(data, state);
  rejectNegativeBudget(data, state);
  rejectTakenAlias(data.key_alias, state, row);
  const nowUs = state.nowUs();
  // Compute everything that can fail before touching the row: an update applies fully or not at all.
  let expiresUs = row.expiresUs;
  if ('duration' in data) {
    const duration = data.duration as string | null;
    expiresUs = duration === null || duration === '-1' ? null : expiryFrom(duration, nowUs, state);
  }
  let budgetResetAtUs = row.budgetResetAtUs;
  if ('budget_duration' in data) {
    const budgetDuration = data.budget_duration as string | null;
    budgetResetAtUs = budgetDuration === null ? null : expiryFrom(budgetDuration, nowUs, state);
    row.budget_duration = budgetDuration;
  }
  row.expiresUs = expiresUs;
  row.budgetResetAtUs = budgetResetAtUs;
  const fields = row as unknown as Record<string, unknown>;
  for (const [name, shape] of UPDATABLE) {
    if (!(name in data)) continue;
    const value = structuredClone(data[name]);
    fields[name] = value ?? (shape === 'list' ? [] : shape === 'dict' ? {} : null);
  }
  row.updatedAtUs = nowUs;
  row.updated_by = ADMIN_USER;
  return json({ key: sent, ...rowJson(row, isoUpdate) });
}

export function deleteKeys(req: RouteRequest, state: SimState): SimResponse {
  requireAdmin(req, state);
  const data = body(req, DELETE_SCHEMA);
  const keys = data.keys as string[] | null | undefined;
  const aliases = data.key_aliases as string[] | null | undefined;
  if (!keys?.length && !aliases?.length) {
    throw validationError([{
      type: 'value_error',
      loc: ['body'],
      msg: "Value error, At least one of 'keys' or 'key_aliases' must be provided.",
      input: req.body,
      ctx: { error: {} },
    }]);
  }
  requireDatabase(req, state);
  const found = new Set<KeyRecord>();
  for (const key of keys ?? []) {
    const row = state.store.find(key);
    if (row) found.add(row);
  }
  for (const alias of aliases ?? []) for (const row of state.store.findByAlias(alias)) found.add(row);
  if (found.size === 0) throw proxyError(state.flavor, 404, 'internal_server_error', pythonDictRepr({ error: 'No keys found' }));
  for (const row of found) state.store.delete(row.token);
  return json({ deleted_keys: keys?.length ? keys : aliases });
}

export function keyInfo(req: RouteRequest, state: SimState): SimResponse {
  requireAdmin(req, state);
  const { value, issues } = validateQuery(req.query, INFO_QUERY);
  if (issues.length) throw validationError(issues);
  requireDatabase(req, state);
  // Without `?key=` the proxy describes the calling key; the master key has no row.
  const sent = (value.key as string | undefined) ?? state.masterKey;
  const row = state.store.find(sent);
  if (!row) {
    const rule = FLAVOR_RULES[state.flavor].infoUnknownKey;
    throw proxyError(state.flavor, rule.status, rule.type, 'Key not found in database');
  }
  const { token: _token, ...info } = rowJson(row, isoDatabase);
  return json({ key: sent, info });
}

export function listKeys(req: RouteRequest, state: SimState): SimResponse {
  requireAdmin(req, state);
  const { value, issues } = validateQuery(req.query, LIST_QUERY);
  if (issues.length) throw validationError(issues);
  requireDatabase(req, state);
  const page = (value.page as number | undefined) ?? 1;
  const size = (value.size as number | undefined) ?? 10;
  const rows = state.store.all()
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => (value.key_alias === undefined || row.key_alias === value.key_alias)
      && (value.user_id === undefined || row.user_id === value.user_id)
      && (value.team_id === undefined || row.team_id === value.team_id))
    .sort((a, b) => b.row.createdAtUs - a.row.createdAtUs || b.index - a.index)
    .map(({ row }) => row);
  const pageRows = rows.slice((page - 1) * size, page * size);
  return json({
    keys: pageRows.map((row) => (value.return_full_object === true ? rowJson(row, isoDatabase) : row.token)),
    total_count: rows.length,
    current_page: page,
    total_pages: Math.ceil(rows.length / size),
  });
}

function setBlocked(blocked: boolean) {
  return (req: RouteRequest, state: SimState): SimResponse => {
    requireAdmin(req, state);
    const data = body(req, KEY_ONLY_SCHEMA);
    requireDatabase(req, state);
    const sent = data.key as string;
    const row = state.store.find(sent);
    if (!row) throw proxyError(state.flavor, 404, 'not_found_error', `Key=${tokenOf(sent)} not found`, 'key');
    row.blocked = blocked;
    row.updatedAtUs = state.nowUs();
    row.updated_by = ADMIN_USER;
    return json(rowJson(row, isoDatabase));
  };
}

export const blockKey = setBlocked(true);
export const unblockKey = setBlocked(false);

export function regenerateKey(req: RouteRequest, state: SimState): SimResponse {
  requireAdmin(req, state);
  throw proxyError(state.flavor, 403, 'auth_error', pythonDictRepr({
    error: 'Regenerating Virtual Keys is an Enterprise feature. You must be a LiteLLM Enterprise user to use this feature.',
  }));
}
