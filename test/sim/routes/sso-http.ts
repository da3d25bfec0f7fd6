// What the sign-in routes share: the proxy's base URL as the client reached it, OAuth error bodies, form and cookie
// parsing, HTML pages and the signed-in browser user.
import { NOT_FOUND, SimHttpError, validationError } from '../responses.js';
import type { SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** `{base}`: the origin the client used plus the root path (the proxy's `PROXY_BASE_URL`). */
export function baseUrl(req: RouteRequest, state: SimState): string {
  return `http://${String(req.headers.host ?? '127.0.0.1')}${state.config.rootPath}`;
}

/** The OAuth error shape the sign-in routes answer with (`{"error","error_description"}`), never the proxy envelope. */
export function oauthError(status: number, error: string, description: string): SimHttpError {
  return new SimHttpError({ status, body: { error, error_description: description }, headers: { ...NO_STORE } });
}

/** The routes exist only in the releases that serve them; elsewhere FastAPI's 404. */
export function requireContract(state: SimState): void {
  if (!state.sso.offersContract) throw new SimHttpError(NOT_FOUND);
}

/** A form-encoded body. A JSON one is FastAPI's 422 (the form fields are missing). */
export function formOf(req: RouteRequest, fields: readonly string[]): URLSearchParams {
  if (typeof req.body === 'string') return new URLSearchParams(req.body);
  if (req.body === undefined) return new URLSearchParams();
  throw validationError(fields.map((name) => ({ type: 'missing', loc: ['body', name], msg: 'Field required', input: null })));
}

export function cookies(req: RouteRequest): Map<string, string> {
  const jar = new Map<string, string>();
  const raw = req.headers.cookie;
  for (const part of (Array.isArray(raw) ? raw.join(';') : raw ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return jar;
}

export const SESSION_COOKIE = 'litellm_sim_session';

/** The user signed in to the proxy's UI in this browser, or null. */
export function browserUser(req: RouteRequest, state: SimState): string | null {
  const session = cookies(req).get(SESSION_COOKIE);
  return session === undefined ? null : state.sso.browserSessions.get(session) ?? null;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function htmlPage(title: string, body: string, headers: Record<string, string> = {}): SimResponse {
  const text = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
  return { status: 200, text, contentType: 'text/html; charset=utf-8', headers };
}

export function seeOther(location: string, headers: Record<string, string> = {}): SimResponse {
  return { status: 303, text: '', headers: { location, ...headers } };
}

export function isLoopbackUri(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]');
  } catch {
    return false;
  }
}
