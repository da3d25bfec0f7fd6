// The Vault simulator when LiteLLM fails or the request is unusual: a failed /key/generate is a Go error (500,
// multierror-wrapped), a failed /key/update is `failed to renew entry`, a failed /key/delete keeps the lease
// (`failed to revoke entry`); `Authorization: Bearer` works and X-Vault-Token wins; bad JSON is 400.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { data, liveAliases, startPair, vaultCall } from './harness.js';
import type { SimPair } from './harness.js';

let pair: SimPair;
let token: string;
before(async () => {
  pair = await startPair();
  token = pair.vault.createToken(['keyfob-developer'], 86400, 86400);
});
after(() => pair.close());

describe('Vault simulator: backend failures and request forms', () => {
  test('LiteLLM failing /key/generate: 500 "generating litellm key: …", no lease', async () => {
    pair.litellm.fault('/key/generate', { kind: 'fail', status: 500 });
    const before = pair.vault.leases.all().length;
    const r = await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token });
    pair.litellm.clearFaults();
    assert.equal(r.status, 500);
    assert.match(String((r.json?.errors as string[])[0]), /^1 error occurred:\n\t\* generating litellm key: /);
    assert.equal(pair.vault.leases.all().length, before);
  });

  test('LiteLLM failing /key/update: 400 failed to renew entry; /key/delete failing keeps the lease', async () => {
    const issued = await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token });
    const leaseId = String(issued.json?.lease_id);
    pair.litellm.fault('/key/update', { kind: 'fail', status: 500 });
    const renew = await vaultCall(pair.vault, 'PUT', 'sys/leases/renew', { token, body: { lease_id: leaseId } });
    pair.litellm.clearFaults();
    assert.equal(renew.status, 400);
    assert.match(String((renew.json?.errors as string[])[0]), /^failed to renew entry: resp: <nil> err: /);
    pair.litellm.fault('/key/delete', { kind: 'fail', status: 500 });
    const revoke = await vaultCall(pair.vault, 'PUT', 'sys/leases/revoke', { token, body: { lease_id: leaseId } });
    pair.litellm.clearFaults();
    assert.equal(revoke.status, 400);
    assert.match(String((revoke.json?.errors as string[])[0]), /failed to revoke entry/);
    assert.ok(pair.vault.leases.get(leaseId), 'the lease stays');
    assert.ok(liveAliases(pair.litellm).includes(String(data(issued).key_alias)), 'liveAliases(pair.litellm).includes(String(data(issued).key_alias)) is set');
    assert.equal((await vaultCall(pair.vault, 'PUT', `sys/leases/revoke/${leaseId}`, { token })).status, 204, 'the …/revoke/<id> form');
    assert.equal(pair.vault.leases.get(leaseId), null);
  });

  test('Authorization: Bearer works; X-Vault-Token wins over it; bad JSON is 400', async () => {
    const bearer = await fetch(`${pair.vault.url}/v1/auth/token/lookup-self`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(bearer.status, 200);
    const both = await fetch(`${pair.vault.url}/v1/auth/token/lookup-self`, { headers: { Authorization: `Bearer ${token}`, 'X-Vault-Token': 'hvs.wrong' } });
    assert.equal(both.status, 403);
    const bad = await fetch(`${pair.vault.url}/v1/sys/leases/lookup`, { method: 'PUT', headers: { 'X-Vault-Token': token }, body: '{nope' });
    assert.equal(bad.status, 400);
  });
});
