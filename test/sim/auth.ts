// user_api_key_auth, as far as a key-lease client meets it: where the key is read from, the failure rows of the
// contract's auth table in the order the proxy checks them (per era), and who the caller is.
import { hashKey, isExpired, keyName } from './key-store.js';
import type { KeyRecord } from './key-store.js';
import { proxyError } from './responses.js';
import type { RouteRequest, SimState } from './state.js';
import { isoUpdate } from './time-format.js';
import type { SimRequestLogEntry, SimUserRole } from './types.js';

export type Caller =
  | { kind: 'master'; role: 'proxy_admin'; userId: null }
  /**
   * `role` null: a key without a user (or whose user is not in the user table). `session`: a sign-in session token
   * (sso-state.ts), acting as its user with a row that stands for the token and is in no table.
   */
  | { kind: 'virtual'; row: KeyRecord; role: SimUserRole | null; userId: string | null; cached: boolean; session?: boolean };

type PresentedKey = { kind: 'none' } | { kind: 'key'; key: string } | { kind: 'malformed'; raw: string };

/** Routes where the budget is checked in every era (before 1.67.5 it was checked on every route). */
const LLM_ROUTES = new Set(['/chat/completions', '/v1/chat/completions', '/v1/messages', '/v1/responses', '/responses']);

/** Headers tried after `Authorization` (Anthropic, Google, Azure APIM clients). */
const FALLBACK_HEADERS = ['api-key', 'x-api-key', 'x-goog-api-key', 'ocp-apim-subscription-key'];

function header(req: RouteRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function withoutBearer(value: string): PresentedKey {
  const key = (value.startsWith('Bearer ') ? value.slice('Bearer '.length) : value).trim();
  return key ? { kind: 'key', key } : { kind: 'none' };
}

/**
 * The key source, first match wins: the configured `litellm_key_header_name` alone; else `x-litellm-api-key` (M+);
 * else a non-empty `Authorization` (`Bearer `, `bearer ` or `Basic `, anything else is malformed and stops there);
 * else API-Key, x-api-key, x-goog-api-key, Ocp-Apim-Subscription-Key.
 */
export function presentedKey(req: RouteRequest, state: SimState): PresentedKey {
  const custom = state.config.keyHeaderName;
  if (custom) {
    const value = header(req, custom.toLowerCase())?.trim();
    return value ? withoutBearer(value) : { kind: 'none' };
  }
  if (state.rules.litellmHeader) {
    const value = header(req, 'x-litellm-api-key')?.trim();
    if (value) return withoutBearer(value);
  }
  const authorization = header(req, 'authorization')?.trim();
  if (authorization) {
    const prefix = ['Bearer ', 'bearer ', 'Basic '].find((p) => authorization.startsWith(p));
    if (!prefix) return { kind: 'malformed', raw: authorization };
    const key = authorization.slice(prefix.length).trim();
    return key ? { kind: 'key', key } : { kind: 'none' };
  }
  for (const name of FALLBACK_HEADERS) {
    const value = header(req, name)?.trim();
    if (value) return { kind: 'key', key: value };
  }
  return { kind: 'none' };
}

/** How the newest proxies quote a rejected key back: `abcd****wxyz`. */
export function maskKey(key: string): string {
  return key.length > 8 ? `${key.slice(0, 4)}****${key.slice(-4)}` : '****';
}

/** For the request log: who the caller claims to be, without running any check that answers. */
export function classifyCaller(req: RouteRequest, state: SimState): SimRequestLogEntry['auth'] {
  if (state.config.noMasterKey) return 'master';
  const presented = presentedKey(req, state);
  if (presented.kind === 'none') return 'none';
  if (presented.kind === 'malformed') return 'invalid';
  if (presented.key === state.masterKey) return 'master';
  if (state.sso.access(presented.key)) return 'virtual';
  if (!presented.key.startsWith('sk-') || !state.databaseConnected) return 'invalid';
  return state.store.find(presented.key) ? 'virtual' : 'invalid';
}

function noDatabase(state: SimState, status: 400 | 401) {
  return status === 400
    ? proxyError(state.era, 400, 'no_db_connection', 'No connected db.')
    : proxyError(state.era, 401, 'auth_error', 'Authentication Error, No connected db.');
}

function unknownKey(state: SimState, key: string) {
  const hash = hashKey(key);
  if (state.rules.unknownKeyWording === 'le1.63') {
    return proxyError(state.era, 401, 'auth_error',
      `Authentication Error, Invalid proxy server token passed. valid_token=None. Key doesn't exist in db. key=${hash}. Create key via \`/key/generate\` call.`);
  }
  return proxyError(state.era, 401, 'token_not_found_in_db',
    `Authentication Error, Invalid proxy server token passed. Received API Key = ${keyName(key)}, Key Hash (Token) =${hash}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``);
}

/** The row the caller's key stands for: the replica's cached copy while it is fresh, else the database's. */
function lookUp(state: SimState, key: string): { row: KeyRecord; cached: boolean } | undefined {
  const now = state.clock.now();
  const ttl = state.config.keyCacheTtlMs;
  const cached = state.keyCache.get(hashKey(key), now, ttl);
  if (cached) return { row: cached, cached: true };
  const row = state.store.find(key);
  if (!row) return undefined;
  state.keyCache.put(row, now, ttl);
  return { row, cached: false };
}

export function budgetExceeded(state: SimState, row: KeyRecord) {
  return proxyError(state.era, state.rules.budgetExceededStatus, 'budget_exceeded',
    `Budget has been exceeded! Current cost: ${row.spend}, Max budget: ${row.max_budget}`);
}

/** Who is calling, or the proxy's 401/400 when it cannot tell. A blocked or expired virtual key stops here too. */
export function authenticate(req: RouteRequest, state: SimState): Caller {
  const rules = state.rules;
  if (state.config.noMasterKey) return { kind: 'master', role: 'proxy_admin', userId: null };
  const presented = presentedKey(req, state);
  if (presented.kind === 'none') {
    throw proxyError(state.era, 401, 'auth_error', 'Authentication Error, No api key passed in.');
  }
  if (presented.kind === 'malformed') {
    throw proxyError(state.era, 401, 'auth_error',
      `Authentication Error, Malformed API Key passed in. Ensure Key has \`Bearer \` prefix.${rules.malformedEchoesHeader ? ` Passed in: ${presented.raw}` : ''}`);
  }
  const key = presented.key;
  if (key === state.masterKey) return { kind: 'master', role: 'proxy_admin', userId: null };
  if (state.sso.release !== 'none' && state.sso.looksLikeSessionToken(key)) return sessionCaller(state, key);
  if (!state.databaseConnected && rules.noDatabaseOrdering === 'db-first') throw noDatabase(state, 400);
  if (!key.startsWith('sk-')) {
    throw proxyError(state.era, 401, 'auth_error', rules.notSkMasked
      ? `LiteLLM Virtual Key expected. Received=${maskKey(key)}, expected to start with 'sk-'.`
      : `Authentication Error, LiteLLM Virtual Key expected. Received=${key}, expected to start with 'sk-'.`);
  }
  if (!state.databaseConnected) throw noDatabase(state, 401);
  const found = lookUp(state, key);
  if (!found) throw unknownKey(state, key);
  const { row, cached } = found;
  if (row.blocked === true) {
    throw proxyError(state.era, 401, 'auth_error',
      `Authentication Error, Key is blocked. Update via \`/key/unblock\` if you're ${rules.blockedSaysAnAdmin ? 'an ' : ''}admin.`);
  }
  const nowMs = state.clock.now();
  if (isExpired(row, nowMs)) {
    // The param is the key itself: as sent on a cache hit, else the hash read from the database; N3 abbreviates it.
    const param = rules.expiredParamMasked ? keyName(key) : cached ? key : row.token;
    throw proxyError(state.era, rules.expiredKeyStatus, 'expired_key',
      `Authentication Error - Expired Key. Key Expiry time ${isoUpdate(row.expiresUs ?? 0)} and current time ${isoUpdate(nowMs * 1000)}`, param);
  }
  if (rules.budgetOnAllRoutes && !LLM_ROUTES.has(req.path) && row.max_budget !== null && row.spend >= row.max_budget) {
    throw budgetExceeded(state, row);
  }
  const user = state.directory.user(row.user_id);
  return { kind: 'virtual', row, role: user?.user_role ?? null, userId: row.user_id, cached };
}

/** True for the master key and for keys whose user is a proxy admin. */
export function isAdmin(caller: Caller): boolean {
  return caller.role === 'proxy_admin';
}

/** RC's refusal for a route the caller's role may not use (401, N3 403). */
export function routeDenied(req: RouteRequest, state: SimState, caller: Caller) {
  const role = caller.role ?? 'None';
  return proxyError(state.era, state.rules.routeDeniedStatus, 'auth_error',
    `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${req.path}. Your role=${role}. Your user_id=${caller.userId ?? 'None'}`);
}

/** The key-management routes for the proxy admin only (`/key/regenerate`; the others go through permissions.ts). */
export function requireAdmin(req: RouteRequest, state: SimState): Caller {
  const caller = authenticate(req, state);
  if (isAdmin(caller)) return caller;
  throw routeDenied(req, state, caller);
}

/**
 * A sign-in session token: decrypted to its user, whose role is re-read from the user table. An expired one gets the
 * expired-key refusal; one this release cannot read (an older format after the 1.100.4 upgrade, or unknown) a 401.
 */
function sessionCaller(state: SimState, key: string): Caller {
  const record = state.sso.access(key);
  if (!record) {
    throw proxyError(state.era, 401, 'auth_error', 'Authentication Error, Invalid proxy server token passed. The CLI session token could not be read; sign in again.');
  }
  const nowMs = state.clock.now();
  if (record.expiresAtMs <= nowMs) {
    throw proxyError(state.era, 401, 'expired_key',
      `Authentication Error - Expired Key. Key Expiry time ${isoUpdate(record.expiresAtMs * 1000)} and current time ${isoUpdate(nowMs * 1000)}`);
  }
  const row: KeyRecord = {
    token: hashKey(key), key_name: 'session', key_alias: null, spend: 0, max_budget: null, expiresUs: record.expiresAtMs * 1000,
    models: [], metadata: {}, blocked: null, tpm_limit: null, rpm_limit: null, max_parallel_requests: null, budget_duration: null,
    budgetResetAtUs: null, team_id: null, user_id: record.userId, aliases: {}, config: {}, permissions: {}, allowed_cache_controls: [],
    budget_id: null, createdAtUs: 0, updatedAtUs: 0, created_by: record.userId, updated_by: record.userId,
  };
  const user = state.directory.user(record.userId);
  return { kind: 'virtual', row, role: user?.user_role ?? null, userId: record.userId, cached: false, session: true };
}
