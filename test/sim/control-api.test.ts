// The /__sim/ control API: the same hooks over HTTP, for a simulator in another process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, chat, envelope, generate, START } from './http-helpers.js';
import { startSimulator } from './index.js';
import type { Simulator, SimKey, SimRequestLogEntry } from './index.js';

let sim: Simulator;
before(async () => { sim = await startSimulator({ startTime: START }); });
after(() => sim.close());

/** Control calls carry no key: the control API is for tests and demos on 127.0.0.1 only. */
const control = (method: string, path: string, body?: unknown) => call(sim, method, `/__sim/${path}`, { key: null, body });

describe('/__sim/ control API', () => {
  test('POST clock/advance {"ms"} moves the server clock and expires keys; clock/set jumps; GET clock reads', async () => {
    const { key } = await generate(sim, { duration: '60s' });
    const advanced = await control('POST', 'clock/advance', { ms: 60_000 });
    assert.equal(advanced.status, 200);
    assert.deepEqual(advanced.json, { now: START + 60_000, iso: new Date(START + 60_000).toISOString() });
    assert.equal(envelope(await chat(sim, key)).type, 'expired_key');
    assert.equal(((await control('POST', 'clock/set', { epochMs: START })).json as { now: number }).now, START);
    assert.equal((await chat(sim, key)).status, 200, 'back before the expiry');
    assert.equal(((await control('GET', 'clock')).json as { now: number }).now, START);
    assert.equal((await control('POST', 'clock/advance', { ms: 'soon' })).status, 400);
    assert.equal((await control('POST', 'clock/advance', { ms: -5 })).status, 400);
  });

  test('POST fault {route, fault} plays it; "Infinity" stands for Infinity; faults/clear ends it', async () => {
    assert.equal((await control('POST', 'fault', { route: '/key/list', fault: { kind: 'fail', status: 503, count: 'Infinity' } })).status, 200);
    assert.equal((await call(sim, 'GET', '/key/list')).status, 503);
    assert.equal((await call(sim, 'GET', '/key/list')).status, 503);
    assert.equal((await control('POST', 'faults/clear')).status, 200);
    assert.equal((await call(sim, 'GET', '/key/list')).status, 200);
  });

  test('an unplayable fault or a missing route → 400 with the reason', async () => {
    const bad = await control('POST', 'fault', { route: '/key/list', fault: { kind: 'explode' } });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { error: string }).error, /unknown fault kind/);
    assert.equal((await control('POST', 'fault', { fault: { kind: 'hang' } })).status, 400);
  });

  test('GET requests: the request log, which never shows control calls', async () => {
    sim.clearRequests();
    await call(sim, 'GET', '/health/liveliness', { key: null });
    await control('GET', 'keys');
    const log = (await control('GET', 'requests')).json as SimRequestLogEntry[];
    assert.deepEqual(log.map((r) => r.path), ['/health/liveliness']);
    await control('POST', 'requests/clear');
    assert.equal(sim.requests.length, 0);
  });

  test('GET keys: the database; ?live=true only what is usable', async () => {
    const own = await startSimulator({ startTime: START });
    try {
      const live = await generate(own, { duration: '1h' });
      const expired = await generate(own, { duration: '1s' });
      own.clock.advance(2_000);
      const all = (await call(own, 'GET', '/__sim/keys', { key: null })).json as SimKey[];
      const usable = (await call(own, 'GET', '/__sim/keys?live=true', { key: null })).json as SimKey[];
      assert.deepEqual(all.map((k) => k.token).sort(), [live.token, expired.token].sort());
      assert.deepEqual(usable.map((k) => k.token), [live.token]);
      assert.deepEqual(own.liveKeys().map((k) => k.token), [live.token]);
    } finally {
      await own.close();
    }
  });

  test('POST era switches the releases the simulator plays; GET era reads it', async () => {
    const switched = await control('POST', 'era', { era: 'L' });
    assert.equal(switched.status, 200);
    assert.deepEqual(switched.json, { era: 'L', version: '1.63.14' });
    const generated = await call(sim, 'POST', '/key/generate', { body: {} });
    const { key, token } = generated.json as { key: string; token: string };
    assert.equal(token, key, 'L answers the plaintext as token');
    assert.equal(generated.headers.get('x-litellm-version'), '1.63.14');
    assert.equal((await control('POST', 'era', { era: 'N3' })).status, 200);
    assert.deepEqual((await control('GET', 'era')).json, { era: 'N3', version: sim.version });
    assert.equal((await control('POST', 'era', { era: 'N4' })).status, 400);
    assert.equal(sim.era, 'N3');
  });

  test('POST flavor (deprecated) maps older to N and current to N3', async () => {
    assert.equal((await control('POST', 'flavor', { flavor: 'older' })).status, 200);
    assert.equal(sim.era, 'N');
    assert.equal((await control('POST', 'flavor', { flavor: 'current' })).status, 200);
    assert.equal(sim.era, 'N3');
    assert.equal((await control('POST', 'flavor', { flavor: 'newest' })).status, 400);
  });

  test('POST database {"connected"} plays losing and regaining the database', async () => {
    await control('POST', 'database', { connected: false });
    assert.equal((await call(sim, 'GET', '/health/readiness', { key: null }).then((r) => (r.json as { db: string }).db)), 'Not connected');
    assert.equal((await call(sim, 'GET', '/key/list')).status, 500);
    await control('POST', 'database', { connected: true });
    assert.equal((await call(sim, 'GET', '/key/list')).status, 200);
  });

  test('POST master-key {"key"} rotates the master key', async () => {
    const old = sim.masterKey;
    assert.equal((await control('POST', 'master-key', { key: 'sk-new-master' })).status, 200);
    try {
      assert.equal((await call(sim, 'GET', '/key/list', { key: old })).status, 401);
      assert.equal((await call(sim, 'GET', '/key/list', { key: 'sk-new-master' })).status, 200);
    } finally {
      await control('POST', 'master-key', { key: old });
    }
  });

  test('an unknown control → 404', async () => {
    assert.equal((await control('POST', 'self-destruct')).status, 404);
  });

  test('POST config takes the release/config switches (readinessFails, spendFlushMs, …) and rejects wrong types', async () => {
    assert.equal((await control('POST', 'config', { readinessFails: true, spendFlushMs: 10_000 })).status, 200);
    assert.equal((await call(sim, 'GET', '/health/readiness', { key: null })).status, 503);
    assert.equal(((await control('GET', 'config')).json as { spendFlushMs: number }).spendFlushMs, 10_000);
    assert.equal((await control('POST', 'config', { readinessFails: 'yes' })).status, 400);
    assert.equal((await control('POST', 'config', { updateUnknownKeyDelayMs: -1 })).status, 400);
    assert.equal((await control('POST', 'config', { readinessFails: false, spendFlushMs: 0 })).status, 200);
    assert.equal((await call(sim, 'GET', '/health/readiness', { key: null })).status, 200);
  });
});
