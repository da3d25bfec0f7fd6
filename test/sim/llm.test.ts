// The contract's "Using a virtual key" and "Other endpoints" sections: what an issued key meets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, chat, envelope, generate, START } from './http-helpers.js';
import { FLAVORS, llmCalls, SIM_REPLY, startSimulator } from './index.js';
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
      assert.ok(body.choices[0]?.message.content, 'body.choices[0]?.message.content is set');
      assert.ok(body.usage, 'body.usage is set');
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
      assert.ok(d.litellm_params.model.endsWith(d.model_name), 'd.litellm_params.model.endsWith(d.model_name) is set');
      assert.ok(d.model_info.id, 'd.model_info.id is set');
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
    assert.ok(body.litellm_version, 'body.litellm_version is set');
  });
});

// ── the routes the tools call: Anthropic's /v1/messages, OpenAI's /v1/responses, streamed chat, HEAD / ──────────

/** The events of a text/event-stream body: `event:` (or null) and the parsed `data:` (or the raw text). */
function events(text: string): Array<{ event: string | null; data: unknown }> {
  return text.split('\n\n').filter((b) => b.trim()).map((block) => {
    const event = /^event: (.+)$/m.exec(block)?.[1] ?? null;
    const raw = /^data: (.+)$/m.exec(block)?.[1] ?? '';
    try {
      return { event, data: JSON.parse(raw) as unknown };
    } catch {
      return { event, data: raw };
    }
  });
}

const MESSAGE = { model: 'claude-sonnet-4', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] };

describe('/v1/messages (Anthropic format)', () => {
  test('x-api-key or Bearer: a message in Anthropic form; spend counted; the key used is recorded', async () => {
    const { key, token } = await generate(sim, { models: ['claude-sonnet-4'] });
    const from = llmCalls(sim).length;
    const viaHeader = await call(sim, 'POST', '/v1/messages', { key: null, headers: { 'x-api-key': key }, body: MESSAGE });
    assert.equal(viaHeader.status, 200, viaHeader.text);
    const body = viaHeader.json as { type: string; role: string; model: string; content: Array<{ type: string; text: string }>; stop_reason: string; usage: { input_tokens: number; output_tokens: number } };
    assert.equal(body.type, 'message');
    assert.equal(body.role, 'assistant');
    assert.equal(body.model, 'claude-sonnet-4');
    assert.deepEqual(body.content, [{ type: 'text', text: SIM_REPLY }]);
    assert.equal(body.stop_reason, 'end_turn');
    assert.ok(body.usage.input_tokens > 0 && body.usage.output_tokens > 0);
    assert.equal((await call(sim, 'POST', '/v1/messages?beta=true', { key, body: MESSAGE })).status, 200, 'Bearer, and the query Claude Code adds');
    assert.equal(sim.keys().find((k) => k.token === token)?.spend, 0.5);
    assert.deepEqual(llmCalls(sim).slice(from).map((c) => [c.route, c.token, c.status]), [['/v1/messages', token, 200], ['/v1/messages', token, 200]]);
  });

  test('streamed: message_start, a text block with deltas, message_delta with the stop reason, message_stop', async () => {
    const { key } = await generate(sim);
    const res = await call(sim, 'POST', '/v1/messages', { key: null, headers: { 'x-api-key': key }, body: { ...MESSAGE, stream: true } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const evs = events(res.text);
    assert.deepEqual([...new Set(evs.map((e) => e.event))], ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    for (const e of evs) assert.equal((e.data as { type: string }).type, e.event, 'each data names its event');
    const text = evs.filter((e) => e.event === 'content_block_delta').map((e) => (e.data as { delta: { text: string } }).delta.text).join('');
    assert.equal(text, SIM_REPLY);
    assert.equal((evs.find((e) => e.event === 'message_delta')?.data as { delta: { stop_reason: string } }).delta.stop_reason, 'end_turn');
  });

  test('refusals as for /chat/completions, in the proxy\'s OpenAI-style envelope, and recorded', async () => {
    const deleted = await generate(sim);
    await call(sim, 'POST', '/key/delete', { body: { keys: [deleted.key] } });
    const gone = await call(sim, 'POST', '/v1/messages', { key: null, headers: { 'x-api-key': deleted.key }, body: MESSAGE });
    assert.equal(gone.status, 401);
    assert.equal(envelope(gone).type, 'token_not_found_in_db');
    assert.equal(llmCalls(sim).at(-1)?.error, 'token_not_found_in_db');
    assert.equal(llmCalls(sim).at(-1)?.token, deleted.token);

    const expired = await generate(sim, { duration: '0s' });
    assert.equal(envelope(await call(sim, 'POST', '/v1/messages', { key: expired.key, body: MESSAGE })).type, 'expired_key');
    const blocked = await generate(sim, { blocked: true });
    assert.match(envelope(await call(sim, 'POST', '/v1/messages', { key: blocked.key, body: MESSAGE })).message, /Key is blocked/);
    const narrow = await generate(sim, { models: ['gpt-4o'] });
    const denied = await call(sim, 'POST', '/v1/messages', { key: narrow.key, body: MESSAGE });
    assert.equal(denied.status, 403);
    assert.equal(envelope(denied).type, 'key_model_access_denied');
    const poor = await generate(sim, { max_budget: 0.25 });
    assert.equal((await call(sim, 'POST', '/v1/messages', { key: poor.key, body: MESSAGE })).status, 200);
    assert.equal(envelope(await call(sim, 'POST', '/v1/messages', { key: poor.key, body: MESSAGE })).type, 'budget_exceeded');
    assert.equal((await call(sim, 'POST', '/v1/messages', { key: null, body: MESSAGE })).status, 401, 'no key at all');
  });
});

describe('/v1/responses (OpenAI Responses API)', () => {
  test('streamed the way Codex reads it: created, output item, text deltas, completed with usage', async () => {
    const { key, token } = await generate(sim);
    const res = await call(sim, 'POST', '/v1/responses', { key, body: { model: 'gpt-4o', input: 'hi', stream: true } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const evs = events(res.text);
    const names = evs.map((e) => e.event);
    assert.deepEqual([names[0], names.at(-1)], ['response.created', 'response.completed']);
    for (const needed of ['response.output_item.added', 'response.output_text.delta', 'response.output_item.done']) assert.ok(names.includes(needed), needed);
    assert.deepEqual(evs.map((e) => (e.data as { sequence_number: number }).sequence_number), evs.map((_, i) => i));
    assert.equal(evs.filter((e) => e.event === 'response.output_text.delta').map((e) => (e.data as { delta: string }).delta).join(''), SIM_REPLY);
    const done = (evs.at(-1)?.data as { response: { status: string; usage: { input_tokens: number; output_tokens: number; total_tokens: number }; output: Array<{ content: Array<{ text: string }> }> } }).response;
    assert.equal(done.status, 'completed');
    assert.equal(done.usage.total_tokens, done.usage.input_tokens + done.usage.output_tokens);
    assert.equal(done.output[0]?.content[0]?.text, SIM_REPLY);
    assert.equal(llmCalls(sim).at(-1)?.token, token);
    assert.equal(llmCalls(sim).at(-1)?.stream, true);
  });

  test('not streamed: the response object; a refused key gets the envelope', async () => {
    const { key } = await generate(sim, { models: ['gpt-4o-mini'] });
    const res = await call(sim, 'POST', '/v1/responses', { key, body: { model: 'gpt-4o-mini', input: 'hi' } });
    assert.equal((res.json as { output_text: string; object: string }).object, 'response');
    assert.equal((res.json as { output_text: string }).output_text, SIM_REPLY);
    assert.equal(envelope(await call(sim, 'POST', '/v1/responses', { key, body: { model: 'gpt-4o', input: 'hi' } })).type, 'key_model_access_denied');
  });
});

describe('streamed /v1/chat/completions, HEAD /', () => {
  test('stream: true → chunks with deltas, a final chunk with usage, then [DONE]', async () => {
    const { key } = await generate(sim);
    const res = await call(sim, 'POST', '/v1/chat/completions', { key, body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true } });
    assert.equal(res.status, 200);
    const evs = events(res.text);
    assert.equal(evs.at(-1)?.data, '[DONE]');
    const chunks = evs.slice(0, -1).map((e) => e.data as { object: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: object });
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), SIM_REPLY);
    assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
    assert.ok(chunks.at(-1)?.usage);
  });

  test('HEAD / (Claude Code\'s first request) and GET / answer 200 without a key', async () => {
    assert.equal((await call(sim, 'HEAD', '/', { key: null })).status, 200);
    assert.equal((await call(sim, 'GET', '/', { key: null })).status, 200);
    assert.equal((await call(sim, 'HEAD', '/v1/messages', { key: null })).status, 405, 'HEAD only where GET is served');
  });
});
