// The sign-in's server calls after discovery: RFC 7591 registration of a public client, the `/token` grants
// (authorization code with PKCE, rotating refresh) and RFC 7009 revocation of the refresh token.
import { KeyfobError } from '../errors.js';
import { cleanRemoteText, scrub } from '../litellm/index.js';
import type { SsoEndpoints } from './discovery.js';
import { oauthErrorOf, type SsoAnswer, type SsoHttp } from './sso-http.js';

export const CLIENT_NAME = 'Keyfob';

/** The one line a person reads when the session cannot be refreshed any more. */
export const SIGNED_OUT_MESSAGE = 'signed out: run `keyfob connect --sso` again';

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** Seconds, > 0. */
  expiresIn: number;
  userId: string;
  teamId: string | null;
}

/** The proxy's description, safe to show: one line, printable, no secret, bounded. */
function described(answer: SsoAnswer, secrets: string[]): string {
  const oauth = oauthErrorOf(answer.json);
  const text = oauth ? `${oauth.error}${oauth.description ? `: ${oauth.description}` : ''}` : `HTTP ${answer.status}`;
  return scrub(cleanRemoteText(text), secrets).slice(0, 300);
}

function failure(answer: SsoAnswer, what: string, secrets: string[]): KeyfobError {
  const kind = answer.status >= 500 ? 'server-error' : 'invalid-request';
  return new KeyfobError(kind, `${what} failed: ${described(answer, secrets)}.`, { status: answer.status });
}

export async function registerClient(http: SsoHttp, endpoints: SsoEndpoints, redirectUri: string): Promise<string> {
  const answer = await http.send({
    method: 'POST', url: endpoints.registration, label: 'the sign-in registration', secrets: [],
    json: {
      client_name: CLIENT_NAME, redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'none',
    },
  });
  if (answer.status !== 201 && answer.status !== 200) throw failure(answer, 'Registering Keyfob with the proxy', []);
  const clientId = (answer.json as Record<string, unknown> | null)?.client_id;
  if (typeof clientId !== 'string' || clientId === '' || clientId.length > 4096) {
    throw new KeyfobError('server-error', 'The proxy answered the sign-in registration without a client_id.');
  }
  return clientId;
}

/** A 200 of `/token`, checked: a bearer token, printable, with a positive lifetime and a user. */
function readTokenSet(json: unknown, previousRefresh: string | null): TokenSet {
  const bad = (why: string) => new KeyfobError('server-error', `The proxy's sign-in token answer is unusable: ${why}.`);
  if (typeof json !== 'object' || json === null) throw bad('not a JSON object');
  const d = json as Record<string, unknown>;
  if (typeof d.token_type !== 'string' || d.token_type.toLowerCase() !== 'bearer') throw bad('token_type is not Bearer');
  if (typeof d.access_token !== 'string' || !/^[\x21-\x7e]{8,8192}$/.test(d.access_token)) throw bad('no usable access_token');
  if (typeof d.expires_in !== 'number' || !(d.expires_in > 0)) throw bad('expires_in is not a positive number');
  const refresh = typeof d.refresh_token === 'string' && d.refresh_token !== '' ? d.refresh_token : previousRefresh;
  if (refresh === null) throw bad('no refresh_token');
  if (typeof d.user_id !== 'string' || d.user_id === '') throw bad('no user_id');
  return {
    accessToken: d.access_token, refreshToken: refresh, expiresIn: Math.floor(d.expires_in), userId: d.user_id,
    teamId: typeof d.team_id === 'string' && d.team_id !== '' ? d.team_id : null,
  };
}

export async function exchangeCode(http: SsoHttp, endpoints: SsoEndpoints,
  req: { clientId: string; code: string; verifier: string; redirectUri: string }): Promise<TokenSet> {
  const secrets = [req.code, req.verifier];
  const answer = await http.send({
    method: 'POST', url: endpoints.token, label: 'the sign-in token request', secrets,
    form: {
      grant_type: 'authorization_code', code: req.code, redirect_uri: req.redirectUri, client_id: req.clientId,
      code_verifier: req.verifier, resource: endpoints.resource,
    },
  });
  if (answer.status !== 200) throw failure(answer, 'The sign-in', secrets);
  return readTokenSet(answer.json, null);
}

/**
 * One refresh. `invalid_grant` (used, revoked, expired, the user left the team) is final: a KeyfobError with the
 * signed-out line. Anything else (503, network) is for the caller to treat as passing.
 */
export async function refreshTokens(http: SsoHttp, endpoints: SsoEndpoints, clientId: string, refreshToken: string): Promise<TokenSet> {
  const secrets = [refreshToken];
  const answer = await http.send({
    method: 'POST', url: endpoints.token, label: 'the sign-in refresh', secrets,
    form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, resource: endpoints.resource },
  });
  if (answer.status === 200) return readTokenSet(answer.json, refreshToken);
  const oauth = oauthErrorOf(answer.json);
  if (answer.status === 400 && (oauth?.error === 'invalid_grant' || oauth?.error === 'invalid_client')) {
    throw new KeyfobError('not-connected', SIGNED_OUT_MESSAGE, { status: 400, detail: described(answer, secrets) });
  }
  throw failure(answer, 'Refreshing the sign-in session', secrets);
}

/** Burns the refresh token on the proxy. The access token stays valid until it expires (it is stateless). */
export async function revokeRefreshToken(http: SsoHttp, endpoints: SsoEndpoints, clientId: string, refreshToken: string): Promise<void> {
  const secrets = [refreshToken];
  const answer = await http.send({
    method: 'POST', url: endpoints.revocation, label: 'the sign-out request', secrets,
    form: { token: refreshToken, token_type_hint: 'refresh_token', client_id: clientId },
  });
  if (answer.status !== 200) throw failure(answer, 'Signing out on the proxy', secrets);
}
