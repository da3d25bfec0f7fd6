// The Vault HTTP client: the headers it sends (token, namespace, X-Vault-Request), LIST as ?list=true, a redirect
// reported and not followed (the token would go with it), the response-size cap, the error envelope unwrapped, and
// the URL rules. Real sockets: the Vault simulator, and a bare server for what Vault itself never does.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { KeyfobError } from '../../../main/core/errors.js';
import { envelopeErrors, normalizeVaultUrl, VaultClient, VaultKeyBackend } from '../../../main/core/vault/index.js';
import { fakeClock, startPair } from './vault-support.js';
import type { SimPair } from './vault-support.js';
import { testRole } from './vault-roles.js';

let pair: SimPair;
let bare: Server;
let bareUrl = '';
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

before(async () => {
  pair = await startPair();
  bare = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/v1/redirect')) res.writeHead(307, { Location: 'http://127.0.0.1:1/elsewhere' }).end();
    else if (req.url?.startsWith('/v1/huge')) res.writeHead(200, { 'Content-Type': 'application/json' }).end(`{"data":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"data":{"keys":["a"]}}\n');
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', () => resolve()));
  bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
});
after(async () => {
  await pair.close();
  bare.closeAllConnections();
  await new Promise<void>((resolve) => bare.close(() => resolve()));
});

describe('VaultClient', () => {
  test('sends X-Vault-Token, X-Vault-Namespace and X-Vault-Request; LIST goes as GET ?list=true', async () => {
    const client = new VaultClient({ url: `${bareUrl}/v1/`, namespace: '/team-a/', token: () => Promise.resolve('hvs.test-token') });
    await client.list('litellm/roles');
    const last = seen.at(-1);
    assert.equal(last?.url, '/v1/litellm/roles?list=true');
    assert.equal(last?.headers['x-vault-token'], 'hvs.test-token');
    assert.equal(last?.headers['x-vault-namespace'], 'team-a');
    assert.equal(last?.headers['x-vault-request'], 'true');
  });

  test('a redirect is reported, not followed; an oversized answer is cut off', async () => {
    const client = new VaultClient({ url: bareUrl, token: () => Promise.resolve('hvs.test-token') });
    const before = seen.length;
    await assert.rejects(client.read('redirect'), (e: KeyfobError) => /redirect/.test(e.message) && !e.message.includes('hvs.test-token'));
    assert.equal(seen.length, before + 1, 'nothing went to the redirect target');
    await assert.rejects(client.read('huge'), (e: KeyfobError) => e.networkCode === 'ERESPONSETOOLARGE');
  });

  test('in a namespace: the lease id carries the namespace suffix, and renew/revoke find it', async () => {
    const clock = fakeClock();
    const token = pair.vault.createToken(['keyfob-developer']);
    const client = new VaultClient({ url: pair.vault.url, namespace: 'team-a', token: () => Promise.resolve(token) });
    const backend = new VaultKeyBackend({ client, mount: 'litellm', clock });
    const issued = await backend.issue({ role: testRole('dev'), leaseId: 'l', alias: 'a', ttlSeconds: 600, ledgerId: 'x' });
    assert.ok(issued.backendRef?.endsWith(`.${pair.vault.namespaceId('team-a')}`));
    assert.equal(pair.vault.requestLog.filter((r) => r.path === 'litellm/creds/dev').at(-1)?.namespace, 'team-a');
    const lease = { lease_id: 'l', role: 'dev', key_alias: issued.alias, token_hash: null, backend_ref: issued.backendRef };
    assert.equal((await backend.renew(lease, 120)).capped, false);
    await backend.revoke(lease);
    assert.equal(await backend.vaultKnows(lease), false);
  });

  test('the envelope is read only as application/json, and go-multierror wrapping is removed', () => {
    assert.deepEqual(envelopeErrors('{"errors":["1 error occurred:\\n\\t* permission denied\\n\\n"]}', 'application/json'), ['permission denied']);
    assert.deepEqual(envelopeErrors('{"errors":[]}', 'application/json'), []);
    assert.equal(envelopeErrors('{"errors":["x"]}', 'text/plain'), null);
  });

  test('URLs: /v1 and trailing slashes dropped; credentials in the URL and other schemes refused', () => {
    assert.equal(normalizeVaultUrl('https://vault.example:8200/v1/'), 'https://vault.example:8200');
    assert.throws(() => normalizeVaultUrl('https://u:p@vault.example'), /must not carry/);
    assert.throws(() => normalizeVaultUrl('ftp://vault.example'), /https:\/\/ or http:\/\//);
  });
});
