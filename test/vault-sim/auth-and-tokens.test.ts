// The Vault simulator's logins, token lifecycle, errors and control API: userpass, OIDC with the scripted IdP
// (state once, 10 minutes, client_nonce, allowed redirect URIs), lookup/renew/revoke-self, child tokens and accessors,
// a token's end taking its leases, sealing, policy denials, quotas, the error envelope and sys/health.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EXPIRED_STATE, validRedirect } from './index.js';
import { auth, data, liveAliases, startPair, userpassToken, vaultCall } from './harness.js';
import type { SimPair } from './harness.js';

let pair: SimPair;
before(async () => { pair = await startPair(); });
after(() => pair.close());

const control = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${pair.vault.url}/__vault/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
};

const REDIRECT = 'http://localhost:8250/oidc/callback';

/** The browser: follows auth_url to the IdP and returns where the IdP sends it back. */
async function followIdp(authUrl: string): Promise<URL> {
  const idp = await fetch(authUrl, { redirect: 'manual' });
  assert.equal(idp.status, 302);
  return new URL(idp.headers.get('location') ?? '');
}

describe('Vault simulator: logins and tokens', () => {
  test('userpass: the username is lower-cased; a bad password is 400 invalid username or password', async () => {
    const ok = await vaultCall(pair.vault, 'POST', 'auth/userpass/login/ALICE', { token: null, body: { password: 'alice-pw' } });
    assert.equal(ok.status, 200);
    const a = auth(ok);
    assert.match(String(a.client_token), /^hvs\.[A-Za-z0-9]{24}$/);
    assert.deepEqual(a.metadata, { username: 'alice' });
    assert.equal(a.lease_duration, 3600);
    assert.equal(a.token_type, 'service');
    const bad = await vaultCall(pair.vault, 'POST', 'auth/userpass/login/alice', { token: null, body: { password: 'nope' } });
    assert.deepEqual([bad.status, bad.json], [400, { errors: ['invalid username or password'] }]);
  });

  test('OIDC: auth_url → IdP → redirect with state and code → callback once, with the same client_nonce', async () => {
    const start = await vaultCall(pair.vault, 'PUT', 'auth/oidc/oidc/auth_url', { token: null, body: { role: 'keyfob', redirect_uri: 'http://localhost:9999/oidc/callback', client_nonce: 'n1' } });
    const back = await followIdp(String(data(start).auth_url));
    assert.equal(back.origin + back.pathname, 'http://localhost:9999/oidc/callback', 'a loopback port is not checked');
    const state = back.searchParams.get('state') ?? '';
    const code = back.searchParams.get('code') ?? '';
    const wrongNonce = await vaultCall(pair.vault, 'GET', `auth/oidc/oidc/callback?state=${state}&code=${code}&client_nonce=other`, { token: null });
    assert.deepEqual(wrongNonce.json, { errors: ['invalid client_nonce'] });
    const again = await vaultCall(pair.vault, 'GET', `auth/oidc/oidc/callback?state=${state}&code=${code}&client_nonce=n1`, { token: null });
    assert.deepEqual(again.json, { errors: [EXPIRED_STATE] }, 'the state works once, even after a failure');

    const fresh = await vaultCall(pair.vault, 'PUT', 'auth/oidc/oidc/auth_url', { token: null, body: { role: 'keyfob', redirect_uri: REDIRECT, client_nonce: 'n2' } });
    const url = await followIdp(String(data(fresh).auth_url));
    const ok = await vaultCall(pair.vault, 'GET', `auth/oidc/oidc/callback?state=${url.searchParams.get('state')}&code=${url.searchParams.get('code')}&id_token=&client_nonce=n2`, { token: null });
    assert.equal(ok.status, 200);
    assert.deepEqual(auth(ok).metadata, { role: 'keyfob', username: 'alice' });
  });

  test('OIDC: a state is valid 10 minutes; errors for a missing/unknown role or redirect_uri; a disallowed URI gets ""', async () => {
    const start = await vaultCall(pair.vault, 'PUT', 'auth/oidc/oidc/auth_url', { token: null, body: { role: 'keyfob', redirect_uri: REDIRECT } });
    const url = await followIdp(String(data(start).auth_url));
    pair.vault.clock.advance(10 * 60 * 1000 + 1000);
    const late = await vaultCall(pair.vault, 'GET', `auth/oidc/oidc/callback?state=${url.searchParams.get('state')}&code=${url.searchParams.get('code')}`, { token: null });
    assert.deepEqual(late.json, { errors: [EXPIRED_STATE] });
    assert.deepEqual((await vaultCall(pair.vault, 'PUT', 'auth/oidc/oidc/auth_url', { token: null, body: { redirect_uri: REDIRECT } })).json, { errors: ['missing role'] });
    assert.deepEqual((await vaultCall(pair.vault, 'PUT', 'auth/oidc/oidc/auth_url', { token: null, body: { role: 'x', redirect_uri: REDIRECT } })).json, { errors: ['role "x" could not be found'] });
    assert.deepEqual((await vaultCall(pair.vault, 'PUT', 'auth/oidc/oidc/auth_url', { token: null, body: { role: 'keyfob' } })).json, { errors: ['missing redirect_uri'] });
    const other = await vaultCall(pair.vault, 'PUT', 'auth/oidc/oidc/auth_url', { token: null, body: { role: 'keyfob', redirect_uri: 'http://evil.example/oidc/callback' } });
    assert.deepEqual([other.status, data(other).auth_url], [200, '']);
    assert.equal(validRedirect('http://127.0.0.1:8250/oidc/callback', [REDIRECT]), false, 'the host is checked');
  });

  test('lookup-self, renew-self capped at the max TTL, root not renewable', async () => {
    pair.vault.addUser('bob', { password: 'pw', ttl: 600, max_ttl: 1000 });
    const token = await userpassToken(pair.vault, 'bob', 'pw');
    const look = data(await vaultCall(pair.vault, 'GET', 'auth/token/lookup-self', { token }));
    assert.deepEqual([look.ttl, look.renewable, look.path, look.display_name], [600, true, 'auth/userpass/login/bob', 'userpass-bob']);
    pair.vault.clock.advance(500_000);
    const renewed = await vaultCall(pair.vault, 'PUT', 'auth/token/renew-self', { token, body: { increment: 600 } });
    assert.equal(auth(renewed).lease_duration, 500);
    assert.deepEqual(renewed.json?.warnings, ['TTL of "10m" exceeded the effective max_ttl of "8m20s"; TTL value is capped accordingly']);
    const root = await vaultCall(pair.vault, 'PUT', 'auth/token/renew-self', { body: {} });
    assert.deepEqual(root.json, { errors: ['lease is not renewable'] });
    const rootLook = data(await vaultCall(pair.vault, 'GET', 'auth/token/lookup-self'));
    assert.deepEqual([rootLook.ttl, rootLook.expire_time, rootLook.renewable], [0, null, false]);
  });

  test('revoke-self revokes the token, its children and every lease they created; a token\'s expiry does too', async () => {
    const parent = pair.vault.createToken(['keyfob-developer'], 3600, 86400);
    const child = auth(await vaultCall(pair.vault, 'POST', 'auth/token/create', { token: parent, body: { policies: ['default', 'keyfob-developer'], ttl: '10m' } }));
    const parentKey = data(await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token: parent })).key_alias;
    const childKey = data(await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token: String(child.client_token) })).key_alias;
    assert.equal((await vaultCall(pair.vault, 'PUT', 'auth/token/revoke-self', { token: parent })).status, 204);
    assert.ok(!liveAliases(pair.litellm).includes(String(parentKey)), '!liveAliases(pair.litellm).includes(String(parentKey)) is set');
    assert.ok(!liveAliases(pair.litellm).includes(String(childKey)), '!liveAliases(pair.litellm).includes(String(childKey)) is set');
    assert.equal((await vaultCall(pair.vault, 'GET', 'auth/token/lookup-self', { token: String(child.client_token) })).status, 403);

    const short = pair.vault.createToken(['keyfob-developer'], 60, 600);
    const alias = String(data(await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token: short })).key_alias);
    await pair.vault.advance(60_000);
    assert.ok(!liveAliases(pair.litellm).includes(alias), 'the token ended and took its lease');
  });

  test('child policies must be a subset; revoke-accessor revokes a token by accessor and its leases', async () => {
    const parent = pair.vault.createToken(['keyfob-developer']);
    const wider = await vaultCall(pair.vault, 'POST', 'auth/token/create', { token: parent, body: { policies: ['root'] } });
    assert.deepEqual(wider.json, { errors: ['child policies must be subset of parent'] });
    const child = auth(await vaultCall(pair.vault, 'POST', 'auth/token/create', { token: parent, body: {} }));
    const alias = String(data(await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token: String(child.client_token) })).key_alias);
    assert.equal((await vaultCall(pair.vault, 'POST', 'auth/token/revoke-accessor', { token: parent, body: { accessor: child.accessor } })).status, 204);
    assert.ok(!liveAliases(pair.litellm).includes(alias), '!liveAliases(pair.litellm).includes(alias) is set');
    const again = await vaultCall(pair.vault, 'POST', 'auth/token/revoke-accessor', { token: parent, body: { accessor: child.accessor } });
    assert.deepEqual([again.status, again.json], [400, { errors: ['invalid accessor'] }]);
  });
});

describe('Vault simulator: errors, sealing, policies, quotas, health, control', () => {
  test('a missing or unknown token, and a policy without the path: 403 permission denied, multierror-wrapped', async () => {
    for (const token of [null, 'hvs.nope']) {
      const r = await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token });
      assert.equal(r.status, 403);
      assert.equal(r.contentType, 'application/json');
      assert.equal(r.text, '{"errors":["1 error occurred:\\n\\t* permission denied\\n\\n"]}\n');
    }
    const onlyDefault = pair.vault.createToken([]);
    assert.equal((await vaultCall(pair.vault, 'PUT', 'sys/leases/revoke', { token: onlyDefault, body: { lease_id: 'x' } })).status, 403, 'default has no sys/leases/revoke');
    assert.equal((await vaultCall(pair.vault, 'PUT', 'sys/leases/lookup', { token: onlyDefault, body: { lease_id: 'x' } })).status, 400, 'default has lookup');
    const dev = pair.vault.createToken(['keyfob-developer']);
    assert.equal((await control('POST', 'deny', { path: 'litellm/creds/' })).status, 200);
    assert.equal((await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token: dev })).status, 403);
    await control('POST', 'allow', { path: 'litellm/creds/' });
    assert.equal((await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token: dev })).status, 200);
  });

  test('sealed: 503 Vault is sealed; sys/health says so with 503; unseal', async () => {
    await control('POST', 'seal');
    const r = await vaultCall(pair.vault, 'GET', 'auth/token/lookup-self');
    assert.deepEqual([r.status, r.json], [503, { errors: ['Vault is sealed'] }]);
    const health = await vaultCall(pair.vault, 'GET', 'sys/health', { token: null });
    assert.deepEqual([health.status, health.json?.sealed], [503, true]);
    await control('POST', 'unseal');
    assert.equal((await vaultCall(pair.vault, 'GET', 'sys/health', { token: null })).status, 200);
  });

  test('quota: 429 with the path; a fault answers its count; unknown path 404; bad method 405', async () => {
    await control('POST', 'quota', { path: 'litellm/creds/' });
    const r = await vaultCall(pair.vault, 'GET', 'litellm/creds/dev');
    assert.deepEqual([r.status, r.json], [429, { errors: ['request path "litellm/creds/": rate limit quota exceeded'] }]);
    assert.equal((await vaultCall(pair.vault, 'GET', 'litellm/creds/dev')).status, 200);
    assert.equal((await vaultCall(pair.vault, 'GET', 'nomount/x')).status, 404);
    assert.equal((await vaultCall(pair.vault, 'PATCH', 'litellm/creds/dev')).status, 405);
  });

  test('control: the clock moves and expires; requests are logged without tokens', async () => {
    const before = (await control('GET', 'clock')).json.now as number;
    await control('POST', 'clock/advance', { ms: 5000 });
    assert.equal((await control('GET', 'clock')).json.now, before + 5000);
    assert.equal((await control('POST', 'clock/advance', { ms: -1 })).status, 400);
    const log = JSON.stringify((await control('GET', 'requests')).json);
    assert.ok(!log.includes(pair.vault.rootToken), '!log.includes(pair.vault.rootToken) is set');
  });
});
