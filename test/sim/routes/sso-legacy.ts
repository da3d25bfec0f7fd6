// The legacy CLI sign-in (`lite login` without --pkce; every release with SSO): start, confirm the user code in the
// browser, poll with the secret header, pick a team when the user has several. The key is a 24-hour session token.
import { randomBytes } from 'node:crypto';
import { json, NOT_FOUND, SimHttpError } from '../responses.js';
import type { SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';
import { LEGACY_LOGIN_TTL_MS } from '../sso-state.js';
import { baseUrl, browserUser, escapeHtml, formOf, htmlPage } from './sso-http.js';

export const LEGACY_POLL_PREFIX = '/sso/cli/poll/';

function requireLegacy(state: SimState): void {
  if (state.sso.release === 'none') throw new SimHttpError(NOT_FOUND);
}

const detail = (status: number, text: string) => new SimHttpError({ status, body: { detail: text } });

export function legacyStart(_req: RouteRequest, state: SimState): SimResponse {
  requireLegacy(state);
  const login = {
    loginId: randomBytes(16).toString('hex'), pollSecret: randomBytes(24).toString('base64url'),
    userCode: randomBytes(3).toString('hex').toUpperCase(), expiresAtMs: state.clock.now() + LEGACY_LOGIN_TTL_MS,
    userId: null, key: null,
  };
  state.sso.legacyLogins.set(login.loginId, login);
  return json({ login_id: login.loginId, poll_secret: login.pollSecret, user_code: login.userCode, expires_in: LEGACY_LOGIN_TTL_MS / 1000 });
}

/** The page a signed-in browser sees at `/sso/key/generate?source=litellm-cli&key=<login_id>`. */
export function legacyConfirmPage(req: RouteRequest, state: SimState, _userId: string): SimResponse {
  const loginId = req.query.get('key') ?? '';
  const body = `<h1>Confirm CLI sign-in</h1><form method="post" action="${escapeHtml(baseUrl(req, state))}/sso/cli/confirm">`
    + `<input type="hidden" name="login_id" value="${escapeHtml(loginId)}"><label>Code shown in your terminal <input name="user_code"></label>`
    + `<button type="submit">Confirm</button></form>`;
  return htmlPage('Confirm CLI sign-in', body);
}

export function legacyConfirm(req: RouteRequest, state: SimState): SimResponse {
  requireLegacy(state);
  const form = formOf(req, ['login_id', 'user_code']);
  const userId = browserUser(req, state);
  if (userId === null) throw detail(401, 'sign in first');
  const login = state.sso.legacyLogins.get(form.get('login_id') ?? '');
  if (!login || login.expiresAtMs <= state.clock.now()) throw detail(400, 'login expired or invalid');
  if (form.get('user_code') !== login.userCode) throw detail(400, 'the verification code does not match');
  login.userId = userId;
  return htmlPage('Signed in', '<p>Signed in. Return to your terminal.</p>');
}

export function legacyPoll(req: RouteRequest, state: SimState): SimResponse {
  requireLegacy(state);
  const login = state.sso.legacyLogins.get(req.path.slice(LEGACY_POLL_PREFIX.length));
  if (!login || login.expiresAtMs <= state.clock.now()) throw detail(400, 'login expired or invalid');
  const secret = req.headers['x-litellm-cli-poll-secret'];
  if (secret !== login.pollSecret) throw detail(401, 'invalid poll secret');
  if (login.userId === null) return json({ status: 'pending' });
  const userId = login.userId;
  const teams = state.directory.allTeams().filter((t) => state.directory.memberRole(t, userId) !== undefined);
  const asked = req.query.get('team_id');
  if (teams.length > 1 && asked === null) {
    return json({
      status: 'ready', requires_team_selection: true, user_id: userId, teams: teams.map((t) => t.team_id),
      team_details: teams.map((t) => ({ team_id: t.team_id, team_alias: t.team_alias ?? null })),
    });
  }
  const teamId = asked ?? teams[0]?.team_id ?? null;
  if (teamId !== null && !teams.some((t) => t.team_id === teamId)) throw detail(400, 'team_id is not one of your teams');
  const key = state.sso.mintLegacy(userId, teamId, state.clock.now());
  state.sso.legacyLogins.delete(login.loginId);
  return json({ status: 'ready', key, user_id: userId, team_id: teamId, teams: teams.map((t) => t.team_id), expires_in: state.sso.accessLifetimeSec });
}
