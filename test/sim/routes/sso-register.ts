// GET /.well-known/litellm-cli-auth and POST /register (RFC 7591): discovery and the sealed public-client ids.
import { json } from '../responses.js';
import type { SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';
import { baseUrl, isLoopbackUri, NO_STORE, oauthError, requireContract } from './sso-http.js';

const MAX_REDIRECT_URIS = 4;
const MAX_REDIRECT_URI_LENGTH = 256;
const MAX_METADATA_BYTES = 4096;

export function discovery(req: RouteRequest, state: SimState): SimResponse {
  requireContract(state);
  const base = baseUrl(req, state);
  return json({
    contract_version: 1, issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`,
    registration_endpoint: `${base}/register`, revocation_endpoint: `${base}/revoke`, resource: base,
    response_types_supported: ['code'], grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'], token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    ...state.sso.discoveryOverrides,
  });
}

/** https, http on a loopback host, or a registered native callback (a reverse-DNS custom scheme). */
function acceptableRedirect(uri: string): boolean {
  if (isLoopbackUri(uri)) return true;
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' || /^[a-z][a-z0-9+-]*\.[a-z0-9.+-]+:$/.test(url.protocol);
  } catch {
    return false;
  }
}

export function register(req: RouteRequest, state: SimState): SimResponse {
  requireContract(state);
  const body = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? req.body as Record<string, unknown> : {};
  if (Buffer.byteLength(JSON.stringify(body)) > MAX_METADATA_BYTES) {
    throw oauthError(400, 'invalid_client_metadata', 'registered metadata is too large');
  }
  const uris = body.redirect_uris;
  if (!Array.isArray(uris) || uris.length < 1 || uris.length > MAX_REDIRECT_URIS) {
    throw oauthError(400, 'invalid_redirect_uri', `redirect_uris must be a list of 1 to ${MAX_REDIRECT_URIS} URIs`);
  }
  for (const uri of uris) {
    if (typeof uri !== 'string' || uri.length > MAX_REDIRECT_URI_LENGTH) {
      throw oauthError(400, 'invalid_redirect_uri', `each redirect URI must be a string of at most ${MAX_REDIRECT_URI_LENGTH} characters`);
    }
    if (!acceptableRedirect(uri)) {
      throw oauthError(400, 'invalid_redirect_uri', 'each redirect URI must be https, http on a loopback host, or a registered native callback');
    }
  }
  const issuedAt = Math.floor(state.clock.now() / 1000);
  const clientId = state.sso.sealClient(uris as string[], issuedAt);
  return {
    status: 201,
    headers: { ...NO_STORE },
    body: {
      client_id: clientId, client_id_issued_at: issuedAt, redirect_uris: uris, token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
    },
  };
}
