// GET /authorize, the scripted IdP login (/sso/key/generate) and POST /authorize/complete: the browser half of the
// sign-in. The IdP is a form that signs the browser in as a configured user; the consent page is the proxy's.
import { randomBytes } from 'node:crypto';
import { NOT_FOUND, SimHttpError } from '../responses.js';
import type { SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';
import { CODE_TTL_MS, FLOW_TTL_MS, MANUAL_CODE_TTL_MS } from '../sso-state.js';
import type { FlowRecord } from '../sso-state.js';
import {
  baseUrl, browserUser, cookies, escapeHtml, formOf, htmlPage, isLoopbackUri, NO_STORE, oauthError, requireContract, seeOther,
  SESSION_COOKIE,
} from './sso-http.js';
import { legacyConfirmPage } from './sso-legacy.js';

const FLOW_COOKIE_PREFIX = 'mcp_connect_flow_';
const CONSENT_HEADERS = { ...NO_STORE, 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'" };

function userTeams(state: SimState, userId: string): string[] {
  return state.directory.allTeams().filter((t) => state.directory.memberRole(t, userId) !== undefined).map((t) => t.team_id);
}

function authorizeChecks(req: RouteRequest, state: SimState): { clientId: string; redirectUri: string; stateParam: string; challenge: string; resource: string } {
  const q = req.query;
  const clientId = q.get('client_id') ?? '';
  const registered = state.sso.openClient(clientId);
  if (!registered) throw oauthError(400, 'invalid_client', 'unknown or malformed client_id');
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!registered.includes(redirectUri)) throw oauthError(400, 'invalid_request', 'redirect_uri is not registered for this client');
  if (q.get('response_type') !== 'code') throw oauthError(400, 'unsupported_response_type', "response_type must be 'code'");
  const challenge = q.get('code_challenge') ?? '';
  if (!challenge || q.get('code_challenge_method') !== 'S256') {
    throw oauthError(400, 'invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256');
  }
  const stateParam = q.get('state') ?? '';
  if (stateParam.length > 1024) throw oauthError(400, 'invalid_request', 'state must be at most 1024 characters');
  const resource = q.get('resource') ?? '';
  if (resource && !isLoopbackUri(redirectUri)) {
    throw oauthError(400, 'invalid_request', 'a proxy-API grant may only redirect to a loopback address');
  }
  return { clientId, redirectUri, stateParam, challenge, resource };
}

function teamField(state: SimState, teams: string[]): string {
  if (teams.length === 0) return '';
  if (teams.length === 1) {
    const alias = state.directory.team(teams[0] ?? null)?.team_alias ?? teams[0] ?? '';
    return `<p>Requests are attributed to team ${escapeHtml(alias)}</p><input type="hidden" name="team_id" value="${escapeHtml(teams[0] ?? '')}">`;
  }
  const options = teams.map((id) => `<option value="${escapeHtml(id)}">${escapeHtml(state.directory.team(id)?.team_alias ?? id)}</option>`);
  return `<label>Team <select name="team_id">${options.join('')}</select></label>`;
}

function consentPage(req: RouteRequest, state: SimState, flow: FlowRecord): SimResponse {
  const origin = new URL(flow.redirectUri).origin;
  const hours = Math.max(1, Math.round(state.sso.accessLifetimeSec / 3600));
  const body = `<h1>Authorize CLI access</h1>`
    + `<p>A command-line client at ${escapeHtml(origin)} wants to call LiteLLM as ${escapeHtml(flow.userId)}.</p>`
    + `<p>The credential expires within ${hours} hours.</p>`
    + `<form method="post" action="${escapeHtml(baseUrl(req, state))}/authorize/complete">`
    + `<input type="hidden" name="flow" value="${flow.handle}">${teamField(state, flow.teams)}`
    + `<button type="submit" name="decision" value="approve">Approve</button>`
    + `<button type="submit" name="decision" value="deny">Deny</button></form>`;
  const cookie = `${FLOW_COOKIE_PREFIX}${flow.handle}=${flow.handle}; HttpOnly; SameSite=Lax; Max-Age=600; Path=/`;
  return htmlPage('Authorize CLI access', body, { ...CONSENT_HEADERS, 'set-cookie': cookie });
}

export function authorize(req: RouteRequest, state: SimState): SimResponse {
  requireContract(state);
  const checked = authorizeChecks(req, state);
  const userId = browserUser(req, state);
  if (userId === null) {
    const returnTo = `${state.config.rootPath}${req.path}?${req.query.toString()}`;
    return seeOther(`${baseUrl(req, state)}/sso/key/generate?return_to=${encodeURIComponent(returnTo)}`);
  }
  if (!state.databaseConnected) throw oauthError(503, 'temporarily_unavailable', 'the gateway database is unavailable; retry');
  if (!state.directory.user(userId)) throw oauthError(403, 'access_denied', 'the signed-in user is not active');
  const flow = state.sso.newFlow({
    userId, clientId: checked.clientId, redirectUri: checked.redirectUri, state: checked.stateParam,
    challenge: checked.challenge, resource: checked.resource, teams: userTeams(state, userId),
    expiresAtMs: state.clock.now() + FLOW_TTL_MS,
  });
  return consentPage(req, state, flow);
}

function withQuery(uri: string, params: Record<string, string>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

function pickTeam(flow: FlowRecord, asked: string | null): string | null {
  if (flow.teams.length === 0) return null;
  if (flow.teams.length === 1) return flow.teams[0] ?? null;
  if (asked === null || !flow.teams.includes(asked)) throw oauthError(400, 'invalid_request', 'team_id must be one of your teams');
  return asked;
}

export function completeAuthorization(req: RouteRequest, state: SimState): SimResponse {
  requireContract(state);
  const form = formOf(req, ['flow', 'decision']);
  const delivery = form.get('delivery') ?? 'redirect';
  if (delivery !== 'redirect' && delivery !== 'manual') throw oauthError(400, 'invalid_request', "delivery must be 'redirect' or 'manual'");
  const decision = form.get('decision');
  if (decision !== 'approve' && decision !== 'deny') throw oauthError(400, 'invalid_request', "decision must be 'approve' or 'deny'");
  const handle = form.get('flow') ?? '';
  const flow = state.sso.flows.get(handle);
  const now = state.clock.now();
  if (!flow || flow.expiresAtMs <= now || cookies(req).get(`${FLOW_COOKIE_PREFIX}${handle}`) !== handle) {
    throw oauthError(400, 'invalid_request', 'unknown or expired connect flow');
  }
  if (flow.completed) throw oauthError(400, 'invalid_request', 'this connect flow was already completed; restart the connection');
  const userId = browserUser(req, state);
  if (userId === null) throw oauthError(401, 'login_required', 'sign in to LiteLLM to finish connecting');
  if (userId !== flow.userId) throw oauthError(403, 'access_denied', 'the signed-in user does not match this connect flow');
  flow.completed = true;
  if (decision === 'deny') return seeOther(withQuery(flow.redirectUri, { error: 'access_denied', state: flow.state }));
  const teamId = pickTeam(flow, form.get('team_id'));
  const code = state.sso.newCode({
    userId, teamId, clientId: flow.clientId, redirectUri: flow.redirectUri, challenge: flow.challenge, resource: flow.resource,
    expiresAtMs: now + (delivery === 'manual' ? MANUAL_CODE_TTL_MS : CODE_TTL_MS),
  });
  const callback = withQuery(flow.redirectUri, { code, state: flow.state });
  if (delivery === 'manual') {
    return htmlPage('Finish connecting', `<p>Open this address on the machine running the client:</p><pre>${escapeHtml(callback)}</pre>`, { ...CONSENT_HEADERS });
  }
  return seeOther(callback, { ...NO_STORE });
}

/** Only paths on this proxy: the IdP never sends a browser elsewhere. */
function safeReturnTo(value: string | null): string | null {
  return value !== null && value.startsWith('/') && !value.startsWith('//') ? value : null;
}

/** GET /sso/key/generate: the scripted IdP's login form, or (signed in) on to where the sign-in was going. */
export function idpLoginPage(req: RouteRequest, state: SimState): SimResponse {
  if (state.sso.release === 'none') throw new SimHttpError(NOT_FOUND);
  const user = browserUser(req, state);
  if (user !== null && req.query.get('source') === 'litellm-cli') return legacyConfirmPage(req, state, user);
  const returnTo = safeReturnTo(req.query.get('return_to'))
    ?? `${state.config.rootPath}${req.path}${req.query.size > 0 ? `?${req.query.toString()}` : ''}`;
  if (user !== null && req.query.has('return_to')) return seeOther(`http://${String(req.headers.host)}${returnTo}`);
  const body = `<h1>Sign in</h1><form method="post" action="${escapeHtml(baseUrl(req, state))}/sso/key/generate">`
    + `<input name="user_id" value="${escapeHtml(state.sso.idpUser)}">`
    + `<input type="hidden" name="return_to" value="${escapeHtml(returnTo)}">`
    + `<button type="submit">Sign in</button></form>`;
  return htmlPage('Sign in to LiteLLM', body);
}

/** POST /sso/key/generate: the IdP accepts the user and returns the browser, now signed in, to `return_to`. */
export function idpLogin(req: RouteRequest, state: SimState): SimResponse {
  if (state.sso.release === 'none') throw new SimHttpError(NOT_FOUND);
  const form = formOf(req, ['user_id', 'return_to']);
  const userId = form.get('user_id') ?? '';
  const returnTo = safeReturnTo(form.get('return_to'));
  if (!userId || returnTo === null) throw new SimHttpError({ status: 400, body: { detail: 'user_id and return_to are required' } });
  const session = randomBytes(18).toString('base64url');
  state.sso.browserSessions.set(session, userId);
  return seeOther(`http://${String(req.headers.host)}${returnTo}`, { 'set-cookie': `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Lax; Path=/` });
}
