// OIDC login at the `oidc` mount, with a scripted identity provider in the same server: `auth_url` records a state
// (10 minutes, single use) and hands back a URL on the IdP (`/idp/authorize`); the IdP "signs in" its configured user
// and redirects the browser to the client's redirect_uri with `state` and `code`; the client's `callback` exchanges them
// for a token. The client_nonce given to auth_url must come back identical.
import { badRequest, base62 } from './wire.js';

export interface OidcRole {
  allowed_redirect_uris: string[];
  policies: string[];
  ttl: number;
  max_ttl: number;
}

interface PendingState {
  role: string;
  redirectUri: string;
  clientNonce: string | null;
  createdMs: number;
  code: string;
}

export const STATE_LIFETIME_MS = 10 * 60 * 1000;
export const EXPIRED_STATE = 'Vault login failed. Expired or missing OAuth state.';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** OpenBao's validRedirect: exact match, except that a loopback host's port is ignored (the host is not). */
export function validRedirect(uri: string, allowed: readonly string[]): boolean {
  let asked: URL;
  try {
    asked = new URL(uri);
  } catch {
    return false;
  }
  return allowed.some((a) => {
    if (a === uri) return true;
    let ok: URL;
    try {
      ok = new URL(a);
    } catch {
      return false;
    }
    if (!LOOPBACK.has(asked.hostname) || asked.hostname !== ok.hostname) return false;
    return asked.protocol === ok.protocol && asked.pathname === ok.pathname && asked.search === ok.search;
  });
}

export class OidcProvider {
  readonly roles = new Map<string, OidcRole>();
  defaultRole: string | null = null;
  /** Who the IdP signs in; null = the IdP refuses (the browser is sent back with `error=access_denied`). */
  user: string | null = 'alice';
  private readonly states = new Map<string, PendingState>();

  constructor(private readonly now: () => number, private readonly idpBaseUrl: () => string) {}

  authUrl(body: Record<string, unknown>): string {
    const roleName = typeof body.role === 'string' && body.role !== '' ? body.role : this.defaultRole;
    if (!roleName) throw badRequest('missing role');
    const role = this.roles.get(roleName);
    if (!role) throw badRequest(`role "${roleName}" could not be found`);
    const redirectUri = typeof body.redirect_uri === 'string' ? body.redirect_uri : '';
    if (redirectUri === '') throw badRequest('missing redirect_uri');
    if (!validRedirect(redirectUri, role.allowed_redirect_uris)) return '';
    const state = `st_${base62(20)}`;
    const clientNonce = typeof body.client_nonce === 'string' && body.client_nonce !== '' ? body.client_nonce : null;
    this.states.set(state, { role: roleName, redirectUri, clientNonce, createdMs: this.now(), code: `code_${base62(20)}` });
    const q = new URLSearchParams({ client_id: 'vault', redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state, nonce: `n_${base62(20)}` });
    return `${this.idpBaseUrl()}/idp/authorize?${q.toString()}`;
  }

  /** The IdP's answer to the browser: where to send it next. */
  authorize(query: URLSearchParams): { location: string } | { status: number; text: string } {
    const state = query.get('state') ?? '';
    const pending = this.states.get(state);
    if (!pending || pending.redirectUri !== query.get('redirect_uri')) return { status: 400, text: 'unknown authorization request' };
    const back = new URL(pending.redirectUri);
    back.searchParams.set('state', state);
    if (this.user === null) back.searchParams.set('error', 'access_denied');
    else back.searchParams.set('code', pending.code);
    return { location: back.toString() };
  }

  /** The callback: the state once, within 10 minutes, with the same client_nonce; returns the role and user. */
  callback(query: URLSearchParams): { role: OidcRole; roleName: string; user: string } {
    const state = query.get('state') ?? '';
    const pending = this.states.get(state);
    if (!pending || this.now() - pending.createdMs > STATE_LIFETIME_MS) {
      this.states.delete(state);
      throw badRequest(EXPIRED_STATE);
    }
    this.states.delete(state);
    const nonce = query.get('client_nonce');
    if (pending.clientNonce !== null && nonce !== pending.clientNonce) throw badRequest('invalid client_nonce');
    if (query.get('code') !== pending.code || this.user === null) throw badRequest('Error exchanging oidc code');
    const role = this.roles.get(pending.role);
    if (!role) throw badRequest(`role "${pending.role}" could not be found`);
    return { role, roleName: pending.role, user: this.user };
  }
}
