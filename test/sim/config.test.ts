// The proxy config the simulator plays: SERVER_ROOT_PATH, generate limits and defaults, an old /key/list, the
// per-replica key cache.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, chat, envelope, generate, START } from './http-helpers.js';
import { startSimulator } from './index.js';
import type { SimOptions, Simulator } from './index.js';

async function withSim(opts: SimOptions, body: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ startTime: START, ...opts });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

describe('SERVER_ROOT_PATH (rootPath)', () => {
  test('every route is served under the root path and none at the root', () => withSim({ rootPath: '/api/v1' }, async (sim) => {
    assert.equal(sim.baseUrl, `${sim.url}/api/v1`);
    const generated = await call(sim, 'POST', '/api/v1/key/generate', { body: {} });
    assert.equal(generated.status, 200);
    const { key } = generated.json as { key: string };
    assert.equal((await call(sim, 'POST', '/api/v1/v1/chat/completions', { key, body: { model: 'gpt-4o' } })).status, 200);
    assert.equal((await call(sim, 'GET', '/api/v1/v1/models', { key })).status, 200);
    assert.equal((await call(sim, 'GET', '/api/v1/health/liveliness', { key: null })).status, 200);
    for (const path of ['/key/list', '/v1/models', '/health/liveliness', '/chat/completions']) {
      const res = await call(sim, path === '/chat/completions' ? 'POST' : 'GET', path, { body: {} });
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.json, { detail: 'Not Found' });
    }
  }));

  test('a base URL ending in /v1 may be the root path itself: /v1/key/generate exists, /key/generate does not', () => withSim({ rootPath: '/v1' }, async (sim) => {
    assert.equal((await call(sim, 'POST', '/v1/key/generate', { body: {} })).status, 200);
    assert.equal((await call(sim, 'POST', '/key/generate', { body: {} })).status, 404);
  }));

  test('faults and holds name the route, not the prefixed path; the log keeps the path as sent', () => withSim({ rootPath: '/api/v1/' }, async (sim) => {
    sim.fault('/key/list', { kind: 'fail', status: 503 });
    assert.equal((await call(sim, 'GET', '/api/v1/key/list')).status, 503);
    assert.equal(sim.requests.at(-1)?.path, '/api/v1/key/list');
    assert.equal(sim.requests.at(-1)?.fault, 'fail');
  }));

  test('the control API stays at /__sim/', () => withSim({ rootPath: '/api/v1' }, async (sim) => {
    assert.equal((await call(sim, 'GET', '/__sim/clock', { key: null })).status, 200);
  }));
});

describe('no master_key configured (noMasterKey)', () => {
  test('every caller is proxy_admin: no key, a wrong key, a virtual key', () => withSim({ noMasterKey: true }, async (sim) => {
    assert.equal((await call(sim, 'POST', '/key/generate', { key: null, body: {} })).status, 200);
    assert.equal((await call(sim, 'GET', '/key/list', { key: 'whatever' })).status, 200);
    assert.equal((await call(sim, 'GET', '/key/list', { key: 'sk-notAKeyAtAll00000000' })).status, 200);
  }));
});

describe('upperbound_key_generate_params', () => {
  const bounds = { max_budget: 10, duration: '1h', tpm_limit: 1000 };

  test('a field sent over the bound → 400 "{\'error\': \'<f> is over max limit set in config - user_value=<v>; max_value=<b>\'}"', () => withSim({ upperboundKeyGenerateParams: bounds }, async (sim) => {
    const budget = await call(sim, 'POST', '/key/generate', { body: { max_budget: 20, duration: '60s', tpm_limit: 10 } });
    assert.equal(budget.status, 400);
    assert.equal(envelope(budget).message, "{'error': 'max_budget is over max limit set in config - user_value=20; max_value=10'}");
    const duration = await call(sim, 'POST', '/key/generate', { body: { max_budget: 1, duration: '2h', tpm_limit: 10 } });
    assert.equal(duration.status, 400);
    assert.equal(envelope(duration).message, "{'error': 'duration is over max limit set in config - user_value=2h; max_value=1h'}");
    assert.equal(sim.keys().length, 0);
  }));

  test('durations compare in seconds: "3600s" is within "1h", "61m" is not', () => withSim({ upperboundKeyGenerateParams: bounds }, async (sim) => {
    assert.equal((await call(sim, 'POST', '/key/generate', { body: { duration: '3600s' } })).status, 200);
    assert.equal((await call(sim, 'POST', '/key/generate', { body: { duration: '61m' } })).status, 400);
  }));

  test('an unparsable duration is not "over": it fails as a duration, 500', () => withSim({ upperboundKeyGenerateParams: bounds }, async (sim) => {
    const res = await call(sim, 'POST', '/key/generate', { body: { duration: '1.5h' } });
    assert.equal(res.status, 500);
    assert.equal(envelope(res).message, 'Internal Server Error, Unsupported duration unit, passed duration: 1.5h');
  }));

  test('a field left out is set to the bound: a key sent without duration expires', () => withSim({ upperboundKeyGenerateParams: bounds }, async (sim) => {
    const res = await generate(sim, {});
    assert.equal(Date.parse(res.expires ?? ''), sim.clock.now() + 3_600_000);
    assert.equal(res.max_budget, 10);
    assert.equal(res.tpm_limit, 1000);
  }));

  test('N: "-1" is infinite, so over any duration bound → 400', () => withSim({ era: 'N', upperboundKeyGenerateParams: bounds }, async (sim) => {
    const res = await call(sim, 'POST', '/key/generate', { body: { duration: '-1' } });
    assert.equal(res.status, 400);
    assert.match(envelope(res).message, /duration is over max limit/);
  }));

  test('update is not bounded', () => withSim({ upperboundKeyGenerateParams: bounds }, async (sim) => {
    const { token_id: token } = await generate(sim, {});
    assert.equal((await call(sim, 'POST', '/key/update', { body: { key: token, duration: '30d', max_budget: 99 } })).status, 200);
  }));
});

describe('default_key_generate_params', () => {
  test('fills what was left null, [] or {}; what was sent stays', () => withSim({
    defaultKeyGenerateParams: { max_budget: 5, models: ['gpt-4o-mini'], metadata: { source: 'default' }, budget_duration: '1d' },
  }, async (sim) => {
    const filled = await generate(sim, { models: [] });
    assert.equal(filled.max_budget, 5);
    assert.deepEqual(filled.models, ['gpt-4o-mini']);
    assert.deepEqual(filled.metadata, { source: 'default' });
    assert.equal(filled.budget_duration, '1d');
    const sent = await generate(sim, { max_budget: 1, models: ['gpt-4o'], metadata: { mine: true } });
    assert.equal(sent.max_budget, 1);
    assert.deepEqual(sent.models, ['gpt-4o']);
    assert.deepEqual(sent.metadata, { mine: true });
  }));
});

describe('default duration', () => {
  test('N+ (2026 code) fills a missing duration from default_key_generate_params; C ignores it', async () => {
    for (const [era, expires] of [['C', false], ['N', true]] as const) {
      await withSim({ era, defaultKeyGenerateParams: { duration: '1h' } }, async (sim) => {
        const res = await generate(sim, {});
        assert.equal(res.expires !== null, expires, era);
      });
    }
  });
});

describe('listRejectsFullObject (an L proxy before 1.61.3)', () => {
  test('return_full_object → 400 bad_request_error "Unsupported parameter(s): return_full_object. …"; plain list works', () => withSim({ era: 'L', listRejectsFullObject: true }, async (sim) => {
    const { token_id: token } = await generate(sim, { key_alias: 'kf-old-list' });
    const res = await call(sim, 'GET', '/key/list?return_full_object=true');
    assert.equal(res.status, 400);
    assert.equal(envelope(res).type, 'bad_request_error');
    assert.match(envelope(res).message, /^Unsupported parameter\(s\): return_full_object\. Supported parameters: /);
    const plain = await call(sim, 'GET', '/key/list?key_alias=kf-old-list');
    assert.deepEqual((plain.json as { keys: string[] }).keys, [token]);
  }));

  test('such a proxy reports 1.61.1', () => withSim({ era: 'L', listRejectsFullObject: true }, async (sim) => {
    assert.equal((await call(sim, 'GET', '/health/liveliness', { key: null })).headers.get('x-litellm-version'), '1.61.1');
  }));

  test('off by default: return_full_object answers rows', () => withSim({ era: 'L' }, async (sim) => {
    await generate(sim, {});
    const res = await call(sim, 'GET', '/key/list?return_full_object=true');
    assert.equal(res.status, 200);
    assert.equal(typeof (res.json as { keys: unknown[] }).keys[0], 'object');
  }));
});

describe('the per-replica key cache (keyCacheTtlMs)', () => {
  test('a deleted key keeps working on LLM routes until the entry ages out on the sim clock', () => withSim({ keyCacheTtlMs: 60_000 }, async (sim) => {
    const { key } = await generate(sim, { duration: '1h' });
    assert.equal((await chat(sim, key)).status, 200, 'validated once: now cached');
    assert.equal((await call(sim, 'POST', '/key/delete', { body: { keys: [key] } })).status, 200);
    assert.equal(sim.keys().length, 0, 'gone from the database');
    sim.clock.advance(59_999);
    assert.equal((await chat(sim, key)).status, 200, 'still accepted by this replica');
    sim.clock.advance(1);
    const refused = await chat(sim, key);
    assert.equal(refused.status, 401);
    assert.equal(envelope(refused).type, 'token_not_found_in_db');
  }));

  test('a blocked or shortened key keeps its old state while cached', () => withSim({ keyCacheTtlMs: 60_000 }, async (sim) => {
    const { key, token_id: token } = await generate(sim, { duration: '1h' });
    assert.equal((await chat(sim, key)).status, 200);
    await call(sim, 'POST', '/key/block', { body: { key: token } });
    await call(sim, 'POST', '/key/update', { body: { key: token, duration: '1s' } });
    sim.clock.advance(5_000);
    assert.equal((await chat(sim, key)).status, 200);
    sim.clock.advance(55_000);
    assert.equal((await chat(sim, key)).status, 401);
  }));

  test('a key never validated before a delete is refused at once; ttl 0 (the default) caches nothing', async () => {
    await withSim({ keyCacheTtlMs: 60_000 }, async (sim) => {
      const { key } = await generate(sim, {});
      await call(sim, 'POST', '/key/delete', { body: { keys: [key] } });
      assert.equal((await chat(sim, key)).status, 401);
    });
    await withSim({}, async (sim) => {
      const { key } = await generate(sim, {});
      assert.equal((await chat(sim, key)).status, 200);
      await call(sim, 'POST', '/key/delete', { body: { keys: [key] } });
      assert.equal((await chat(sim, key)).status, 401);
    });
  });

  test('POST /__sim/key-cache/clear empties it; POST /__sim/config sets the TTL at runtime', () => withSim({}, async (sim) => {
    assert.equal((await call(sim, 'POST', '/__sim/config', { key: null, body: { keyCacheTtlMs: 60_000 } })).status, 200);
    const { key } = await generate(sim, {});
    assert.equal((await chat(sim, key)).status, 200);
    await call(sim, 'POST', '/key/delete', { body: { keys: [key] } });
    assert.equal((await chat(sim, key)).status, 200);
    assert.equal((await call(sim, 'POST', '/__sim/key-cache/clear', { key: null })).status, 200);
    assert.equal((await chat(sim, key)).status, 401);
    assert.equal((await call(sim, 'POST', '/__sim/config', { key: null, body: { nonsense: 1 } })).status, 400);
  }));
});
