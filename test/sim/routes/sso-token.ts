// POST /token (authorization code with PKCE S256, rotating refresh tokens) and POST /revoke (RFC 7009).
// A code or refresh token is marked used only after the user check and the mint succeed: a refusal burns nothing.
import { createHash, randomBytes } from 'node:crypto';
import type { SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';
import type { SessionGrant } from '../sso-state.js';
import { baseUrl, formOf, NO_STORE, oauthError, requireContract } from './sso-http.js';

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** The checks both grants share: the user is still active and still in the consented team. */
function checkGrantHolder(state: SimState, grant: SessionGrant): void {
  if (!state.databaseConnected) throw oauthError(503, 'temporarily_unavailable', 'the gateway database is unavailable; retry');
  if (!state.directory.user(grant.userId)) throw oauthError(400, 'invalid_grant', 'the user for this grant is no longer active');
  if (grant.teamId !== null) {
    const team = state.directory.team(grant.teamId);
    if (!team || state.directory.memberRole(team, grant.userId) === undefined) {
      throw oauthError(400, 'invalid_grant', 'the user is no longer a member of the team this grant was issued for');
    }
  }
}

function tokenAnswer(state: SimState, grant: SessionGrant, resource: string): SimResponse {
  const now = state.clock.now();
  if (!resource) {
    // No `resource`: the MCP gateway's flow, whose token the key and LLM routes refuse.
    return { status: 200, headers: { ...NO_STORE }, body: { access_token: `llm_session_${randomBytes(24).toString('base64url')}`, token_type: 'Bearer', expires_in: 3600 } };
  }
  const pair = state.sso.mint(grant, now);
  return {
    status: 200,
    headers: { ...NO_STORE },
    body: {
      access_token: pair.access, token_type: 'Bearer', expires_in: state.sso.accessLifetimeSec, refresh_token: pair.refresh,
      user_id: grant.userId, team_id: grant.teamId,
    },
  };
}

function codeGrant(req: RouteRequest, state: SimState, form: URLSearchParams): SimResponse {
  const code = form.get('code');
  const redirectUri = form.get('redirect_uri');
  const verifier = form.get('code_verifier');
  if (!code || !redirectUri || !verifier) throw oauthError(400, 'invalid_request', 'code, redirect_uri, and code_verifier are required');
  if (verifier.length < 43 || verifier.length > 128) throw oauthError(400, 'invalid_request', 'code_verifier must be 43 to 128 characters (RFC 7636)');
  const record = state.sso.code(code);
  if (!record || record.redirectUri !== redirectUri) throw oauthError(400, 'invalid_grant', 'the authorization code is invalid');
  if (record.expiresAtMs <= state.clock.now()) throw oauthError(400, 'invalid_grant', 'the authorization code has expired');
  if (record.clientId !== form.get('client_id')) throw oauthError(400, 'invalid_grant', 'the authorization code was issued to a different client');
  if (s256(verifier) !== record.challenge) throw oauthError(400, 'invalid_grant', 'PKCE verification failed');
  if (record.used) throw oauthError(400, 'invalid_grant', 'the authorization code was already used');
  const resource = form.get('resource') ?? '';
  if (record.resource !== resource || (resource && resource !== baseUrl(req, state))) {
    throw oauthError(400, 'invalid_target', 'resource does not match the proxy API this grant was issued for');
  }
  checkGrantHolder(state, record);
  const answer = tokenAnswer(state, record, resource);
  record.used = true;
  state.sso.tokenGrants.push({ grant: 'authorization_code', ok: true });
  return answer;
}

function refreshGrant(req: RouteRequest, state: SimState, form: URLSearchParams): SimResponse {
  const token = form.get('refresh_token');
  if (!token) throw oauthError(400, 'invalid_request', 'refresh_token is required');
  const record = state.sso.refreshRecord(token);
  if (!record || record.expiresAtMs <= state.clock.now() || record.clientId !== form.get('client_id')) {
    state.sso.tokenGrants.push({ grant: 'refresh_token', ok: false });
    throw oauthError(400, 'invalid_grant', 'the refresh token is invalid for this client');
  }
  if (record.used) {
    state.sso.tokenGrants.push({ grant: 'refresh_token', ok: false });
    throw oauthError(400, 'invalid_grant', 'the refresh token was already used');
  }
  if ((form.get('resource') ?? '') !== baseUrl(req, state)) {
    throw oauthError(400, 'invalid_target', 'resource does not match the proxy API this grant was issued for');
  }
  checkGrantHolder(state, record);
  const answer = tokenAnswer(state, record, baseUrl(req, state));
  record.used = true;
  state.sso.tokenGrants.push({ grant: 'refresh_token', ok: true });
  return answer;
}

/** Session tokens are sealed with the master key: a proxy without one cannot mint or burn them. */
function requireMasterKey(state: SimState): void {
  if (state.config.noMasterKey) throw oauthError(500, 'server_error', 'the gateway has no master key configured');
}

export function token(req: RouteRequest, state: SimState): SimResponse {
  requireContract(state);
  requireMasterKey(state);
  const form = formOf(req, ['grant_type']);
  const grant = form.get('grant_type');
  if (grant === 'authorization_code') return codeGrant(req, state, form);
  if (grant === 'refresh_token') return refreshGrant(req, state, form);
  throw oauthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
}

/** 200 `{}` for any token; only a refresh token is burned. Access tokens stay valid until they expire. */
export function revoke(req: RouteRequest, state: SimState): SimResponse {
  requireContract(state);
  const form = formOf(req, ['token']);
  requireMasterKey(state);
  if (!state.sso.openClient(form.get('client_id'))) throw oauthError(401, 'invalid_client', 'unknown or malformed client_id');
  const record = state.sso.refreshRecord(form.get('token') ?? '');
  if (record && record.clientId === form.get('client_id')) record.used = true;
  return { status: 200, headers: { ...NO_STORE }, body: {} };
}
