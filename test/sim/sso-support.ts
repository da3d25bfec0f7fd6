// Helpers for the sign-in suites: a sim offering the contract, a registered client, PKCE, raw form posts, and a
// browser already signed in to the scripted IdP.
import { createHash, randomBytes } from 'node:crypto';
import { startSimulator } from './index.js';
import type { Simulator } from './index.js';
import type { SsoRelease } from './sso-state.js';

export const START = Date.parse('2026-12-01T09:00:00.000Z');
export const REDIRECT = 'http://127.0.0.1:53682/callback';

export async function ssoSim(release: SsoRelease = '1.100.4', teams: string[] = ['team-a']): Promise<Simulator> {
  const sim = await startSimulator({ startTime: START });
  sim.sso.release = release;
  sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
  for (const team of teams) sim.addTeam({ team_id: team, members: [{ user_id: 'alice', role: 'user' }] });
  return sim;
}

export async function postForm(sim: Simulator, route: string, form: Record<string, string>, cookie?: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${sim.url}${route}`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* HTML or empty */ }
  return { status: res.status, body, headers: res.headers };
}

export async function postJson(sim: Simulator, route: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as unknown };
}

export async function get(sim: Simulator, route: string, cookie?: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${sim.url}${route}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

export async function registerClient(sim: Simulator, redirect = REDIRECT): Promise<string> {
  const res = await postJson(sim, '/register', { client_name: 'test', redirect_uris: [redirect] });
  return (res.body as { client_id: string }).client_id;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeQuery(sim: Simulator, clientId: string, challenge: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, state: 'st-1', code_challenge: challenge,
    code_challenge_method: 'S256', resource: sim.url, ...extra,
  }).toString();
}

/** A cookie header of a browser signed in to the IdP as `user`. */
export async function signedInBrowser(sim: Simulator, user = 'alice'): Promise<string> {
  const res = await postForm(sim, '/sso/key/generate', { user_id: user, return_to: '/' });
  const cookie = res.headers.getSetCookie()[0] ?? '';
  return cookie.split(';')[0] ?? '';
}

/** Consent shown and approved: the callback URL (with the code) and the cookie jar used. */
export async function approvedCallback(sim: Simulator, clientId: string, challenge: string, form: Record<string, string> = {}): Promise<URL> {
  const session = await signedInBrowser(sim);
  const page = await get(sim, `/authorize?${authorizeQuery(sim, clientId, challenge)}`, session);
  const flow = /name="flow" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const flowCookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const done = await postForm(sim, '/authorize/complete', { flow, decision: 'approve', ...form }, `${session}; ${flowCookie}`);
  return new URL(done.headers.get('location') ?? 'http://invalid/');
}

export async function codeFor(sim: Simulator): Promise<{ clientId: string; verifier: string; code: string }> {
  const clientId = await registerClient(sim);
  const { verifier, challenge } = pkce();
  const callback = await approvedCallback(sim, clientId, challenge);
  return { clientId, verifier, code: callback.searchParams.get('code') ?? '' };
}

export async function tokensFor(sim: Simulator): Promise<{ clientId: string; access: string; refresh: string }> {
  const { clientId, verifier, code } = await codeFor(sim);
  const res = await postForm(sim, '/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: clientId, code_verifier: verifier, resource: sim.url });
  const body = res.body as { access_token: string; refresh_token: string };
  return { clientId, access: body.access_token, refresh: body.refresh_token };
}
