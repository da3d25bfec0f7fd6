// The contract's "Using a virtual key" and "Other endpoints" sections: what an issued key meets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, chat, envelope, generate, START } from './http-helpers.js';
import { FLAVORS, startSimulator } from './index.js';
import type { Simulator } from './index.js';

let sim: Simulator;
before(async () => { sim = await startSimulator({ startTime: START, completionCost: 0.25 }); });
after(() => sim.close());

describe('/chat/completions with a virtual key', () => {
  for (const path of ['/chat/completions', '/v1/chat/completions']) {
    test(`${path}: a valid key gets a canned OpenAI-style completion and its spend grows by the cost`, async () => {
      const { key, token } = await generate(sim, { models: ['gpt-4o'] });
      const res = await call(sim, 'POST', path, { key, body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(res.status, 200);
      const body = res.json as { object: string; model: string; choices: Array<{ message: { role: string; content: string } }>; usage: object };
      assert.equal(body.object, 'chat.completion');
      assert.equal(body.model, 'gpt-4o');
      assert.equal(body.choices[0]?.message.role, 'assistant');
      assert.ok(body.choices[0]?.message.content);
      assert.ok(body.usage);
      assert.equal(sim.keys().find((k) => k.token === token)?.spend, 0.25);
    });
  }

  test('models [] means every model', async () => {
    const { key } = await generate(sim, { models: [] });
    for (const model of sim.models) assert.equal((await chat(sim, key, model)).status, 200, model);
  });

  test('x-litellm-api-key works for model calls too', async () => {
    const { key } = await generate(sim);
    const res = await call(sim, 'POST', '/chat/completions', { key: null, headers: { 'x-litellm-api-key': key }, body: { model: 'gpt-4o' } });
    assert.equal(res.status, 200);
  });

  test('a model the proxy does not serve → 400 "Invalid model name"', async () => {
    const { key } = await generate(sim);
    const res = await chat(sim, key, 'gpt-9-ultra');
    assert.equal(res.status, 400);
    assert.match(envelope(res).message, /^Invalid model name passed in model=gpt-9-ultra/);
  });

  test('the master key may call models, and has no spend to track', async () => {
    assert.equal((await chat(sim, sim.masterKey)).status, 200);
  });

  for (const flavor of FLAVORS) {
    describe(`refusals (${flavor})`, () => {
      before(() => { sim.flavor = flavor; });
      after(() => { sim.flavor = 'current'; });

      test(`expired at the server clock → ${flavor === 'current' ? 401 : 400} expired_key; exactly at expiry counts as expired`, async () => {
        const { key } = await generate(sim, { duration: '60s' });
        sim.clock.advance(59_999);
        assert.equal((await chat(sim, key)).status, 200);
        sim.clock.advance(1);
        const res = await chat(sim, key);
        assert.equal(res.status, flavor === 'current' ? 401 : 400);
        assert.equal(envelope(res).type, 'expired_key');
        assert.ok(envelope(res).message.startsWith('Authentication Error - Expired Key. Key Expiry time'), envelope(res).message);
      });

      test('"0s" expires at once', async () => {
        const { key } = await generate(sim, { duration: '0s' });
        assert.equal(envelope(await chat(sim, key)).type, 'expired_key');
      });

      test('deleted → 401 token_not_found_in_db', async () => {
        const { key } = await generate(sim);
        await call(sim, 'POST', '/key/delete', { body: { keys: [key] } });
        const res = await chat(sim, key);
        assert.equal(res.status, 401);
        assert.equal(envelope(res).type, 'token_not_found_in_db');
      });

      test('blocked → 401 "Key is blocked"', async () => {
        const { key } = await generate(sim, { blocked: true });
        const res = await chat(sim, key);
        assert.equal(res.status, 401);
        assert.match(envelope(res).message, /Key is blocked/);
      });

      test(`model outside the key's models → ${flavor === 'current' ? 403 : 401} key_model_access_denied`, async () => {
        const { key } = await generate(sim, { models: ['gpt-4o-mini'] });
        const res = await chat(sim, key, 'gpt-4o');
        assert.equal(res.status, flavor === 'current' ? 403 : 401);
        assert.equal(envelope(res).type, 'key_model_access_denied');
        assert.equal((await chat(sim, key, 'gpt-4o-mini')).status, 200);
      });

      test(`spend >= max_budget → ${flavor === 'current' ? 429 : 400} budget_exceeded`, async () => {
        const { key, token } = await generate(sim, { max_budget: 0.5 });
        assert.equal((await chat(sim, key)).status, 200);
        assert.equal((await chat(sim, key)).status, 200);
        const res = await chat(sim, key);
        assert.equal(res.status, flavor === 'current' ? 429 : 400);
        assert.equal(envelope(res).type, 'budget_exceeded');
        assert.equal(envelope(res).message, 'Budget has been exceeded! Current cost: 0.5, Max budget: 0.5');
        assert.equal(sim.keys().find((k) => k.token === token)?.spend, 0.5, 'refused calls cost nothing');
      });
    });
  }
});

describe('model lists', () => {
  for (const path of ['/v1/models', '/models']) {
    test(`${path}: the master key sees every model in OpenAI list form`, async () => {
      const res = await call(sim, 'GET', path);
      assert.equal(res.status, 200);
      const body = res.json as { object: string; data: Array<{ id: string; object: string; created: number; owned_by: string }> };
      assert.equal(body.object, 'list');
      assert.deepEqual(body.data.map((m) => m.id), ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4']);
      for (const model of body.data) {
        assert.equal(model.object, 'model');
        assert.equal(typeof model.created, 'number');
        assert.equal(typeof model.owned_by, 'string');
      }
    });
  }

  test('a virtual key sees its own models', async () => {
    const { key } = await generate(sim, { models: ['gpt-4o-mini'] });
    const res = await call(sim, 'GET', '/v1/models', { key });
    assert.deepEqual((res.json as { data: Array<{ id: string }> }).data.map((m) => m.id), ['gpt-4o-mini']);
  });

  test('the model list is configurable', async () => {
    const custom = await startSimulator({ models: ['m1', 'm2'] });
    try {
      const res = await call(custom, 'GET', '/v1/models');
      assert.deepEqual((res.json as { data: Array<{ id: string }> }).data.map((m) => m.id), ['m1', 'm2']);
    } finally {
      await custom.close();
    }
  });

  test('/model/info: one entry per deployment', async () => {
    const res = await call(sim, 'GET', '/model/info');
    assert.equal(res.status, 200);
    const data = (res.json as { data: Array<{ model_name: string; litellm_params: { model: string }; model_info: { id: string } }> }).data;
    assert.deepEqual(data.map((d) => d.model_name), sim.models);
    for (const d of data) {
      assert.ok(d.litellm_params.model.endsWith(d.model_name));
      assert.ok(d.model_info.id);
    }
  });

  test('model lists need a valid key', async () => {
    assert.equal((await call(sim, 'GET', '/v1/models', { key: null })).status, 401);
    assert.equal((await call(sim, 'GET', '/model/info', { key: 'sk-neverIssued000000000' })).status, 401);
  });
});

describe('health', () => {
  test('/health/liveliness: unauthenticated 200, body the JSON string "I\'m alive!"', async () => {
    const res = await call(sim, 'GET', '/health/liveliness', { key: null });
    assert.equal(res.status, 200);
    assert.equal(res.text, '"I\'m alive!"');
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  });

  test('/health/readiness: unauthenticated {"status":"connected","db":"connected"}', async () => {
    const res = await call(sim, 'GET', '/health/readiness', { key: null });
    assert.equal(res.status, 200);
    const body = res.json as { status: string; db: string; litellm_version: string };
    assert.equal(body.status, 'connected');
    assert.equal(body.db, 'connected');
    assert.ok(body.litellm_version);
  });
});
