// The one JSON document an SSO session is kept as, in the keychain account `sso-session` and nowhere else: the
// tokens, the client id they belong to, the endpoints they may be sent to, who signed in, and the binding.
import { KeyfobError } from '../errors.js';
import type { CredentialBinding } from '../backend/index.js';
import type { SsoEndpoints } from './discovery.js';
import type { TokenSet } from './token-endpoint.js';

/** The proxy's refresh-token lifetime (`SESSION_REFRESH_TTL_SECONDS`): each rotation starts a fresh 14 days. */
export const REFRESH_LIFETIME_MS = 14 * 24 * 3600 * 1000;

export interface SsoSessionRecord {
  version: 1;
  binding: CredentialBinding;
  endpoints: SsoEndpoints;
  clientId: string;
  accessToken: string;
  refreshToken: string;
  /** ISO-8601 UTC: when the access token stops working (from `expires_in`, never from the token). */
  accessExpiresAt: string;
  /** ISO-8601 UTC: when the refresh token runs out if not used (14 days after the last rotation). */
  refreshExpiresAt: string;
  userId: string;
  teamId: string | null;
}

export function recordFromTokens(base: Pick<SsoSessionRecord, 'binding' | 'endpoints' | 'clientId'>, tokens: TokenSet, nowMs: number): SsoSessionRecord {
  return {
    version: 1, binding: base.binding, endpoints: base.endpoints, clientId: base.clientId,
    accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
    accessExpiresAt: new Date(nowMs + tokens.expiresIn * 1000).toISOString(),
    refreshExpiresAt: new Date(nowMs + REFRESH_LIFETIME_MS).toISOString(),
    userId: tokens.userId, teamId: tokens.teamId,
  };
}

export function encodeSessionRecord(record: SsoSessionRecord): string {
  return JSON.stringify(record);
}

const STRING_FIELDS = ['clientId', 'accessToken', 'refreshToken', 'accessExpiresAt', 'refreshExpiresAt', 'userId'] as const;

/** The stored document, or null when there is none; a damaged one is an error that never quotes it. */
export function decodeSessionRecord(stored: string | null): SsoSessionRecord | null {
  if (stored === null) return null;
  const damaged = () => new KeyfobError('not-connected', 'The stored sign-in session is damaged: run `keyfob connect --sso` again.');
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    throw damaged();
  }
  if (typeof value !== 'object' || value === null) throw damaged();
  const r = value as Record<string, unknown>;
  if (r.version !== 1 || typeof r.binding !== 'object' || r.binding === null || typeof r.endpoints !== 'object' || r.endpoints === null) throw damaged();
  for (const name of STRING_FIELDS) if (typeof r[name] !== 'string' || r[name] === '') throw damaged();
  if (r.teamId !== null && typeof r.teamId !== 'string') throw damaged();
  return value as SsoSessionRecord;
}
