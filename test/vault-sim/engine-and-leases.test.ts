// The Vault simulator's engine and lease rules: roles as the engine writes them, creds issuing a real key on the
// LiteLLM simulator, renew re-basing and capping with Vault's warning, revoke (204 for unknown), lookup, expiry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { capWarning, goDuration } from './index.js';
import { data, liveAliases, startPair, vaultCall } from './harness.js';
import type { SimPair } from './harness.js';

let pair: SimPair;
let token: string;
before(async () => {
  pair = await startPair();
  // Outlives every clock move below (a userpass token lives 1 h, and its end would take the leases).
  token = pair.vault.createToken(['default', 'keyfob-developer'], 30 * 86400, 60 * 86400);
});
after(() => pair.close());

describe('Vault simulator: the LiteLLM engine and sys/leases', () => {
  test('LIST roles as GET ?list=true (sorted keys) and the role JSON', async () => {
    const list = await vaultCall(pair.vault, 'GET', 'litellm/roles?list=true', { token });
    assert.equal(list.status, 200);
    assert.deepEqual(data(list).keys, ['dev', 'fixed']);
    const role = await vaultCall(pair.vault, 'GET', 'litellm/roles/dev', { token });
    assert.deepEqual(data(role), { models: ['gpt-4o'], max_budget: 5, ttl: 600, max_ttl: 3600, key_alias_prefix: 'acme', metadata: { team: 'platform' } });
    assert.equal(data(await vaultCall(pair.vault, 'GET', 'litellm/roles/fixed', { token })).models, null, 'an empty Go slice reads as null');
    const missing = await vaultCall(pair.vault, 'GET', 'litellm/roles/nope', { token });
    assert.equal(missing.status, 404);
    assert.equal(missing.text, '{"errors":[]}\n');
  });

  test('creds/<role>: a real key on LiteLLM with the alias, duration and budget; the secret reply', async () => {
    const reply = await vaultCall(pair.vault, 'GET', 'litellm/creds/DEV', { token });
    assert.equal(reply.status, 200);
    assert.equal(reply.contentType, 'application/json');
    assert.ok(reply.text.endsWith('}\n'));
    const body = reply.json ?? {};
    assert.match(String(body.lease_id), /^litellm\/creds\/dev\/[A-Za-z0-9]{24}$/);
    assert.equal(body.lease_duration, 600);
    assert.equal(body.renewable, true);
    const d = data(reply);
    assert.match(String(d.key_alias), /^acme-dev-[0-9a-f]{8}$/);
    const key = pair.litellm.liveKeys().find((k) => k.key_alias === d.key_alias);
    assert.ok(key, 'the key exists on the LiteLLM simulator');
    assert.equal(key.max_budget, 5);
    assert.deepEqual(key.models, ['gpt-4o']);
    assert.equal(Date.parse(key.expires ?? ''), pair.litellm.clock.now() + 600_000);
    assert.deepEqual({ ...d, key: 'x', key_alias: 'y' }, { key: 'x', key_alias: 'y', models: ['gpt-4o'], max_budget: 5, role: 'dev' });
  });

  test('a role with no TTL takes the mount default and is renewable; an unknown role is 400', async () => {
    const reply = await vaultCall(pair.vault, 'GET', 'litellm/creds/fixed', { token });
    assert.equal(reply.json?.lease_duration, 3600);
    const missing = await vaultCall(pair.vault, 'GET', 'litellm/creds/ghost', { token });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json, { errors: ['role "ghost" does not exist'] });
  });

  test('renew re-bases on now, and caps at issue + max_ttl with the Go-style warning', async () => {
    const issued = await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token });
    const leaseId = String(issued.json?.lease_id);
    await pair.vault.advance(100_000);
    const renewed = await vaultCall(pair.vault, 'PUT', 'sys/leases/renew', { token, body: { lease_id: leaseId, increment: 300 } });
    assert.equal(renewed.status, 200);
    assert.equal(renewed.json?.lease_duration, 300);
    assert.equal(renewed.json?.warnings, null);
    assert.equal(renewed.json?.data, null);
    await pair.vault.advance(200_000);
    const capped = await vaultCall(pair.vault, 'PUT', 'sys/leases/renew', { token, body: { lease_id: leaseId, increment: '1h' } });
    assert.equal(capped.json?.lease_duration, 3300);
    assert.deepEqual(capped.json?.warnings, ['TTL of "1h" exceeded the effective max_ttl of "55m"; TTL value is capped accordingly']);
    const lookup = await vaultCall(pair.vault, 'PUT', 'sys/leases/lookup', { token, body: { lease_id: leaseId } });
    assert.equal(data(lookup).ttl, 3300);
    assert.equal(data(lookup).id, leaseId);
    assert.notEqual(data(lookup).last_renewal, null);
    await pair.vault.advance(3_300_000);
    const gone = await vaultCall(pair.vault, 'PUT', 'sys/leases/renew', { token, body: { lease_id: leaseId } });
    assert.deepEqual(gone.json, { errors: ['lease not found'] }, 'expired = revoked');
  });

  test('goDuration and capWarning write durations as Go does', () => {
    assert.deepEqual([goDuration(3600), goDuration(290), goDuration(45), goDuration(3605)], ['1h', '4m50s', '45s', '1h5s']);
    assert.equal(capWarning(3600, 290), 'TTL of "1h" exceeded the effective max_ttl of "4m50s"; TTL value is capped accordingly');
  });

  test('revoke deletes the key on LiteLLM (204); an unknown lease is 204 too; lookup then says invalid lease', async () => {
    const issued = await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token });
    const leaseId = String(issued.json?.lease_id);
    const alias = String(data(issued).key_alias);
    assert.ok(liveAliases(pair.litellm).includes(alias), 'liveAliases(pair.litellm).includes(alias) is set');
    const revoked = await vaultCall(pair.vault, 'PUT', 'sys/leases/revoke', { token, body: { lease_id: leaseId } });
    assert.equal(revoked.status, 204);
    assert.equal(revoked.text, '');
    assert.ok(!liveAliases(pair.litellm).includes(alias), '!liveAliases(pair.litellm).includes(alias) is set');
    assert.equal((await vaultCall(pair.vault, 'PUT', 'sys/leases/revoke', { token, body: { lease_id: leaseId } })).status, 204);
    assert.deepEqual((await vaultCall(pair.vault, 'PUT', 'sys/leases/lookup', { token, body: { lease_id: leaseId } })).json, { errors: ['invalid lease'] });
    assert.deepEqual((await vaultCall(pair.vault, 'PUT', 'sys/leases/renew', { token, body: {} })).json, { errors: ['lease_id must be specified'] });
  });

  test('expiry is revocation: the key is deleted on LiteLLM when the sim clock passes the TTL', async () => {
    const issued = await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token });
    const alias = String(data(issued).key_alias);
    await pair.vault.advance(599_000);
    assert.ok(liveAliases(pair.litellm).includes(alias), 'liveAliases(pair.litellm).includes(alias) is set');
    await pair.vault.advance(1_000);
    assert.ok(!liveAliases(pair.litellm).includes(alias), '!liveAliases(pair.litellm).includes(alias) is set');
    assert.ok(pair.vault.leases.revokedIds.includes(String(issued.json?.lease_id)), 'pair.vault.leases.revokedIds.includes(String(issued.json?.lease_id)) is set');
  });

  test('renew calls LiteLLM /key/update: the key\'s expiry moves', async () => {
    const issued = await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token });
    const alias = String(data(issued).key_alias);
    await vaultCall(pair.vault, 'PUT', 'sys/leases/renew', { token, body: { lease_id: issued.json?.lease_id, increment: 1200 } });
    const key = pair.litellm.liveKeys().find((k) => k.key_alias === alias);
    assert.equal(Date.parse(key?.expires ?? ''), pair.litellm.clock.now() + 1_200_000);
  });

  test('namespaces: the header or a path prefix; the lease id carries the namespace suffix; unknown → 404', async () => {
    const nsToken = pair.vault.createToken(['keyfob-developer']);
    const viaHeader = await vaultCall(pair.vault, 'GET', 'litellm/creds/dev', { token: nsToken, namespace: 'team-a' });
    assert.equal(viaHeader.status, 200);
    const leaseId = String(viaHeader.json?.lease_id);
    assert.match(leaseId, new RegExp(`^litellm/creds/dev/[A-Za-z0-9]{24}\\.${pair.vault.namespaceId('team-a')}$`));
    const lookup = await vaultCall(pair.vault, 'PUT', 'sys/leases/lookup', { token: nsToken, body: { lease_id: leaseId } });
    assert.equal(data(lookup).namespace_path, 'team-a/');
    assert.equal((await vaultCall(pair.vault, 'GET', 'team-a/litellm/roles/dev', { token: nsToken })).status, 200);
    const unknown = await vaultCall(pair.vault, 'GET', 'litellm/roles/dev', { token: nsToken, namespace: 'nope' });
    assert.deepEqual([unknown.status, unknown.json], [404, { errors: ['namespace not found'] }]);
  });
});
