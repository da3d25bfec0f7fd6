// Faults on demand, holds, the request log and connection counting: the hooks Keyfob's tests drive the proxy with.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import { call, envelope, generate, START, until } from './http-helpers.js';
import { startSimulator } from './index.js';
import type { Simulator } from './index.js';

let sim: Simulator;
before(async () => { sim = await startSimulator({ startTime: START }); });
after(() => sim.close());
afterEach(() => {
  sim.clearFaults();
  sim.era = 'N3';
});

const arrived = (path: string, count = 1) => () => sim.requests.filter((r) => r.path === path).length >= count;

/** fetch's rejection, with the socket-level cause undici hides in `cause`. */
async function rejection(promise: Promise<unknown>): Promise<{ name: string; code: string | undefined }> {
  try {
    await promise;
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { name: err.name, code: err.cause?.code };
  }
  throw new Error('expected the request to fail');
}

describe('latency', () => {
  test('a delayed request is neither processed nor answered while other routes answer at once', async () => {
    sim.clearRequests();
    sim.fault('/key/generate', { kind: 'latency', ms: 60_000 });
    const before = sim.keys().length;
    const abort = new AbortController();
    const slow = call(sim, 'POST', '/key/generate', { body: { key_alias: 'kf-slow' }, signal: abort.signal });
    await until(arrived('/key/generate'), 'the slow request to arrive');
    const fast = await call(sim, 'GET', '/key/list');
    assert.equal(fast.status, 200, 'another route is not delayed');
    assert.equal(sim.requests.find((r) => r.path === '/key/generate')?.status, null, 'still unanswered');
    assert.equal(sim.keys().length, before, 'not processed yet');
    abort.abort();
    assert.equal((await rejection(slow)).name, 'AbortError');
  });

  test('a client timeout shorter than the latency gives up; after clearFaults the route answers again', async () => {
    sim.fault('/key/list', { kind: 'latency', ms: 60_000 });
    assert.equal((await rejection(call(sim, 'GET', '/key/list', { signal: AbortSignal.timeout(50) }))).name, 'TimeoutError');
    sim.clearFaults();
    assert.equal((await call(sim, 'GET', '/key/list')).status, 200);
  });

  test('a short latency still ends in the normal answer; the route\'s own latency overrides "*"', async () => {
    sim.fault('*', { kind: 'latency', ms: 60_000 });
    sim.fault('/health/liveliness', { kind: 'latency', ms: 5 });
    const res = await call(sim, 'GET', '/health/liveliness', { key: null });
    assert.equal(res.status, 200);
    assert.equal(res.json, "I'm alive!");
  });
});

describe('fail', () => {
  test('the next call answers the status with the proxy envelope, without being processed; the one after is normal', async () => {
    const before = sim.keys().length;
    sim.fault('/key/generate', { kind: 'fail', status: 503 });
    const failed = await call(sim, 'POST', '/key/generate', { body: {} });
    assert.equal(failed.status, 503);
    assert.equal(envelope(failed).code, '503');
    assert.equal(sim.keys().length, before, 'no key created');
    assert.equal((await call(sim, 'POST', '/key/generate', { body: {} })).status, 200);
  });

  test('count: N calls fail, then it stops; Infinity keeps failing until cleared', async () => {
    sim.fault('/key/list', { kind: 'fail', status: 502, count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sim, 'GET', '/key/list')).status);
    assert.deepEqual(statuses, [502, 502, 200]);
    sim.fault('/key/list', { kind: 'fail', status: 500, count: Infinity });
    for (let i = 0; i < 5; i++) assert.equal((await call(sim, 'GET', '/key/list')).status, 500);
    sim.clearFaults();
    assert.equal((await call(sim, 'GET', '/key/list')).status, 200);
  });

  test('contentType text: a text/plain 500 like an unhandled exception', async () => {
    sim.fault('/key/update', { kind: 'fail', status: 500, contentType: 'text' });
    const res = await call(sim, 'POST', '/key/update', { body: { key: 'sk-x' } });
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(res.text, 'Internal Server Error');
    assert.equal(res.json, undefined);
  });

  test('a custom body is sent verbatim; without one, the envelope with a 429\'s retry-after', async () => {
    sim.fault('/key/info', { kind: 'fail', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text' });
    assert.equal((await call(sim, 'GET', '/key/info?key=x')).text, '<html>Bad Gateway</html>');
    sim.fault('/key/info', { kind: 'fail', status: 429 });
    const limited = await call(sim, 'GET', '/key/info?key=x');
    assert.equal(envelope(limited).code, '429');
    assert.equal(envelope(limited).type, 'rate_limit_error');
    assert.ok(limited.headers.get('retry-after'));
  });

  test('faults queue in order on a route, and the route\'s own come before "*"', async () => {
    sim.fault('*', { kind: 'fail', status: 599 });
    sim.fault('/key/list', { kind: 'fail', status: 501 });
    sim.fault('/key/list', { kind: 'fail', status: 502 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(sim, 'GET', '/key/list')).status);
    assert.deepEqual(statuses, [501, 502, 599, 200]);
  });

  test('a fault that cannot be played is refused at once', () => {
    assert.throws(() => sim.fault('/key/list', { kind: 'fail', status: 42 }), RangeError);
    assert.throws(() => sim.fault('/key/list', { kind: 'hang', count: 0 }), RangeError);
    assert.throws(() => sim.fault('/key/list', { kind: 'latency', ms: -1 }), RangeError);
  });
});

describe('reset', () => {
  test('the socket is destroyed without an answer: the client sees ECONNRESET, nothing is processed', async () => {
    const before = sim.keys().length;
    sim.clearRequests();
    sim.fault('/key/generate', { kind: 'reset' });
    const failure = await rejection(call(sim, 'POST', '/key/generate', { body: {} }));
    assert.equal(failure.code, 'ECONNRESET');
    assert.equal(sim.keys().length, before);
    assert.equal(sim.requests[0]?.status, null);
    assert.equal((await call(sim, 'POST', '/key/generate', { body: {} })).status, 200, 'only the next call');
  });

  test('afterProcessing: the key exists, only the answer is lost', async () => {
    sim.fault('/key/generate', { kind: 'reset', afterProcessing: true });
    await rejection(call(sim, 'POST', '/key/generate', { body: { key_alias: 'kf-orphan' } }));
    assert.equal(sim.keys().filter((k) => k.key_alias === 'kf-orphan').length, 1);
  });
});

describe('hang', () => {
  test('never answers until the client gives up; the next call is normal', async () => {
    sim.fault('/key/delete', { kind: 'hang' });
    const { token } = await generate(sim);
    const failure = await rejection(call(sim, 'POST', '/key/delete', { body: { keys: [token] }, signal: AbortSignal.timeout(50) }));
    assert.equal(failure.name, 'TimeoutError');
    assert.ok(sim.keys().some((k) => k.token === token), 'a hung request is not processed');
    assert.equal((await call(sim, 'POST', '/key/delete', { body: { keys: [token] } })).status, 200);
  });

  test('close() destroys hung sockets: a client with no timeout is released', async () => {
    const own = await startSimulator();
    own.fault('*', { kind: 'hang', count: Infinity });
    const pending = call(own, 'GET', '/key/list');
    await until(() => own.requests.length === 1, 'the request to arrive');
    await own.close();
    const failure = await rejection(pending);
    assert.equal(failure.name, 'TypeError');
    await own.close(); // idempotent
  });
});

describe('hold', () => {
  test('the held request is processed (the key IS created) but answered only on release()', async () => {
    sim.clearRequests();
    const held = sim.hold('/key/generate');
    const pending = generate(sim, { key_alias: 'kf-held' });
    const { release } = await held;
    const created = sim.keys().find((k) => k.key_alias === 'kf-held');
    assert.ok(created, 'created before the answer');
    assert.equal(sim.requests[0]?.status, null, 'not answered yet');
    release();
    const res = await pending;
    assert.equal(res.token, created.token);
    assert.equal(sim.requests[0]?.status, 200);
  });

  test('a client that dies while held leaves the key behind; release() afterwards is harmless', async () => {
    const held = sim.hold('*');
    const abort = new AbortController();
    const pending = call(sim, 'POST', '/key/generate', { body: { key_alias: 'kf-crashed' }, signal: abort.signal });
    const { release } = await held;
    abort.abort();
    await rejection(pending);
    release();
    assert.equal(sim.keys().filter((k) => k.key_alias === 'kf-crashed').length, 1);
    assert.equal((await call(sim, 'GET', '/key/list?key_alias=kf-crashed')).status, 200, 'the server carries on');
  });

  test('only the next matching request is held', async () => {
    const held = sim.hold('/key/update');
    assert.equal((await call(sim, 'GET', '/key/list')).status, 200, 'other routes pass');
    const { token } = await generate(sim);
    const first = call(sim, 'POST', '/key/update', { body: { key: token, duration: '1h' } });
    const { release } = await held;
    assert.equal((await call(sim, 'POST', '/key/update', { body: { key: token, duration: '2h' } })).status, 200);
    release();
    assert.equal((await first).status, 200);
  });
});

describe('request log', () => {
  test('method, path, query, body, status and server time of every proxy call', async () => {
    sim.clearRequests();
    const { key, token } = await generate(sim, { key_alias: 'kf-logged', duration: '60s' });
    await call(sim, 'GET', `/key/info?key=${key}`);
    await call(sim, 'POST', '/key/update', { body: { key: token, duration: '120s' } });
    assert.deepEqual(sim.requests.map((r) => [r.method, r.path, r.status]), [
      ['POST', '/key/generate', 200],
      ['GET', '/key/info', 200],
      ['POST', '/key/update', 200],
    ]);
    assert.deepEqual(sim.requests[0]?.body, { key_alias: 'kf-logged', duration: '60s' });
    assert.deepEqual(sim.requests[2]?.body, { key: token, duration: '120s' }, 'hashes are not secrets');
    assert.equal(sim.requests[0]?.time, sim.clock.now());
  });

  test('key material is redacted to sk-...abcd in bodies and queries', async () => {
    sim.clearRequests();
    const { key } = await generate(sim);
    await call(sim, 'GET', `/key/info?key=${key}`);
    await call(sim, 'POST', '/key/delete', { body: { keys: [key], note: `revoking ${key}` } });
    await call(sim, 'POST', '/key/generate', { rawBody: `not json ${key}` });
    const logged = JSON.stringify(sim.requests);
    assert.ok(!logged.includes(key), 'plaintext in the log');
    assert.equal(sim.requests[1]?.query.key, `sk-...${key.slice(-4)}`);
    assert.deepEqual(sim.requests[2]?.body, { keys: [`sk-...${key.slice(-4)}`], note: `revoking sk-...${key.slice(-4)}` });
    assert.equal(sim.requests[3]?.body, `not json sk-...${key.slice(-4)}`);
  });

  test('auth says who called: master, virtual, none or invalid', async () => {
    const { key } = await generate(sim);
    sim.clearRequests();
    await call(sim, 'GET', '/v1/models');
    await call(sim, 'GET', '/v1/models', { key });
    await call(sim, 'GET', '/v1/models', { key: null });
    await call(sim, 'GET', '/v1/models', { key: 'sk-neverIssued000000000' });
    assert.deepEqual(sim.requests.map((r) => r.auth), ['master', 'virtual', 'none', 'invalid']);
  });

  test('clearRequests empties it', async () => {
    await call(sim, 'GET', '/health/liveliness', { key: null });
    sim.clearRequests();
    assert.equal(sim.requests.length, 0);
  });
});

describe('connections', () => {
  /** A request on its own connection (no keep-alive), so each one is a socket. */
  function ownSocketRequest(target: Simulator, path: string): { done: Promise<void>; abort(): void } {
    const req = request(`${target.url}${path}`, { agent: false });
    const done = new Promise<void>((resolve) => {
      req.on('response', (res) => { res.resume(); res.on('end', resolve); });
      req.on('error', () => resolve());
    });
    req.end();
    return { done, abort: () => req.destroy() };
  }

  test('peakConnections is the high-water mark of open sockets; reset brings it to what is open now', async () => {
    const own = await startSimulator();
    try {
      own.fault('/health/liveliness', { kind: 'hang', count: 6 });
      const pending = Array.from({ length: 6 }, () => ownSocketRequest(own, '/health/liveliness'));
      await until(() => own.requests.length === 6, 'six requests');
      assert.equal(own.peakConnections, 6);
      assert.equal(own.openConnections, 6);
      for (const p of pending) p.abort();
      await Promise.all(pending.map((p) => p.done));
      await until(() => own.openConnections === 0, 'the sockets to close');
      assert.equal(own.peakConnections, 6, 'a high-water mark stays');
      own.resetPeakConnections();
      assert.equal(own.peakConnections, 0);
      await ownSocketRequest(own, '/health/liveliness').done;
      assert.equal(own.peakConnections, 1);
    } finally {
      await own.close();
    }
  });
});
