// The native CLI sign-in, row by row of ../shared/litellm-sso.md: discovery, /register, /authorize, the consent and
// /authorize/complete, /token (both grants), /revoke, the session token on the key routes, by release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  approvedCallback, authorizeQuery, codeFor, get, pkce, postForm, postJson, REDIRECT, registerClient, signedInBrowser, ssoSim, tokensFor,
} from './sso-support.js';

test('discovery: the contract document on 1.99+, 404 on legacy and none', async (t) => {
  const sim = await ssoSim('1.99');
  t.after(() => sim.close());
  const doc = JSON.parse((await get(sim, '/.well-known/litellm-cli-auth')).text) as Record<string, unknown>;
  assert.equal(doc.contract_version, 1);
  assert.equal(doc.issuer, sim.url);
  assert.equal(doc.token_endpoint, `${sim.url}/token`);
  assert.equal(doc.resource, sim.url);
  assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
  for (const release of ['legacy', 'none'] as const) {
    sim.sso.release = release;
    const res = await get(sim, '/.well-known/litellm-cli-auth');
    assert.equal(res.status, 404, release);
    assert.equal((await postJson(sim, '/register', { redirect_uris: [REDIRECT] })).status, 404, release);
  }
});

test('/register: a sealed llm_dcrc_ client id, and every 400 of the page', async (t) => {
  const sim = await ssoSim();
  t.after(() => sim.close());
  const ok = await postJson(sim, '/register', { client_name: 'x', redirect_uris: [REDIRECT] });
  assert.equal(ok.status, 201);
  assert.match((ok.body as { client_id: string }).client_id, /^llm_dcrc_/);
  const rows: Array<[unknown, string, string]> = [
    [{ redirect_uris: [] }, 'invalid_redirect_uri', 'redirect_uris must be a list of 1 to 4 URIs'],
    [{ redirect_uris: ['a', 'b', 'c', 'd', 'e'].map((p) => `http://127.0.0.1:1/${p}`) }, 'invalid_redirect_uri', 'redirect_uris must be a list of 1 to 4 URIs'],
    [{ redirect_uris: [`http://127.0.0.1/${'x'.repeat(260)}`] }, 'invalid_redirect_uri', 'each redirect URI must be a string of at most 256 characters'],
    [{ redirect_uris: ['http://example.com/cb'] }, 'invalid_redirect_uri', 'each redirect URI must be https, http on a loopback host, or a registered native callback'],
    [{ redirect_uris: [REDIRECT], client_name: 'x'.repeat(5000) }, 'invalid_client_metadata', 'registered metadata is too large'],
  ];
  for (const [body, error, description] of rows) {
    const res = await postJson(sim, '/register', body);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error, error_description: description });
  }
});

test('/authorize: every JSON 400, never a redirect', async (t) => {
  const sim = await ssoSim();
  t.after(() => sim.close());
  const clientId = await registerClient(sim);
  const { challenge } = pkce();
  const rows: Array<[Record<string, string>, string, string]> = [
    [{ client_id: 'llm_dcrc_forged.x' }, 'invalid_client', 'unknown or malformed client_id'],
    [{ redirect_uri: 'http://127.0.0.1:1/other' }, 'invalid_request', 'redirect_uri is not registered for this client'],
    [{ response_type: 'token' }, 'unsupported_response_type', "response_type must be 'code'"],
    [{ code_challenge_method: 'plain' }, 'invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256'],
    [{ state: 's'.repeat(1025) }, 'invalid_request', 'state must be at most 1024 characters'],
  ];
  for (const [extra, error, description] of rows) {
    const res = await get(sim, `/authorize?${authorizeQuery(sim, clientId, challenge, extra)}`);
    assert.equal(res.status, 400, description);
    assert.deepEqual(JSON.parse(res.text), { error, error_description: description });
  }
  const https = await registerClient(sim, 'https://app.example/cb');
  const res = await get(sim, `/authorize?${authorizeQuery(sim, https, challenge, { redirect_uri: 'https://app.example/cb' })}`);
  assert.deepEqual(JSON.parse(res.text), { error: 'invalid_request', error_description: 'a proxy-API grant may only redirect to a loopback address' });
});

test('/authorize without a browser session: 303 to the IdP login, which returns there signed in', async (t) => {
  const sim = await ssoSim();
  t.after(() => sim.close());
  const clientId = await registerClient(sim);
  const query = authorizeQuery(sim, clientId, pkce().challenge);
  const res = await get(sim, `/authorize?${query}`);
  assert.equal(res.status, 303);
  const login = new URL(res.headers.get('location') ?? '');
  assert.equal(login.pathname, '/sso/key/generate');
  assert.equal(login.searchParams.get('return_to'), `/authorize?${query}`);
  const form = await get(sim, `${login.pathname}${login.search}`);
  assert.match(form.text, /<input name="user_id" value="alice">/);
  const signedIn = await postForm(sim, '/sso/key/generate', { user_id: 'alice', return_to: `/authorize?${query}` });
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.headers.get('location'), `${sim.url}/authorize?${query}`);
});

test('the consent page: its title and words, no-store, no framing, the flow cookie; team field for 0, 1, several teams', async (t) => {
  for (const [teams, field] of [[[], null], [['team-a'], /Requests are attributed to team team-a<\/p><input type="hidden" name="team_id"/], [['team-a', 'team-b'], /<select name="team_id">/]] as const) {
    const sim = await ssoSim('1.100.4', [...teams]);
    t.after(() => sim.close());
    const clientId = await registerClient(sim);
    const page = await get(sim, `/authorize?${authorizeQuery(sim, clientId, pkce().challenge)}`, await signedInBrowser(sim));
    assert.equal(page.status, 200);
    assert.match(page.text, /<title>Authorize CLI access<\/title>/);
    assert.match(page.text, /A command-line client at http:\/\/127\.0\.0\.1:53682 wants to call LiteLLM as alice/);
    assert.match(page.text, /expires within 24 hours/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('content-security-policy'), "frame-ancestors 'none'");
    assert.match(page.headers.getSetCookie()[0] ?? '', /^mcp_connect_flow_[0-9a-f]+=.*HttpOnly; SameSite=Lax; Max-Age=600/);
    if (field === null) assert.doesNotMatch(page.text, /team_id/);
    else assert.match(page.text, field);
  }
});

test('/authorize/complete: approve → code + state, deny → access_denied, manual delivery, every error', async (t) => {
  const sim = await ssoSim('1.100.4', ['team-a', 'team-b']);
  t.after(() => sim.close());
  const clientId = await registerClient(sim);
  const approved = await approvedCallback(sim, clientId, pkce().challenge, { team_id: 'team-b' });
  assert.equal(`${approved.origin}${approved.pathname}`, REDIRECT);
  assert.match(approved.searchParams.get('code') ?? '', /^llm_gcode_/);
  assert.equal(approved.searchParams.get('state'), 'st-1');
  const denied = await approvedCallback(sim, clientId, pkce().challenge, { decision: 'deny' });
  assert.equal(denied.searchParams.get('error'), 'access_denied');
  assert.equal(denied.searchParams.get('state'), 'st-1');
  const session = await signedInBrowser(sim);
  const page = await get(sim, `/authorize?${authorizeQuery(sim, clientId, pkce().challenge)}`, session);
  const flow = /name="flow" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const cookie = `${session}; ${(page.headers.getSetCookie()[0] ?? '').split(';')[0]}`;
  const rows: Array<[Record<string, string>, string | undefined, number, string, string]> = [
    [{ delivery: 'email' }, cookie, 400, 'invalid_request', "delivery must be 'redirect' or 'manual'"],
    [{ decision: 'maybe' }, cookie, 400, 'invalid_request', "decision must be 'approve' or 'deny'"],
    [{ flow: 'nope' }, cookie, 400, 'invalid_request', 'unknown or expired connect flow'],
    [{}, (page.headers.getSetCookie()[0] ?? '').split(';')[0], 401, 'login_required', 'sign in to LiteLLM to finish connecting'],
  ];
  for (const [extra, jar, status, error, description] of rows) {
    const res = await postForm(sim, '/authorize/complete', { flow, decision: 'approve', team_id: 'team-a', ...extra }, jar);
    assert.equal(res.status, status, description);
    assert.deepEqual(res.body, { error, error_description: description });
  }
  sim.addUser({ user_id: 'bob', user_role: 'internal_user' });
  const bob = await postForm(sim, '/authorize/complete', { flow, decision: 'approve', team_id: 'team-a' }, `${await signedInBrowser(sim, 'bob')}; ${cookie.split('; ')[1]}`);
  assert.deepEqual(bob.body, { error: 'access_denied', error_description: 'the signed-in user does not match this connect flow' });
  const manual = await postForm(sim, '/authorize/complete', { flow, decision: 'approve', team_id: 'team-a', delivery: 'manual' }, cookie);
  assert.equal(manual.status, 200);
  assert.match(String(manual.body), /http:\/\/127\.0\.0\.1:53682\/callback\?code=llm_gcode_/);
  const again = await postForm(sim, '/authorize/complete', { flow, decision: 'approve', team_id: 'team-a' }, cookie);
  assert.deepEqual(again.body, { error: 'invalid_request', error_description: 'this connect flow was already completed; restart the connection' });
});

test('/token, authorization code: PKCE S256, single use, 120 s, the client, the resource; every refusal', async (t) => {
  const sim = await ssoSim();
  t.after(() => sim.close());
  const base = (c: { clientId: string; verifier: string; code: string }) => ({ grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, client_id: c.clientId, code_verifier: c.verifier, resource: sim.url });
  const rows: Array<[(c: { clientId: string; verifier: string; code: string }) => Record<string, string>, number, string, string]> = [
    [(c) => ({ ...base(c), grant_type: 'password' }), 400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token'],
    [(c) => ({ ...base(c), code_verifier: '' }), 400, 'invalid_request', 'code, redirect_uri, and code_verifier are required'],
    [(c) => ({ ...base(c), code_verifier: 'short' }), 400, 'invalid_request', 'code_verifier must be 43 to 128 characters (RFC 7636)'],
    [(c) => ({ ...base(c), code: 'llm_gcode_unknown' }), 400, 'invalid_grant', 'the authorization code is invalid'],
    [(c) => ({ ...base(c), client_id: 'llm_dcrc_other' }), 400, 'invalid_grant', 'the authorization code was issued to a different client'],
    [(c) => ({ ...base(c), code_verifier: 'v'.repeat(43) }), 400, 'invalid_grant', 'PKCE verification failed'],
    [(c) => ({ ...base(c), resource: 'http://127.0.0.1:1' }), 400, 'invalid_target', 'resource does not match the proxy API this grant was issued for'],
  ];
  for (const [form, status, error, description] of rows) {
    const c = await codeFor(sim);
    const res = await postForm(sim, '/token', form(c));
    assert.equal(res.status, status, description);
    assert.deepEqual(res.body, { error, error_description: description });
    assert.equal(res.headers.get('cache-control'), 'no-store');
  }
  const c = await codeFor(sim);
  const ok = await postForm(sim, '/token', base(c));
  assert.equal(ok.status, 200);
  const body = ok.body as Record<string, unknown>;
  assert.match(String(body.access_token), /^litellm_login_/);
  assert.match(String(body.refresh_token), /^llm_srefresh_/);
  assert.deepEqual([body.token_type, body.expires_in, body.user_id, body.team_id], ['Bearer', 86400, 'alice', 'team-a']);
  assert.deepEqual((await postForm(sim, '/token', base(c))).body, { error: 'invalid_grant', error_description: 'the authorization code was already used' });
  const late = await codeFor(sim);
  sim.clock.advance(120_000);
  assert.deepEqual((await postForm(sim, '/token', base(late))).body, { error: 'invalid_grant', error_description: 'the authorization code has expired' });
  const json = await postJson(sim, '/token', base(await codeFor(sim)));
  assert.equal(json.status, 422);
});

test('/token without resource: the MCP gateway token, refused by the key routes', async (t) => {
  const sim = await ssoSim();
  t.after(() => sim.close());
  const c = await codeFor(sim);
  // The code was granted with a resource, so leaving it out now is a mismatch too.
  const res = await postForm(sim, '/token', { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, client_id: c.clientId, code_verifier: c.verifier });
  assert.equal((res.body as { error: string }).error, 'invalid_target');
});

test('/token, refresh: a new pair, the team kept; reuse detected; 503 burns nothing; 14 days; the team left', async (t) => {
  const sim = await ssoSim();
  t.after(() => sim.close());
  const s = await tokensFor(sim);
  const refresh = (token: string) => postForm(sim, '/token', { grant_type: 'refresh_token', refresh_token: token, client_id: s.clientId, resource: sim.url });
  sim.fault('/token', { kind: 'fail', status: 503, body: JSON.stringify({ error: 'temporarily_unavailable', error_description: 'the single-use record is unavailable right now; try again shortly' }) });
  assert.equal((await refresh(s.refresh)).status, 503);
  const next = await refresh(s.refresh);
  assert.equal(next.status, 200);
  const pair = next.body as { access_token: string; refresh_token: string; team_id: string };
  assert.notEqual(pair.access_token, s.access);
  assert.equal(pair.team_id, 'team-a');
  assert.deepEqual((await refresh(s.refresh)).body, { error: 'invalid_grant', error_description: 'the refresh token was already used' });
  assert.deepEqual((await postForm(sim, '/token', { grant_type: 'refresh_token', refresh_token: pair.refresh_token, client_id: s.clientId, resource: 'http://127.0.0.1:1' })).body,
    { error: 'invalid_target', error_description: 'resource does not match the proxy API this grant was issued for' });
  assert.deepEqual((await postForm(sim, '/token', { grant_type: 'refresh_token', client_id: s.clientId, resource: sim.url })).body,
    { error: 'invalid_request', error_description: 'refresh_token is required' });
  sim.addTeam({ team_id: 'team-a', members: [] });
  assert.deepEqual((await refresh(pair.refresh_token)).body, { error: 'invalid_grant', error_description: 'the user is no longer a member of the team this grant was issued for' });
  sim.addTeam({ team_id: 'team-a', members: [{ user_id: 'alice', role: 'user' }] });
  sim.clock.advance(14 * 86_400_000);
  assert.deepEqual((await refresh(pair.refresh_token)).body, { error: 'invalid_grant', error_description: 'the refresh token is invalid for this client' });
});

test('/revoke: 200 {} for anything, burns only the refresh token; the access token stays valid until it expires', async (t) => {
  const sim = await ssoSim();
  t.after(() => sim.close());
  sim.sso.accessLifetimeSec = 60;
  const s = await tokensFor(sim);
  for (const token of [s.refresh, 'unknown', s.refresh, s.access]) {
    const res = await postForm(sim, '/revoke', { token, token_type_hint: 'refresh_token', client_id: s.clientId });
    assert.deepEqual([res.status, res.body], [200, {}]);
  }
  assert.deepEqual((await postForm(sim, '/revoke', { token: s.refresh, client_id: 'llm_dcrc_bad' })).body, { error: 'invalid_client', error_description: 'unknown or malformed client_id' });
  const refused = await postForm(sim, '/token', { grant_type: 'refresh_token', refresh_token: s.refresh, client_id: s.clientId, resource: sim.url });
  assert.equal((refused.body as { error_description: string }).error_description, 'the refresh token was already used');
  const info = await fetch(`${sim.url}/user/info`, { headers: { authorization: `Bearer ${s.access}` } });
  assert.equal(info.status, 200);
  sim.clock.advance(60_000);
  const expired = await fetch(`${sim.url}/user/info`, { headers: { authorization: `Bearer ${s.access}` } });
  assert.equal(expired.status, 401);
  assert.match(JSON.stringify(await expired.json()), /expired_key.*|Expired Key/);
});

test('the session token acts as its user: own /user/info only, personal keys for itself, the budget rule', async (t) => {
  const sim = await ssoSim();
  t.after(() => sim.close());
  sim.addUser({ user_id: 'bob', user_role: 'internal_user' });
  const s = await tokensFor(sim);
  const call = async (route: string, body?: unknown) => {
    const res = await fetch(`${sim.url}${route}`, body === undefined
      ? { headers: { authorization: `Bearer ${s.access}` } }
      : { method: 'POST', headers: { authorization: `Bearer ${s.access}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };
  assert.equal((await call('/user/info?user_id=alice')).status, 200);
  const other = await call('/user/info?user_id=bob');
  assert.equal(other.status, 403);
  assert.match(other.text, /key not allowed to access this user's info\. user_id=bob, key's user_id=alice/);
  const own = await call('/key/generate', { user_id: 'alice', duration: '60s' });
  assert.equal(own.status, 200);
  assert.equal(sim.keys().find((k) => k.user_id === 'alice')?.user_id, 'alice');
  assert.match((await call('/key/generate', { user_id: 'bob' })).text, /User can only create keys for themselves/);
  const budget = await call('/key/generate', { max_budget: 1 });
  assert.equal(budget.status, 400);
  assert.match(budget.text, /A CLI session token cannot delegate budget for a personal key; specify `team_id`\./);
  // With a team the budget rule does not apply (the team's own rules do).
  assert.doesNotMatch((await call('/key/generate', { max_budget: 1, team_id: 'team-a' })).text, /cannot delegate budget/);
  assert.equal(sim.requests.at(-1)?.auth, 'virtual');
});

test('the 1.100.4 upgrade: v2:gcm: tokens minted before it are refused afterwards', async (t) => {
  const sim = await ssoSim('1.99');
  t.after(() => sim.close());
  const s = await tokensFor(sim);
  assert.match(s.access, /^v2:gcm:[A-Za-z0-9+/]+=*$/);
  const before = await fetch(`${sim.url}/user/info`, { headers: { authorization: `Bearer ${s.access}` } });
  assert.equal(before.status, 200);
  sim.sso.release = '1.100.4';
  const after = await fetch(`${sim.url}/user/info`, { headers: { authorization: `Bearer ${s.access}` } });
  assert.equal(after.status, 401);
});

test('/token with the database away: 503 temporarily_unavailable, and the code is not burned; no master key: 500', async (t) => {
  const sim = await ssoSim();
  t.after(() => sim.close());
  const c = await codeFor(sim);
  const form = { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, client_id: c.clientId, code_verifier: c.verifier, resource: sim.url };
  sim.databaseConnected = false;
  const down = await postForm(sim, '/token', form);
  assert.equal(down.status, 503);
  assert.deepEqual(down.body, { error: 'temporarily_unavailable', error_description: 'the gateway database is unavailable; retry' });
  sim.databaseConnected = true;
  assert.equal((await postForm(sim, '/token', form)).status, 200);
  sim.config.noMasterKey = true;
  for (const route of ['/token', '/revoke']) {
    const res = await postForm(sim, route, { ...form, token: 'x' });
    assert.equal(res.status, 500, route);
    assert.deepEqual(res.body, { error: 'server_error', error_description: 'the gateway has no master key configured' });
  }
});
