// The client on the network: refused ports, DNS, TLS (self-signed, custom CA, insecure), outbound proxies.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ErrorKind, KeyfobError } from '../../../main/core/errors.js';
import { LiteLLMClient } from '../../../main/core/litellm/litellm-client.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import {
  deadPort, hasOpenssl, makeSelfSignedCert, startOutboundProxy, startTlsFront, type Listening, type TestCertificate,
} from '../support/servers.js';
import { rejectsWithKind } from '../support/keyfob-rejection.js';

const MASTER = 'sk-admin-net-0002';
const TEST_HOST = 'litellm.keyfob.test';

async function rejectsWith(promise: Promise<unknown>, kind: ErrorKind, message?: RegExp): Promise<KeyfobError> {
  const e = await rejectsWithKind(promise, kind, message);
  assert.doesNotMatch(e.message, new RegExp(MASTER));
  return e;
}

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ masterKey: MASTER });
});
after(async () => sim.close());

describe('no answer', () => {
  test('a port nobody listens on → unreachable, "is the proxy running"', async () => {
    const port = await deadPort();
    const client = new LiteLLMClient({ baseUrl: `http://127.0.0.1:${port}`, adminKey: MASTER }, {});
    await rejectsWith(client.verifyAdmin(), 'unreachable',
      new RegExp(`Nothing answers at http://127\\.0\\.0\\.1:${port}: is the proxy running, and is the URL right\\?`));
  });

  test('a host name that does not resolve → dns', async () => {
    const client = new LiteLLMClient({ baseUrl: 'http://keyfob-no-such-host.invalid:4000', adminKey: MASTER, timeoutMs: 5_000 }, {});
    await rejectsWith(client.verifyAdmin(), 'dns', /"keyfob-no-such-host\.invalid" does not resolve/);
  });
});

describe('TLS', { skip: hasOpenssl() ? false : 'openssl is not installed: cannot make a test certificate' }, () => {
  let cert: TestCertificate;
  let front: Listening;
  before(async () => {
    cert = makeSelfSignedCert(TEST_HOST);
    front = await startTlsFront(cert, sim.url);
  });
  after(async () => front?.close());

  test('a self-signed certificate → tls, with the CA-file / insecure hint', async () => {
    const client = new LiteLLMClient({ baseUrl: front.url, adminKey: MASTER }, {});
    const e = await rejectsWith(client.verifyAdmin(), 'tls', /self-signed/);
    assert.match(e.hint ?? '', /--ca-file/);
    assert.match(e.hint ?? '', /insecure/);
  });

  test('the same server is trusted with its certificate as the CA file', async () => {
    const client = new LiteLLMClient({ baseUrl: front.url, adminKey: MASTER, caFile: cert.certPath }, {});
    await client.verifyAdmin();
  });

  test('allowInsecureTls skips verification (explicit opt-in)', async () => {
    const client = new LiteLLMClient({ baseUrl: front.url, adminKey: MASTER, allowInsecureTls: true }, {});
    await client.verifyAdmin();
  });

  test('https to a plain-http port → tls, "handshake failed"', async () => {
    const client = new LiteLLMClient({ baseUrl: sim.url.replace('http:', 'https:'), adminKey: MASTER, timeoutMs: 3_000 }, {});
    await rejectsWith(client.verifyAdmin(), 'tls', /handshake/);
  });

  test('HTTPS_PROXY is honoured: a CONNECT tunnel, with end-to-end TLS checked against the CA file', async () => {
    const proxy = await startOutboundProxy({ tunnelPort: front.port });
    try {
      const env = { HTTPS_PROXY: proxy.url };
      const client = new LiteLLMClient({ baseUrl: `https://${TEST_HOST}:${front.port}`, adminKey: MASTER, caFile: cert.certPath }, env);
      assert.equal(client.outboundProxy(), proxy.url);
      await client.verifyAdmin();
      assert.deepEqual(proxy.tunnels, [`${TEST_HOST}:${front.port}`]);
      // Through the same tunnel, without the CA the certificate is refused: TLS really is end to end.
      const untrusting = new LiteLLMClient({ baseUrl: `https://${TEST_HOST}:${front.port}`, adminKey: MASTER }, env);
      await rejectsWith(untrusting.verifyAdmin(), 'tls');
    } finally {
      await proxy.close();
    }
  });
});

describe('outbound proxies (HTTP_PROXY / HTTPS_PROXY / NO_PROXY)', () => {
  test('a dead HTTPS_PROXY/HTTP_PROXY does not break a proxy on 127.0.0.1 covered by NO_PROXY', async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const client = new LiteLLMClient({ baseUrl: sim.url, adminKey: MASTER }, { HTTPS_PROXY: dead, HTTP_PROXY: dead, NO_PROXY: '127.0.0.1,localhost' });
    await client.verifyAdmin();
  });

  test('loopback is direct even when NO_PROXY forgets it (set in process.env, the default source)', async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = dead;
    process.env.HTTPS_PROXY = dead;
    delete process.env.NO_PROXY;
    try {
      const client = new LiteLLMClient({ baseUrl: sim.url, adminKey: MASTER });
      assert.equal(client.outboundProxy(), null);
      await client.verifyAdmin();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('HTTP_PROXY is honoured for a remote http URL (forwarded with the absolute URL)', async () => {
    const proxy = await startOutboundProxy({ httpOrigin: sim.url });
    try {
      const client = new LiteLLMClient({ baseUrl: `http://${TEST_HOST}/litellm`, adminKey: MASTER }, { HTTP_PROXY: proxy.url });
      // The simulator has no /litellm prefix: a 404 from it proves the request went through the proxy to it.
      await rejectsWith(client.verifyAdmin(), 'server-error', /has no GET \/key\/list \(404\)/);
      assert.deepEqual(proxy.forwarded, [`http://${TEST_HOST}/litellm/key/list?size=1`]);
      const direct = new LiteLLMClient({ baseUrl: `http://${TEST_HOST}`, adminKey: MASTER }, { HTTP_PROXY: proxy.url });
      await direct.verifyAdmin();
    } finally {
      await proxy.close();
    }
  });

  test('a dead outbound proxy for a remote host → unreachable, naming the outbound proxy', async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const client = new LiteLLMClient({ baseUrl: `http://${TEST_HOST}`, adminKey: MASTER }, { HTTP_PROXY: dead });
    const e = await rejectsWith(client.verifyAdmin(), 'unreachable', /outbound proxy/);
    assert.match(e.hint ?? '', /NO_PROXY/);
  });

  test('NO_PROXY covering a remote host sends it direct (so here: DNS failure, not the proxy)', async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const client = new LiteLLMClient({ baseUrl: 'http://litellm.keyfob.invalid', adminKey: MASTER }, { HTTP_PROXY: dead, NO_PROXY: '.invalid' });
    await rejectsWith(client.verifyAdmin(), 'dns');
  });
});
