// The one transport under the LiteLLM, sign-in and Vault clients, against real sockets: a redirect is reported and
// not followed, a server that starts an answer and never finishes it is cut off by the deadline, an answer over the
// cap is refused, HTTPS_PROXY / NO_PROXY are honoured — and each client turns those into its own message.
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { KeyfobError } from '../../../main/core/errors.js';
import { HttpTransport, TransportFailure } from '../../../main/core/http/index.js';
import { LiteLLMClient } from '../../../main/core/litellm/index.js';
import { SsoHttp } from '../../../main/core/sso/index.js';
import { VaultClient } from '../../../main/core/vault/index.js';
import { deadPort, startOutboundProxy, startShapeServer, type ShapeServer } from '../support/servers.js';

const REMOTE_HOST = 'vault.keyfob.test';

/** Sends the headers and the first bytes of a body, then nothing more, for as long as the socket stays open. */
async function startStallingServer(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"data":');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** What `promise` rejected with, checked to be an instance of `type`. */
async function rejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof type, `expected a ${type.name}, got ${String(e)}`);
    return e;
  }
  assert.fail('the request was expected to fail');
}

const failureOf = (promise: Promise<unknown>) => rejection(promise, TransportFailure);
const keyfobErrorOf = (promise: Promise<unknown>) => rejection(promise, KeyfobError);

describe('HttpTransport', () => {
  let shape: ShapeServer;
  let elsewhere: ShapeServer;
  before(async () => {
    shape = await startShapeServer();
    elsewhere = await startShapeServer();
  });
  after(async () => {
    await shape.close();
    await elsewhere.close();
  });

  test('a redirect is answered as it is, never followed: the credential header does not reach its target', async () => {
    shape.respond = { status: 307, body: '', headers: { location: `${elsewhere.url}/steal` } };
    const transport = new HttpTransport({ headers: { Authorization: 'Bearer sk-secret' }, env: {} });
    const answer = await transport.send({ method: 'GET', url: `${shape.url}/key/list`, timeoutMs: 5_000, maxBytes: 1024 });
    assert.equal(answer.status, 307);
    assert.equal(answer.location, `${elsewhere.url}/steal`);
    assert.equal(shape.lastHeaders?.authorization, 'Bearer sk-secret');
    assert.equal(elsewhere.lastUrl, null, 'the redirect target was contacted');
  });

  test('the answer is raw text whatever its content type, and per-request headers join the instance headers', async () => {
    shape.respond = { status: 200, contentType: 'application/json', body: '{"a":1}' };
    const transport = new HttpTransport({ headers: { 'X-Vault-Request': 'true' }, env: {} });
    const answer = await transport.send({ method: 'POST', url: `${shape.url}/x`, data: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, timeoutMs: 5_000, maxBytes: 1024 });
    assert.equal(answer.data, '{"a":1}');
    assert.equal(answer.contentType, 'application/json');
    assert.equal(shape.lastHeaders?.['x-vault-request'], 'true');
    assert.equal(shape.lastHeaders?.['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(shape.lastHeaders?.accept, 'application/json');
  });

  test('an answer over the cap is refused ("too-large")', async () => {
    shape.respond = { status: 200, body: 'x'.repeat(2048) };
    const transport = new HttpTransport({ env: {} });
    const failure = await failureOf(transport.send({ method: 'GET', url: shape.url, timeoutMs: 5_000, maxBytes: 1024 }));
    assert.equal(failure.kind, 'too-large');
  });

  test('a server that never finishes its answer is cut off by the deadline ("deadline")', async () => {
    const stalling = await startStallingServer();
    try {
      const transport = new HttpTransport({ env: {} });
      const failure = await failureOf(transport.send({ method: 'GET', url: `${stalling.url}/v1/sys/health`, timeoutMs: 300, maxBytes: 1024 }));
      assert.equal(failure.kind, 'deadline');
      assert.deepEqual(stalling.requests, ['GET /v1/sys/health']);
    } finally {
      await stalling.close();
    }
  });

  test('no server: "network", with the cause kept for the client to read', async () => {
    const transport = new HttpTransport({ env: {} });
    const failure = await failureOf(transport.send({ method: 'GET', url: `http://127.0.0.1:${await deadPort()}`, timeoutMs: 5_000, maxBytes: 1024 }));
    assert.equal(failure.kind, 'network');
    assert.match(String((failure.cause as Error).message), /ECONNREFUSED/);
  });
});

describe('each client over the transport', () => {
  test('Vault: HTTP_PROXY is honoured for a remote URL (the Vault CLI does too); NO_PROXY sends it direct', async () => {
    const vault = await startShapeServer();
    const proxy = await startOutboundProxy({ httpOrigin: vault.url });
    try {
      vault.respond = { status: 200, body: '{"initialized":true,"sealed":false}' };
      const client = new VaultClient({ url: `http://${REMOTE_HOST}:8200`, env: { HTTP_PROXY: proxy.url } });
      assert.deepEqual(await client.read('sys/health', { anonymous: true }), { initialized: true, sealed: false });
      assert.deepEqual(proxy.forwarded, [`http://${REMOTE_HOST}:8200/v1/sys/health`]);
      const bypassing = new VaultClient({ url: `http://${REMOTE_HOST}.invalid:8200`, env: { HTTP_PROXY: proxy.url, NO_PROXY: '.invalid' } });
      const e = await keyfobErrorOf(bypassing.read('sys/health', { anonymous: true }));
      assert.equal(e.kind, 'dns', e.message);
      assert.equal(proxy.forwarded.length, 1, 'the NO_PROXY host went through the proxy');
    } finally {
      await proxy.close();
      await vault.close();
    }
  });

  test('Vault: a dead outbound proxy is named in the error', async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const client = new VaultClient({ url: `http://${REMOTE_HOST}:8200`, env: { HTTPS_PROXY: dead, HTTP_PROXY: dead } });
    const e = await keyfobErrorOf(client.read('sys/health', { anonymous: true }));
    assert.equal(e.kind, 'unreachable', e.message);
    assert.match(e.message, /outbound proxy/);
  });

  test('a stalled answer: each client says who did not answer what, within how long, and no secret', async () => {
    const stalling = await startStallingServer();
    try {
      const vault = new VaultClient({ url: stalling.url, timeoutMs: 300, token: () => Promise.resolve('hvs.secret-token') });
      const v = await keyfobErrorOf(vault.read('litellm/creds/dev'));
      assert.equal(v.kind, 'timeout');
      assert.equal(v.message, `Vault at ${stalling.url} did not answer GET litellm/creds/dev within 0.3 s.`);

      const sso = new SsoHttp({ timeoutMs: 300, env: {} });
      const s = await keyfobErrorOf(sso.send({ method: 'POST', url: `${stalling.url}/token`, form: { code: 'c0de' }, label: "the sign-in's token request", secrets: ['c0de'] }));
      assert.equal(s.kind, 'timeout');
      assert.equal(s.message, `${stalling.url} did not answer the sign-in's token request within 0.3 s.`);

      const litellm = new LiteLLMClient({ baseUrl: stalling.url, adminKey: 'sk-admin-secret', timeoutMs: 300 }, {});
      const l = await keyfobErrorOf(litellm.verifyAdmin());
      assert.equal(l.kind, 'timeout');
      assert.match(l.message, /did not answer within 0\.3 s \(GET \/key\/list\)/);
      for (const e of [v, s, l]) assert.doesNotMatch(`${e.message} ${e.hint ?? ''}`, /secret|c0de/, 'a secret reached a message');
    } finally {
      await stalling.close();
    }
  });

  test('an oversized answer: the sign-in and Vault clients stop reading and say so', async () => {
    const big = await startShapeServer();
    try {
      big.respond = { status: 200, body: `{"pad":"${'x'.repeat(1024 * 1024 + 10)}"}` };
      const v = await keyfobErrorOf(new VaultClient({ url: big.url }).read('sys/health', { anonymous: true }));
      assert.equal(v.kind, 'server-error');
      assert.match(v.message, /larger than 1 MiB; Keyfob stopped reading it/);
      const s = await keyfobErrorOf(new SsoHttp({ env: {} }).send({ method: 'GET', url: `${big.url}/.well-known/x`, label: 'discovery', secrets: [] }));
      assert.equal(s.kind, 'server-error');
      assert.match(s.message, /answer to discovery larger than 256 KiB/);
    } finally {
      await big.close();
    }
  });
});
