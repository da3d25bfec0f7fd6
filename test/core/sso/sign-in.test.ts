// The sign-in flow against the simulator, the scripted browser clicking through: discovery, registration, PKCE,
// the one callback with the right state, and every refusal the flow owes the person.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyfobError } from '../../../main/core/errors.js';
import { signInWithSso, SIGNED_IN_PAGE, SIGN_IN_TIMEOUT_MS } from '../../../main/core/sso/index.js';
import { ScriptedBrowser } from '../../sim/sso-browser.js';
import { FakeClock } from '../../support/fake-clock.js';
import { getAs, postJsonAs, signIn, ssoSimulator, START } from './sso-harness.js';

test('the whole sign-in: a litellm_login_ session for alice in her team, the browser told it can close the window', async (t) => {
  const sim = await ssoSimulator('1.100.4');
  t.after(() => sim.close());
  const clock = new FakeClock(START);
  const { record, visit } = await signIn(sim, clock);
  assert.match(record.accessToken, /^litellm_login_[A-Za-z0-9_-]+$/);
  assert.match(record.refreshToken, /^llm_srefresh_/);
  assert.match(record.clientId, /^llm_dcrc_/);
  assert.equal(record.userId, 'alice');
  assert.equal(record.teamId, 'team-a');
  assert.equal(record.accessExpiresAt, new Date(START + 86_400_000).toISOString());
  assert.deepEqual(record.binding, { backend: 'litellm', url: sim.url, ca_file: null, allow_insecure_tls: false });
  assert.match(visit.consentPage ?? '', /<title>Authorize CLI access<\/title>/);
  assert.match(visit.consentPage ?? '', /wants to call LiteLLM as alice/);
  assert.equal(visit.finalStatus, 200);
  assert.ok(visit.finalBody.includes(SIGNED_IN_PAGE), 'visit.finalBody.includes(SIGNED_IN_PAGE) is set');
  const callback = new URL(visit.callbackUrl ?? '');
  assert.equal(callback.hostname, '127.0.0.1');
  assert.equal(callback.pathname, '/callback');
  // The session acts as alice on the key routes, with the budget rule of a session.
  const info = await getAs(sim, record.accessToken, '/user/info');
  assert.equal(info.status, 200);
  const budget = await postJsonAs(sim, record.accessToken, '/key/generate', { max_budget: 5 });
  assert.equal(budget.status, 400);
  assert.match(JSON.stringify(budget.body), /A CLI session token cannot delegate budget for a personal key; specify `team_id`\./);
  // What /authorize got: S256, the proxy as resource, a loopback redirect.
  const authorize = sim.requests.find((r) => r.path === '/authorize');
  assert.equal(authorize?.query.code_challenge_method, 'S256');
  assert.equal(authorize?.query.resource, sim.url);
  assert.match(authorize?.query.redirect_uri ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
});

test('before 1.100.4 the session token is v2:gcm:', async (t) => {
  const sim = await ssoSimulator('1.99');
  t.after(() => sim.close());
  const { record } = await signIn(sim, new FakeClock(START));
  assert.match(record.accessToken, /^v2:gcm:/);
});

test('several teams: the consent page offers a pick, and the session carries the team picked', async (t) => {
  const sim = await ssoSimulator('1.100.4', ['team-a', 'team-b']);
  t.after(() => sim.close());
  const { record, visit } = await signIn(sim, new FakeClock(START), { team: 'team-b' });
  assert.match(visit.consentPage ?? '', /<select name="team_id">/);
  assert.equal(record.teamId, 'team-b');
});

test('deny on the consent page: "sign-in was denied"', async (t) => {
  const sim = await ssoSimulator();
  t.after(() => sim.close());
  await assert.rejects(signIn(sim, new FakeClock(START), { decision: 'deny' }), (e: unknown) => e instanceof KeyfobError && e.message === 'sign-in was denied');
});

test('a callback with the wrong state is answered 400 and ignored; the right one still completes the sign-in', async (t) => {
  const sim = await ssoSimulator();
  t.after(() => sim.close());
  const clock = new FakeClock(START);
  let forged = 0;
  const record = await signInWithSso({
    url: sim.url, clock,
    openBrowser: async (url) => {
      const redirect = new URL(url).searchParams.get('redirect_uri') ?? '';
      const res = await fetch(`${redirect}?code=llm_gcode_forged&state=not-this-one`);
      forged = res.status;
      await new ScriptedBrowser().open(url);
    },
  });
  assert.equal(forged, 400);
  assert.equal(record.userId, 'alice');
});

test('a second callback is refused and changes nothing', async (t) => {
  const sim = await ssoSimulator();
  t.after(() => sim.close());
  let second: number | 'refused' = 0;
  const record = await signInWithSso({
    url: sim.url, clock: new FakeClock(START),
    openBrowser: async (url) => {
      const visit = await new ScriptedBrowser().open(url);
      second = await fetch(visit.callbackUrl ?? '').then((r) => r.status, () => 'refused' as const);
    },
  });
  assert.notEqual(second, 200);
  assert.notEqual(second, 0);
  assert.equal(record.userId, 'alice');
  assert.equal(sim.sso.tokenGrants.length, 1);
});

test('a 307 from /token is not followed: the message names its target, and never the code', async (t) => {
  const sim = await ssoSimulator();
  t.after(() => sim.close());
  sim.fault('/token', { kind: 'redirect', location: 'http://127.0.0.2:9/steal' });
  await assert.rejects(signIn(sim, new FakeClock(START)), (e: unknown) => {
    assert.ok(e instanceof KeyfobError);
    assert.match(e.message, /redirected to http:\/\/127\.0\.0\.2:9\/steal; refusing to follow it/);
    assert.doesNotMatch(e.message, /llm_gcode_/);
    return true;
  });
});

test('an endpoint on another origin in discovery: refused before anything is registered', async (t) => {
  const sim = await ssoSimulator();
  t.after(() => sim.close());
  sim.sso.discoveryOverrides = { token_endpoint: 'http://127.0.0.2:4000/token' };
  let opened = false;
  await assert.rejects(signInWithSso({ url: sim.url, clock: new FakeClock(START), openBrowser: () => { opened = true; } }),
    /token endpoint http:\/\/127\.0\.0\.2:4000\/token is on another origin/);
  assert.equal(opened, false);
  assert.equal(sim.requests.some((r) => r.path === '/register'), false);
});

test('discovery refusals: another contract version, no S256, another issuer', async (t) => {
  const sim = await ssoSimulator();
  t.after(() => sim.close());
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ contract_version: 2 }, /contract_version 2, Keyfob speaks version 1/],
    [{ code_challenge_methods_supported: ['plain'] }, /does not list PKCE S256/],
    [{ issuer: 'http://127.0.0.1:1/other' }, /issuer http:\/\/127\.0\.0\.1:1\/other is not the proxy URL/],
  ];
  for (const [override, expected] of cases) {
    sim.sso.discoveryOverrides = override;
    await assert.rejects(signInWithSso({ url: sim.url, clock: new FakeClock(START), openBrowser: () => undefined }), expected);
  }
});

test('a proxy without the contract (404): "this proxy is older than 1.99 … connect with a key"', async (t) => {
  const sim = await ssoSimulator('legacy');
  t.after(() => sim.close());
  await assert.rejects(signInWithSso({ url: sim.url, clock: new FakeClock(START), openBrowser: () => undefined }),
    (e: unknown) => e instanceof KeyfobError && /this proxy is older than 1\.99 .*connect with a key/.test(e.message));
});

test('nobody comes back within 5 minutes: the sign-in gives up and the listener is closed', async (t) => {
  const sim = await ssoSimulator();
  t.after(() => sim.close());
  const clock = new FakeClock(START);
  let redirect = '';
  await assert.rejects(signInWithSso({
    url: sim.url, clock,
    openBrowser: async (url) => {
      redirect = new URL(url).searchParams.get('redirect_uri') ?? '';
      await clock.advance(SIGN_IN_TIMEOUT_MS);
    },
  }), (e: unknown) => e instanceof KeyfobError && e.kind === 'timeout' && /within 5 minutes/.test(e.message));
  await assert.rejects(fetch(redirect));
});
