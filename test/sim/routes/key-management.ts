// /key/generate, /key/update, /key/delete, /key/info, /key/list, /key/block, /key/unblock, /key/regenerate, each
// the way the era in play answers (eras.ts), for whichever caller role (permissions.ts).
import { isAdmin, requireAdmin } from '../auth.js';
import type { Caller } from '../auth.js';
import { nextStandardizedResetUs, zoneOffsetMinutes } from '../calendar.js';
import { addDuration, DurationError } from '../duration.js';
import { hashKey, keyName, newPlaintextKey, tokenOf } from '../key-store.js';
import type { KeyRecord } from '../key-store.js';
import { checkGenerate, checkInfo, checkUpdate, keyRouteCaller, listUserScope, mayDelete, notAuthorizedToDelete } from '../permissions.js';
import { json, proxyError, pythonDictRepr, SimHttpError, validationError } from '../responses.js';
import type { SimResponse } from '../responses.js';
import { checkUpdateBounds } from '../later-releases.js';
import type { RouteRequest, SimState } from '../state.js';
import { isoDatabase, isoGenerateInZone } from '../time-format.js';
import { validateBody, validateQuery } from '../validation.js';
import type { Schema } from '../validation.js';
import { generateResponseJson, rowJson } from './key-rows.js';

/** The user the master key acts as: what the proxy writes into created_by/updated_by. */
const ADMIN_USER = 'default_user_id';

const VIRTUAL_KEYS_DOCS = 'https://docs.litellm.ai/docs/proxy/virtual_keys';

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
  key_type: { kind: 'str', nullable: true },
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
  key_hash: { kind: 'str' },
  user_id: { kind: 'str' },
  team_id: { kind: 'str' },
  return_full_object: { kind: 'bool' },
};
/** What `/key/list` accepted before 1.61.3 (`listRejectsFullObject`). */
const OLD_LIST_PARAMS = ['page', 'size', 'user_id', 'team_id', 'key_alias'];

/** Fields the upper bounds and defaults may name; the duration-valued ones compare in seconds. */
const LIMIT_FIELDS = ['max_budget', 'budget_duration', 'duration', 'max_parallel_requests', 'tpm_limit', 'rpm_limit'] as const;
const DURATION_LIMITS = new Set(['budget_duration', 'duration']);

function body(req: RouteRequest, schema: Schema): Record<string, unknown> {
  const { value, issues } = validateBody(req.body, schema);
  if (issues.length) throw validationError(issues);
  return value;
}

/** generate/delete/info/list turn an HTTPException into `internal_server_error`, status kept. */
function handlerError(state: SimState, status: number, message: string): SimHttpError {
  return proxyError(state.era, status, 'internal_server_error', message);
}

/** `/key/update` wraps what it raises as auth_error, `Authentication Error, <e>`. */
function updateError(state: SimState, status: number, message: string): SimHttpError {
  return proxyError(state.era, status, 'auth_error', `Authentication Error, ${message}`);
}

/** Python's `str(float)`: `-1.0`, `2.5`. */
function pythonFloat(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

function rejectEnterpriseFields(data: Record<string, unknown>, state: SimState): void {
  const present = (name: string) => {
    const value = data[name];
    return !(value === null || value === undefined || (Array.isArray(value) ? value.length === 0 : Object.keys(value as object).length === 0));
  };
  for (const field of ['tags', 'guardrails']) {
    if (present(field)) {
      throw handlerError(state, 403, pythonDictRepr({
        error: `This feature is only available for LiteLLM Enterprise users. ${field} is an Enterprise feature. You must be a LiteLLM Enterprise user to use this feature. If you have a license please set \`LITELLM_LICENSE\` in your env.`,
      }));
    }
  }
  if (present('model_max_budget')) {
    throw handlerError(state, 500, 'Internal Server Error, Invalid model_max_budget: You must have an enterprise license to set model_max_budget. Get a 7 day trial key here: https://www.litellm.ai/#trial.');
  }
}

function rejectNegativeBudget(data: Record<string, unknown>, state: SimState, raise: (message: string) => SimHttpError): void {
  if (!state.rules.rejectNegativeBudget) return;
  for (const field of ['max_budget', 'soft_budget']) {
    const value = data[field];
    if (typeof value === 'number' && value < 0) {
      throw raise(pythonDictRepr({ error: `${field} cannot be negative. Received: ${pythonFloat(value)}` }));
    }
  }
}

function rejectTakenAlias(alias: unknown, state: SimState, self?: KeyRecord): void {
  if (typeof alias !== 'string') return;
  if (state.store.findByAlias(alias).some((row) => row !== self)) {
    throw proxyError(state.era, 400, 'bad_request_error',
      `Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`, 'key_alias');
  }
}

/** `duration_in_seconds` for a limit comparison; N reads `"-1"` as infinite. NaN when the grammar rejects it. */
function limitSeconds(value: string, state: SimState): number {
  if (value === '-1' && state.rules.updateMinusOneClears) return Infinity;
  const nowUs = state.nowUs();
  try {
    return (addDuration(nowUs, value) - nowUs) / 1_000_000;
  } catch (e) {
    if (e instanceof DurationError) return NaN;
    throw e;
  }
}

/** `default_key_generate_params`, then `upperbound_key_generate_params` (a missing field is set to the bound). */
function applyConfiguredParams(data: Record<string, unknown>, state: SimState): void {
  const defaults = state.config.defaultKeyGenerateParams;
  if (defaults) {
    for (const [name, value] of Object.entries(defaults)) {
      if (value === undefined || (name === 'duration' && !state.rules.defaultDuration)) continue;
      const sent = data[name];
      const empty = sent === undefined || sent === null
        || (name === 'models' && Array.isArray(sent) && sent.length === 0)
        || (name === 'metadata' && typeof sent === 'object' && Object.keys(sent as object).length === 0);
      if (empty) data[name] = structuredClone(value);
    }
  }
  const bounds = state.config.upperboundKeyGenerateParams;
  if (!bounds) return;
  for (const name of LIMIT_FIELDS) {
    const bound = bounds[name];
    if (bound === undefined) continue;
    const sent = data[name];
    if (sent === undefined || sent === null) {
      data[name] = bound;
      continue;
    }
    const over = DURATION_LIMITS.has(name)
      ? limitSeconds(String(sent), state) > limitSeconds(String(bound), state)
      : Number(sent) > Number(bound);
    if (over) {
      throw handlerError(state, 400, pythonDictRepr({
        error: `${name} is over max limit set in config - user_value=${String(sent)}; max_value=${String(bound)}`,
      }));
    }
  }
}

/** generate's `expires`: now + duration (L, M, N) or the calendar-aligned reset time (C). */
function generateExpiry(duration: string, nowUs: number, state: SimState): number {
  try {
    if (state.rules.calendarExpires) return nextStandardizedResetUs(duration, nowUs, state.config.timezone);
    return addDuration(nowUs, duration);
  } catch (e) {
    if (!(e instanceof DurationError)) throw e;
    const status = state.durationErrorStatus;
    throw proxyError(state.era, status, status === 400 ? 'bad_request_error' : 'internal_server_error',
      status === 400 ? e.message : `Internal Server Error, ${e.message}`);
  }
}

/** `budget_reset_at` from `budget_duration`: by the calendar from ≥1.76.3 (generate) / ≥1.68 (update). */
function budgetResetAt(budgetDuration: string, nowUs: number, state: SimState, calendar: boolean, raise: (message: string) => SimHttpError): number {
  try {
    return calendar ? nextStandardizedResetUs(budgetDuration, nowUs, state.config.timezone) : addDuration(nowUs, budgetDuration);
  } catch (e) {
    if (e instanceof DurationError) throw raise(e.message);
    throw e;
  }
}

function createdBy(caller: Caller): string {
  return caller.kind === 'master' ? ADMIN_USER : caller.userId ?? ADMIN_USER;
}

function requireDatabaseForGenerate(state: SimState): void {
  if (state.databaseConnected) return;
  if (state.rules.generateNoDatabase === 'connect-proxy') {
    throw handlerError(state, 500, `Internal Server Error, Connect Proxy to database to generate keys - ${VIRTUAL_KEYS_DOCS} `);
  }
  throw handlerError(state, 500, pythonDictRepr({ error: `DB not connected. See ${VIRTUAL_KEYS_DOCS}` }));
}

export function generateKey(req: RouteRequest, state: SimState): SimResponse {
  const caller = keyRouteCaller(req, state);
  const data = body(req, GENERATE_SCHEMA);
  requireDatabaseForGenerate(state);
  checkGenerate(caller, data, state);
  rejectEnterpriseFields(data, state);
  rejectNegativeBudget(data, state, (message) => handlerError(state, 400, message));
  if (typeof data.key === 'string' && !data.key.startsWith('sk-') && state.rules.customKeyMustStartSk) {
    throw handlerError(state, 400, pythonDictRepr({
      error: `Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: ${data.key}`,
    }));
  }
  applyConfiguredParams(data, state);
  rejectTakenAlias(data.key_alias, state);
  const nowUs = state.nowUs();
  const duration = typeof data.duration === 'string' ? data.duration : null;
  const expiresUs = duration === null ? null : generateExpiry(duration, nowUs, state);
  const budgetDuration = typeof data.budget_duration === 'string' ? data.budget_duration : null;
  const budgetResetAtUs = budgetDuration === null ? null : budgetResetAt(budgetDuration, nowUs, state,
    state.rules.calendarBudgetResetOnGenerate, (message) => generateExpiryError(state, message));
  const plaintext = typeof data.key === 'string' ? data.key : newPlaintextKey();
  const token = hashKey(plaintext);
  if (state.store.find(token)) {
    throw handlerError(state, 500, 'Internal Server Error, Unique constraint failed on the fields: (`token`)');
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
    created_by: createdBy(caller),
    updated_by: createdBy(caller),
  };
  state.store.insert(structuredClone(row));
  const zoneOffset = state.rules.calendarExpires ? zoneOffsetMinutes(state.config.timezone) : 0;
  const answer = generateResponseJson(row, plaintext, data, (us) => isoGenerateInZone(us, zoneOffset));
  if (state.rules.generateToken === 'plaintext') answer.token = plaintext;
  // ≤1.58 (inside era L): GenerateKeyResponse had no `token` field yet.
  if (state.era === 'L' && state.config.generateOmitsToken) delete answer.token;
  return json(answer);
}

/** `Nmo` N≠1 in generate's `budget_duration` (≥1.76.3): an uncaught ValueError, 500. */
function generateExpiryError(state: SimState, message: string): SimHttpError {
  return handlerError(state, 500, `Internal Server Error, ${message}`);
}

/** Fields /key/update copies onto the row when present; list and dict fields treat null as empty. */
const UPDATABLE: Array<[keyof KeyRecord & string, 'scalar' | 'list' | 'dict']> = [
  ['key_alias', 'scalar'], ['spend', 'scalar'], ['max_budget', 'scalar'], ['blocked', 'scalar'], ['tpm_limit', 'scalar'],
  ['rpm_limit', 'scalar'], ['max_parallel_requests', 'scalar'], ['team_id', 'scalar'], ['user_id', 'scalar'],
  ['budget_id', 'scalar'], ['models', 'list'], ['allowed_cache_controls', 'list'], ['metadata', 'dict'], ['aliases', 'dict'],
  ['config', 'dict'], ['permissions', 'dict'],
];

/** The team checks of `/key/update`: a body `team_id`, and the key's own team. A 404 here does not mean the key is gone. */
function checkUpdateTeams(caller: Caller, row: KeyRecord, data: Record<string, unknown>, state: SimState): void {
  const rules = state.rules;
  const missing = (teamId: string) => {
    const message = `Team doesn't exist in db. Team=${teamId}. Create team via \`/team/new\` call.`;
    return rules.teamMissingOnUpdateStatus === 404
      ? proxyError(state.era, 404, 'auth_error', pythonDictRepr({ error: message }))
      : updateError(state, 400, message);
  };
  const bodyTeam = typeof data.team_id === 'string' ? data.team_id : null;
  if (bodyTeam !== null && !(rules.teamCheckOnlyWhenChanging && bodyTeam === row.team_id) && !state.directory.team(bodyTeam)) {
    throw missing(bodyTeam);
  }
  const checksOwnTeam = !isAdmin(caller) || rules.ownTeamCheckForAdmins;
  if (row.team_id !== null && checksOwnTeam && !state.directory.team(row.team_id)) throw missing(row.team_id);
}

export function updateKey(req: RouteRequest, state: SimState): SimResponse {
  const caller = keyRouteCaller(req, state);
  const data = body(req, UPDATE_SCHEMA);
  if (!state.databaseConnected) throw updateError(state, 400, 'Not connected to DB!');
  const rules = state.rules;
  const sent = data.key as string;
  const row = state.store.find(sent);
  if (!row) {
    // The proxy retries the lookup up to 3 times with back-off before it gives up: that time passes on the server.
    state.clock.advance(state.config.updateUnknownKeyDelayMs);
    throw rules.updateUnknownKey.status === 404
      ? proxyError(state.era, 404, rules.updateUnknownKey.type, `Key not found. Key=${tokenOf(sent)}`)
      : proxyError(state.era, 401, rules.updateUnknownKey.type,
        `Authentication Error: invalid user key - user key does not exist in db. User Key=${tokenOf(sent)}`);
  }
  checkUpdate(caller, row, data, state);
  checkUpdateTeams(caller, row, data, state);
  checkUpdateBounds(data, state);
  rejectEnterpriseFields(data, state);
  rejectNegativeBudget(data, state, (message) => proxyError(state.era, 400, 'auth_error', message));
  rejectTakenAlias(data.key_alias, state, row);
  const nowUs = state.nowUs();
  // Compute everything that can fail before touching the row: an update applies fully or not at all.
  let expiresUs = row.expiresUs;
  if ('duration' in data) {
    const duration = data.duration as string | null;
    if (duration === null) {
      if (rules.updateNullClears) expiresUs = null;
    } else if (duration === '-1' && rules.updateMinusOneClears) {
      expiresUs = null;
    } else {
      try {
        expiresUs = addDuration(nowUs, duration);
      } catch (e) {
        if (e instanceof DurationError) throw updateError(state, 400, e.message);
        throw e;
      }
    }
  }
  let budgetResetAtUs = row.budgetResetAtUs;
  let budgetDuration = row.budget_duration;
  if ('budget_duration' in data) {
    budgetDuration = data.budget_duration as string | null;
    budgetResetAtUs = budgetDuration === null ? null : budgetResetAt(budgetDuration, nowUs, state,
      rules.calendarBudgetResetOnUpdate, (message) => updateError(state, 400, message));
  }
  row.expiresUs = expiresUs;
  row.budget_duration = budgetDuration;
  row.budgetResetAtUs = budgetResetAtUs;
  const fields = row as unknown as Record<string, unknown>;
  for (const [name, shape] of UPDATABLE) {
    if (!(name in data)) continue;
    const value = structuredClone(data[name]);
    fields[name] = value ?? (shape === 'list' ? [] : shape === 'dict' ? {} : null);
  }
  row.updatedAtUs = nowUs;
  row.updated_by = createdBy(caller);
  // The answer is the row read back from the database: `+00:00`, milliseconds (`.123000+00:00`).
  return json({ key: sent, ...rowJson(row, isoDatabase) });
}

export function deleteKeys(req: RouteRequest, state: SimState): SimResponse {
  const caller = keyRouteCaller(req, state);
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
  if (!state.databaseConnected) throw handlerError(state, 500, 'Internal Server Error, Not connected to DB!');
  const echo = { deleted_keys: keys?.length ? keys : aliases };
  const named = (keys?.length ?? 0) + (aliases?.length ?? 0);
  const found = new Set<KeyRecord>();
  for (const key of keys ?? []) {
    const row = state.store.find(key);
    if (row) found.add(row);
  }
  for (const alias of aliases ?? []) for (const row of state.store.findByAlias(alias)) found.add(row);
  const admin = isAdmin(caller);
  const failedForUser = () => handlerError(state, 500,
    `Internal Server Error, Failed to delete all tokens. Tried to delete tokens that don't belong to user: ${caller.userId ?? 'None'}`);
  if (found.size === 0) {
    if (state.rules.deleteNothingFound === '404') throw handlerError(state, 404, pythonDictRepr({ error: 'No keys found' }));
    if (admin) return json(echo);
    throw failedForUser();
  }
  if (!admin) {
    for (const row of found) if (!mayDelete(caller, row, state)) throw notAuthorizedToDelete(state);
    if (found.size < named && !state.rules.partialDeleteNonAdminOk) throw failedForUser();
  }
  for (const row of found) state.store.delete(row.token);
  return json(echo);
}

export function keyInfo(req: RouteRequest, state: SimState): SimResponse {
  const caller = keyRouteCaller(req, state);
  const { value, issues } = validateQuery(req.query, INFO_QUERY);
  if (issues.length) throw validationError(issues);
  if (!state.databaseConnected) throw handlerError(state, 500, `Internal Server Error, Database not connected. Connect a database to your proxy - ${VIRTUAL_KEYS_DOCS}`);
  // Without `?key=` the proxy describes the calling key; the master key has no row.
  const sent = (value.key as string | undefined) ?? (caller.kind === 'virtual' ? caller.row.token : state.masterKey);
  const row = state.store.find(sent);
  if (!row) throw proxyError(state.era, 404, 'not_found_error', 'Key not found in database', 'key');
  checkInfo(caller, row, state);
  const { token: _token, ...info } = rowJson(row, isoDatabase);
  return json({ key: sent, info });
}

export function listKeys(req: RouteRequest, state: SimState): SimResponse {
  const caller = keyRouteCaller(req, state);
  if (state.config.listRejectsFullObject) {
    const unsupported = [...new Set(req.query.keys())].filter((name) => !OLD_LIST_PARAMS.includes(name));
    if (unsupported.length) {
      throw proxyError(state.era, 400, 'bad_request_error',
        `Unsupported parameter(s): ${unsupported.join(', ')}. Supported parameters: ${OLD_LIST_PARAMS.join(', ')}`);
    }
  }
  const { value, issues } = validateQuery(req.query, LIST_QUERY);
  if (issues.length) throw validationError(issues);
  if (!state.databaseConnected) throw handlerError(state, 500, pythonDictRepr({ error: `DB not connected. See ${VIRTUAL_KEYS_DOCS}` }));
  const forcedUser = listUserScope(caller, value as { user_id?: string; team_id?: string }, state);
  const userFilter = forcedUser ?? (value.user_id as string | undefined);
  const page = (value.page as number | undefined) ?? 1;
  const size = (value.size as number | undefined) ?? 10;
  const rows = state.store.all()
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => (value.key_alias === undefined || row.key_alias === value.key_alias)
      && (value.key_hash === undefined || row.token === value.key_hash)
      && (userFilter === undefined || row.user_id === userFilter)
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
    const caller = keyRouteCaller(req, state);
    const data = body(req, KEY_ONLY_SCHEMA);
    // Without a DB the handler dereferences None: an uncaught error, Starlette's plain-text 500.
    if (!state.databaseConnected) throw new SimHttpError({ status: 500, text: 'Internal Server Error' });
    const sent = data.key as string;
    const row = state.store.find(sent);
    if (!row) {
      throw state.rules.blockUnknownKeyStatus === 404
        ? proxyError(state.era, 404, 'not_found_error', `Key not found. Key=${tokenOf(sent)}`, 'key')
        : proxyError(state.era, 401, 'token_not_found_in_db', `Authentication Error, Key not found in db. Key=${tokenOf(sent)}`);
    }
    row.blocked = blocked;
    row.updatedAtUs = state.nowUs();
    row.updated_by = createdBy(caller);
    return json(rowJson(row, isoDatabase));
  };
}

export const blockKey = setBlocked(true);
export const unblockKey = setBlocked(false);

export function regenerateKey(req: RouteRequest, state: SimState): SimResponse {
  requireAdmin(req, state);
  throw handlerError(state, 500,
    'Internal Server Error, Regenerating Virtual Keys is an Enterprise feature. You must be a LiteLLM Enterprise user to use this feature. If you have a license please set `LITELLM_LICENSE` in your env.');
}
