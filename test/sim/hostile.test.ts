// Hostile-proxy faults (issue 12): drip-feed, a huge body, another key's token, terminal escapes, a redirect.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import { call, envelope, generate, START } from './http-helpers.js';
import { startSimulator } from './index.js';
import type { Simulator } from './index.js';

let sim: Simulator;
before(async () => { sim = await startSimulator({ startTime: START }); });
after(() => sim.close());
afterEach(() => sim.clearFaults());

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A raw request: the response as soon as its headers are in, the body still streaming. */
function open(method: string, path: string, body?: unknown): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${sim.masterKey}`, 'content-type': 'application/json' },
    }, resolve);
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Reads the body, counting the chunks it came in. */
async function drain(res: IncomingMessage): Promise<{ text: string; chunks: number; bytes: number }> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of res) {
    parts.push(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { text: Buffer.concat(parts).toString('utf8'), chunks: parts.length, bytes };
}

describe('drip', () => {
  test('headers at once, then the body one byte at a time: many chunks, a complete answer', async () => {
    sim.fault('/health/liveliness', { kind: 'drip', intervalMs: 15 });
    const res = await open('GET', '/health/liveliness');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], '12');
    const { text, chunks } = await drain(res);
    assert.equal(text, '"I\'m alive!"');
    assert.ok(chunks >= 6, `the body came in ${chunks} chunks`);
    assert.equal(sim.requests.at(-1)?.fault, 'drip');
  });

  test('the request is processed before the drip starts: the generated key exists while its answer trickles', async () => {
    sim.fault('/key/generate', { kind: 'drip', intervalMs: 50 });
    const before = sim.keys().length;
    const res = await open('POST', '/key/generate', { key_alias: 'kf-drip' });
    assert.equal(res.statusCode, 200);
    assert.equal(sim.keys().length, before + 1);
    res.destroy();
  });
});

describe('huge', () => {
  test('200 with N MB of JSON that parses, streamed', async () => {
    sim.fault('/key/list', { kind: 'huge', megabytes: 3 });
    const res = await open('GET', '/key/list');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], undefined, 'streamed, no length announced');
    const { text, bytes } = await drain(res);
    assert.ok(bytes >= 3 * 1024 * 1024 - 65_536 && bytes <= 3 * 1024 * 1024 + 128, `${bytes} bytes`);
    const body = JSON.parse(text) as { keys: string[] };
    assert.ok(body.keys.length > 40_000);
  });

  test('a client that gives up stops the stream; the simulator keeps serving', async () => {
    sim.fault('/key/list', { kind: 'huge', megabytes: 2048 });
    const res = await open('GET', '/key/list');
    let read = 0;
    for await (const chunk of res) {
      read += (chunk as Buffer).length;
      if (read > 1024 * 1024) break;
    }
    res.destroy();
    assert.equal((await call(sim, 'GET', '/health/liveliness', { key: null })).status, 200);
  });
});

describe('wrong-token', () => {
  test('generate answers another key\'s hash as token and token_id; the new key is stored under its own', async () => {
    const victim = await generate(sim, { key_alias: 'production-service' });
    sim.fault('/key/generate', { kind: 'wrong-token', alias: 'production-service' });
    const lied = await generate(sim, { key_alias: 'kf-lied-to' });
    assert.equal(lied.token, victim.token_id);
    assert.equal(lied.token_id, victim.token_id);
    assert.notEqual(lied.token_id, sha256(lied.key));
    assert.ok(sim.keys().some((k) => k.token === sha256(lied.key) && k.key_alias === 'kf-lied-to'));
  });

  test('a given token is used as is', async () => {
    sim.fault('/key/generate', { kind: 'wrong-token', token: 'a'.repeat(64) });
    assert.equal((await generate(sim)).token_id, 'a'.repeat(64));
  });
});

describe('escapes', () => {
  test('an error envelope whose message carries ANSI CSI and OSC sequences', async () => {
    sim.fault('/key/generate', { kind: 'escapes', status: 400 });
    const res = await call(sim, 'POST', '/key/generate', { body: {} });
    assert.equal(res.status, 400);
    const { message } = envelope(res);
    assert.ok(message.includes('\u001b[31m'), 'an SGR colour');
    assert.ok(message.includes('\u001b]0;pwned\u0007'), 'an OSC window title');
    assert.ok(message.includes('\u001b]8;;'), 'an OSC 8 hyperlink');
  });
});

describe('a second proxy on another loopback address', () => {
  test('host 127.0.0.2 listens there; a non-loopback host is refused', async () => {
    const other = await startSimulator({ host: '127.0.0.2', startTime: START });
    try {
      assert.match(other.url, /^http:\/\/127\.0\.0\.2:\d+$/);
      assert.equal((await call(other, 'GET', '/health/liveliness', { key: null })).status, 200);
      sim.fault('/key/list', { kind: 'redirect', location: `${other.url}/key/list` });
      await fetch(`${sim.url}/key/list`, { headers: { authorization: `Bearer ${sim.masterKey}` } });
      assert.equal(other.requests.at(-1)?.path, '/key/list', 'a client that follows redirects lands on the other proxy');
      assert.equal(other.requests.at(-1)?.auth, 'none', 'fetch drops Authorization across origins; the log shows what arrived');
    } finally {
      await other.close();
    }
    await assert.rejects(startSimulator({ host: '0.0.0.0' }), RangeError);
  });
});

describe('redirect', () => {
  test('307 to another host and port, the request not processed', async () => {
    const before = sim.keys().length;
    sim.fault('/key/generate', { kind: 'redirect', location: 'http://127.0.0.2:4999/key/generate' });
    const res = await fetch(`${sim.url}/key/generate`, {
      method: 'POST', redirect: 'manual', headers: { authorization: `Bearer ${sim.masterKey}`, 'content-type': 'application/json' }, body: '{}',
    });
    assert.equal(res.status, 307);
    assert.equal(res.headers.get('location'), 'http://127.0.0.2:4999/key/generate');
    assert.equal(sim.keys().length, before);
  });

  test('faults are checked when set: a bad one throws', () => {
    assert.throws(() => sim.fault('/key/list', { kind: 'redirect', location: '' }), RangeError);
    assert.throws(() => sim.fault('/key/list', { kind: 'redirect', location: 'http://x/', status: 200 }), RangeError);
    assert.throws(() => sim.fault('/key/list', { kind: 'drip', intervalMs: -1 }), RangeError);
    assert.throws(() => sim.fault('/key/list', { kind: 'huge', megabytes: 0 }), RangeError);
  });
});
