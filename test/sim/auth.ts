// user_api_key_auth, as far as a key-lease client meets it: where the key is read from, the failure rows of the
// contract's auth table, and the checks a virtual key passes before it may call a model.
import { FLAVOR_RULES } from './flavors.js';
import { hashKey, isExpired, keyName } from './key-store.js';
import type { KeyRecord } from './key-store.js';
import { proxyError } from './responses.js';
import type { RouteRequest, SimState } from './state.js';
import { isoUpdate } from './time-format.js';
import type { SimRequestLogEntry } from './types.js';

export type Caller = { kind: 'master' } | { kind: 'virtual'; row: KeyRecord };

type PresentedKey = { kind: 'none' } | { kind: 'key'; key: string } | { kind: 'malformed'; raw: string };

function header(req: RouteRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `x-litellm-api-key` (prefix optional) wins over `Authorization` (where `Bearer ` is required). */
export function presentedKey(req: RouteRequest): PresentedKey {
  const litellmHeader = header(req, 'x-litellm-api-key')?.trim();
  if (litellmHeader) {
    const key = litellmHeader.startsWith('Bearer ') ? litellmHeader.slice('Bearer '.length).trim() : litellmHeader;
    return key ? { kind: 'key', key } : { kind: 'none' };
  }
  const authorization = header(req, 'authorization')?.trim();
  if (!authorization) return { kind: 'none' };
  if (!authorization.startsWith('Bearer ')) return { kind: 'malformed', raw: authorization };
  const key = authorization.slice('Bearer '.length).trim();
  return key ? { kind: 'key', key } : { kind: 'none' };
}

/** How the proxy quotes a rejected key back: `abcd****wxyz`. */
export function maskKey(key: string): string {
  return key.length > 8 ? `${key.slice(0, 4)}****${key.slice(-4)}` : '****';
}

/** For the request log: who the caller claims to be, without running any check that answers. */
export function classifyCaller(req: RouteRequest, state: SimState): SimRequestLogEntry['auth'] {
  const presented = presentedKey(req);
  if (presented.kind === 'none') return 'none';
  if (presented.kind === 'malformed') return 'invalid';
  if (presented.key === state.masterKey) return 'master';
  if (!presented.key.startsWith('sk-') || !state.databaseConnected) return 'invalid';
  return state.store.find(presented.key) ? 'virtual' : 'invalid';
}

/** Who is calling, or the proxy's 401/400 when it cannot tell. A blocked or expired virtual key stops here too. */
export function authenticate(req: RouteRequest, state: SimState): Caller {
  const flavor = state.flavor;
  const presented = presentedKey(req);
  if (presented.kind === 'none') {
    throw proxyError(flavor, 401, 'auth_error', 'Authentication Error, No api key passed in.');
  }
  if (presented.kind === 'malformed') {
    throw proxyError(flavor, 401, 'auth_error',
      `Authentication Error, Malformed API Key passed in. Ensure Key has \`Bearer \` prefix. Passed in: ${maskKey(presented.raw)}`);
  }
  const key = presented.key;
  if (key === state.masterKey) return { kind: 'master' };
  if (!key.startsWith('sk-')) {
    throw proxyError(flavor, 401, 'auth_error',
      `LiteLLM Virtual Key expected. Received=${maskKey(key)}, expected to start with 'sk-'.`);
  }
  if (!state.databaseConnected) throw proxyError(flavor, 400, 'auth_error', 'No connected db.');
  const row = state.store.find(key);
  if (!row) {
    throw proxyError(flavor, 401, 'token_not_found_in_db',
      `Authentication Error, Invalid proxy server token passed. Received API Key = ${keyName(key)}, Key Hash (Token) =${hashKey(key)}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``);
  }
  if (row.blocked === true) {
    throw proxyError(flavor, 401, 'auth_error', "Authentication Error, Key is blocked. Update via `/key/unblock` if you're admin.");
  }
  const nowMs = state.clock.now();
  if (isExpired(row, nowMs)) {
    throw proxyError(flavor, FLAVOR_RULES[flavor].expiredKeyStatus, 'expired_key',
      `Authentication Error - Expired Key. Key Expiry time ${isoUpdate(row.expiresUs ?? 0)} and current time ${isoUpdate(nowMs * 1000)}`);
  }
  return { kind: 'virtual', row };
}

/** The key-management routes: only the master key (the proxy admin) may use them. */
export function requireAdmin(req: RouteRequest, state: SimState): void {
  const caller = authenticate(req, state);
  if (caller.kind === 'master') return;
  throw proxyError(state.flavor, 401, 'auth_error',
    `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${req.path}. Your role=internal_user. Your user_id=${caller.row.user_id ?? 'None'}`);
}
