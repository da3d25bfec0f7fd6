// The legacy CLI sign-in (releases before 1.99, and still there after): start, confirm the code in the browser,
// poll with the secret header, pick a team; and a proxy with no SSO at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, postForm, signedInBrowser, ssoSim } from './sso-support.js';

async function start(sim: Awaited<ReturnType<typeof ssoSim>>) {
  const res = await fetch(`${sim.url}/sso/cli/start`, { method: 'POST' });
  return await res.json() as { login_id: string; poll_secret: string; user_code: string; expires_in: number };
}

async function poll(sim: Awaited<ReturnType<typeof ssoSim>>, id: string, secret: string, query = '') {
  const res = await fetch(`${sim.url}/sso/cli/poll/${id}${query}`, { headers: { 'x-litellm-cli-poll-secret': secret } });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

test('legacy: pending until the code is confirmed, then a 24-hour session token that acts as the user; no refresh token', async (t) => {
  const sim = await ssoSim('legacy');
  t.after(() => sim.close());
  const login = await start(sim);
  assert.equal(login.expires_in, 300);
  assert.deepEqual((await poll(sim, login.login_id, login.poll_secret)).body, { status: 'pending' });
  assert.equal((await poll(sim, login.login_id, 'wrong')).status, 401);
  const session = await signedInBrowser(sim);
  const page = await get(sim, `/sso/key/generate?source=litellm-cli&key=${login.login_id}`, session);
  assert.match(page.text, /Code shown in your terminal/);
  assert.equal((await postForm(sim, '/sso/cli/confirm', { login_id: login.login_id, user_code: 'WRONG1' }, session)).status, 400);
  assert.equal((await postForm(sim, '/sso/cli/confirm', { login_id: login.login_id, user_code: login.user_code }, session)).status, 200);
  const ready = await poll(sim, login.login_id, login.poll_secret);
  assert.equal(ready.body.status, 'ready');
  assert.equal(ready.body.user_id, 'alice');
  assert.equal(ready.body.team_id, 'team-a');
  assert.equal(ready.body.refresh_token, undefined);
  const info = await fetch(`${sim.url}/user/info`, { headers: { authorization: `Bearer ${String(ready.body.key)}` } });
  assert.equal(info.status, 200);
  assert.equal((await poll(sim, login.login_id, login.poll_secret)).status, 400);
});

test('legacy with several teams: requires_team_selection, then poll again with team_id', async (t) => {
  const sim = await ssoSim('legacy', ['team-a', 'team-b']);
  t.after(() => sim.close());
  const login = await start(sim);
  const session = await signedInBrowser(sim);
  await postForm(sim, '/sso/cli/confirm', { login_id: login.login_id, user_code: login.user_code }, session);
  const choose = await poll(sim, login.login_id, login.poll_secret);
  assert.equal(choose.body.requires_team_selection, true);
  assert.deepEqual(choose.body.teams, ['team-a', 'team-b']);
  assert.equal(choose.body.key, undefined);
  const picked = await poll(sim, login.login_id, login.poll_secret, '?team_id=team-b');
  assert.equal(picked.body.team_id, 'team-b');
  assert.match(String(picked.body.key), /^v2:gcm:/);
});

test('legacy: the login expires after 300 s', async (t) => {
  const sim = await ssoSim('legacy');
  t.after(() => sim.close());
  const login = await start(sim);
  sim.clock.advance(300_000);
  assert.equal((await poll(sim, login.login_id, login.poll_secret)).status, 400);
});

test('no SSO: every sign-in route is FastAPI\'s 404, and a session-shaped token is just not an sk- key', async (t) => {
  const sim = await ssoSim('none');
  t.after(() => sim.close());
  for (const [method, route] of [['GET', '/.well-known/litellm-cli-auth'], ['POST', '/register'], ['GET', '/authorize'], ['POST', '/token'],
    ['POST', '/revoke'], ['POST', '/sso/cli/start'], ['GET', '/sso/key/generate'], ['GET', '/sso/cli/poll/x']] as const) {
    const res = await fetch(`${sim.url}${route}`, { method });
    assert.equal(res.status, 404, route);
    assert.deepEqual(await res.json(), { detail: 'Not Found' });
  }
  const res = await fetch(`${sim.url}/user/info`, { headers: { authorization: 'Bearer litellm_login_abcdefgh' } });
  assert.equal(res.status, 401);
  assert.match(await res.text(), /expected to start with 'sk-'/);
});

test('the control API switches the sign-in release, the access lifetime and the IdP user; refuses nonsense', async (t) => {
  const sim = await ssoSim('none');
  t.after(() => sim.close());
  const post = (route: string, body: unknown) => fetch(`${sim.url}/__sim/${route}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal((await post('sso', { release: '1.99', accessLifetimeSec: 120, idpUser: 'bob' })).status, 200);
  assert.deepEqual([sim.sso.release, sim.sso.accessLifetimeSec, sim.sso.idpUser], ['1.99', 120, 'bob']);
  assert.equal((await post('sso', { release: '2.0' })).status, 400);
  assert.equal((await post('sso', { accessLifetimeSec: 0 })).status, 400);
  assert.equal((await post('later', { release: '1.101.0' })).status, 200);
  assert.equal(sim.later.release, '1.101.0');
  assert.equal((await post('later', { release: 'latest' })).status, 400);
});
