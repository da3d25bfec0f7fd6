// The contract's "POST /key/generate" section.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, envelope, generate, START } from './http-helpers.js';
import { startSimulator } from './index.js';
import type { Simulator } from './index.js';

let sim: Simulator;
before(async () => { sim = await startSimulator({ startTime: START }); });
after(() => sim.close());

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** GenerateKeyResponse's fields: every one present in every answer. */
const RESPONSE_FIELDS = [
  'key', 'key_name', 'key_alias', 'duration', 'models', 'spend', 'max_budget', 'user_id', 'team_id', 'max_parallel_requests',
  'metadata', 'tpm_limit', 'rpm_limit', 'budget_duration', 'allowed_cache_controls', 'config', 'permissions',
  'model_max_budget', 'model_rpm_limit', 'model_tpm_limit', 'guardrails', 'blocked', 'aliases', 'budget_id', 'tags',
  'enforced_params', 'allowed_routes', 'soft_budget', 'send_invite_email', 'expires', 'token_id', 'litellm_budget_table',
  'token', 'created_by', 'updated_by', 'created_at', 'updated_at',
];

describe('the generated key', () => {
  test('key is sk- + 22 URL-safe characters, and differs every time', async () => {
    const a = await generate(sim);
    const b = await generate(sim);
    assert.match(a.key, /^sk-[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a.key, b.key);
  });

  test('M+ (≥1.67.1): token and token_id are the SHA-256 hex of the plaintext; key_name is sk-... + last 4', async () => {
    for (const era of ['M', 'C', 'N', 'N2', 'N3'] as const) {
      sim.era = era;
      const res = await generate(sim);
      assert.equal(res.token, sha256(res.key), era);
      assert.equal(res.token_id, res.token);
      assert.match(res.token, /^[0-9a-f]{64}$/);
      assert.equal(res.key_name, `sk-...${res.key.slice(-4)}`);
    }
    sim.era = 'N3';
  });

  test('L (≤1.67.0): token is the plaintext key itself; token_id is still the hash, and the database stores the hash', async () => {
    sim.era = 'L';
    try {
      const res = await generate(sim);
      assert.equal(res.token, res.key);
      assert.equal(res.token_id, sha256(res.key));
      assert.ok(sim.keys().some((k) => k.token === sha256(res.key)));
      assert.ok(!JSON.stringify(sim.keys()).includes(res.key), '!JSON.stringify(sim.keys()).includes(res.key) is set');
    } finally {
      sim.era = 'N3';
    }
  });

  test('duration is always null in the answer, whatever was sent', async () => {
    assert.equal((await generate(sim, { duration: '60s' })).duration, null);
  });

  test('every field of the response model is present; unset ones are null', async () => {
    const res = await generate(sim, {});
    for (const field of RESPONSE_FIELDS) assert.ok(field in res, `missing ${field}`);
    for (const field of ['key_alias', 'duration', 'max_budget', 'user_id', 'team_id', 'tpm_limit', 'rpm_limit', 'budget_duration', 'blocked', 'expires']) {
      assert.equal(res[field], null, field);
    }
    assert.deepEqual(res.models, [], 'models [] = all models');
    assert.deepEqual(res.metadata, {});
    assert.equal(res.spend, 0);
  });

  test('key_alias, models, max_budget, metadata and limits echo what is stored', async () => {
    const sent = { key_alias: 'kf-dev-echo', models: ['gpt-4o'], max_budget: 1.5, metadata: { lease: 'l-1', who: 'me' }, tpm_limit: 1000, rpm_limit: 10, team_id: 't', user_id: 'u' };
    const res = await generate(sim, sent);
    for (const [field, value] of Object.entries(sent)) assert.deepEqual(res[field], value, field);
    const stored = sim.keys().find((k) => k.token === res.token);
    assert.ok(stored, 'stored is set');
    assert.equal(stored.key_alias, 'kf-dev-echo');
    assert.deepEqual(stored.metadata, { lease: 'l-1', who: 'me' });
  });

  test('expires: null without duration; with one, ISO-8601 with Z and microseconds, now + duration', async () => {
    const res = await generate(sim, { duration: '3600s' });
    assert.match(res.expires ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(Date.parse(res.expires ?? ''), sim.clock.now() + 3_600_000);
    // Exact to the microsecond: expiry and creation share the sub-second part.
    assert.equal((res.expires ?? '').slice(19), String(res.created_at).slice(19));
  });

  test('the plaintext is returned only by generate: never by info, list, block or the programmatic view', async () => {
    const { key, token } = await generate(sim, { key_alias: 'kf-plaintext-once' });
    const info = await call(sim, 'GET', `/key/info?key=${token}`);
    const list = await call(sim, 'GET', '/key/list?return_full_object=true&size=100');
    const block = await call(sim, 'POST', '/key/block', { body: { key: token } });
    for (const res of [info, list, block]) {
      assert.equal(res.status, 200);
      assert.ok(!res.text.includes(key), 'plaintext leaked');
    }
    assert.ok(!JSON.stringify(sim.keys()).includes(key), '!JSON.stringify(sim.keys()).includes(key) is set');
  });
});

describe('generate errors', () => {
  test('duplicate key_alias → 400 bad_request_error, param key_alias, the exact message', async () => {
    await generate(sim, { key_alias: 'kf-dup' });
    const res = await call(sim, 'POST', '/key/generate', { body: { key_alias: 'kf-dup' } });
    assert.equal(res.status, 400);
    assert.deepEqual(envelope(res), {
      message: "Key with alias 'kf-dup' already exists. Unique key aliases across all keys are required.",
      type: 'bad_request_error',
      param: 'key_alias',
      code: '400',
    });
  });

  test('an expired key still holds its alias; a deleted one frees it', async () => {
    await generate(sim, { key_alias: 'kf-expired-alias', duration: '1s' });
    sim.clock.advance(5_000);
    assert.equal((await call(sim, 'POST', '/key/generate', { body: { key_alias: 'kf-expired-alias' } })).status, 400);
    assert.equal((await call(sim, 'POST', '/key/delete', { body: { key_aliases: ['kf-expired-alias'] } })).status, 200);
    assert.equal((await call(sim, 'POST', '/key/generate', { body: { key_alias: 'kf-expired-alias' } })).status, 200);
  });

  test('N+ (PR in 1.80.15): max_budget < 0 → 400 "{\'error\': \'max_budget cannot be negative. Received: -1.0\'}"; 0 allowed', async () => {
    for (const era of ['N', 'N2', 'N3'] as const) {
      sim.era = era;
      const res = await call(sim, 'POST', '/key/generate', { body: { max_budget: -1 } });
      assert.equal(res.status, 400, era);
      assert.equal(envelope(res).message, "{'error': 'max_budget cannot be negative. Received: -1.0'}");
      assert.equal((await call(sim, 'POST', '/key/generate', { body: { max_budget: 0 } })).status, 200);
    }
    sim.era = 'N3';
  });

  test('L, M, C: a negative max_budget is accepted', async () => {
    for (const era of ['L', 'M', 'C'] as const) {
      sim.era = era;
      const res = await call(sim, 'POST', '/key/generate', { body: { max_budget: -1 } });
      assert.equal(res.status, 200, era);
      assert.equal((res.json as { max_budget: number }).max_budget, -1);
    }
    sim.era = 'N3';
  });

  for (const field of ['tags', 'guardrails'] as const) {
    test(`no licence: ${field} → 403 "{'error': 'This feature is only available for LiteLLM Enterprise users…'}"; empty is not a use`, async () => {
      const before = sim.keys().length;
      const res = await call(sim, 'POST', '/key/generate', { body: { [field]: ['x'] } });
      assert.equal(res.status, 403);
      assert.match(envelope(res).message, /^\{'error': 'This feature is only available for LiteLLM Enterprise users/);
      assert.equal(sim.keys().length, before, 'no key created');
      assert.equal((await call(sim, 'POST', '/key/generate', { body: { [field]: [] } })).status, 200);
    });
  }

  test('no licence: model_max_budget → 500 "…Invalid model_max_budget: You must have an enterprise license…"', async () => {
    const res = await call(sim, 'POST', '/key/generate', { body: { model_max_budget: { 'gpt-4o': 1 } } });
    assert.equal(res.status, 500);
    assert.match(envelope(res).message, /^Internal Server Error, Invalid model_max_budget: You must have an enterprise license/);
    assert.equal((await call(sim, 'POST', '/key/generate', { body: { model_max_budget: {} } })).status, 200);
  });

  test('C+ (≥1.76): a custom key must start sk- → 400 "{\'error\': "Invalid key format…Received: <key>"}"', async () => {
    const bad = await call(sim, 'POST', '/key/generate', { body: { key: 'mykey-0123456789-secret' } });
    assert.equal(bad.status, 400);
    assert.equal(envelope(bad).message, `{'error': "Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: mykey-0123456789-secret"}`);
    const custom = 'sk-custom-0123456789abcdef';
    const good = await generate(sim, { key: custom });
    assert.equal(good.key, custom);
    assert.equal(good.token, sha256(custom));
    const again = await call(sim, 'POST', '/key/generate', { body: { key: custom } });
    assert.equal(again.status, 500, 'the same key twice breaks the unique token column');
  });

  test('L, M (<1.76): any custom key is taken', async () => {
    for (const era of ['L', 'M'] as const) {
      sim.era = era;
      const res = await generate(sim, { key: `mykey-${era}-0123456789` });
      assert.equal(res.key, `mykey-${era}-0123456789`, era);
    }
    sim.era = 'N3';
  });

  test('C+ (≥1.76.3): budget_duration "Nmo" with N ≠ 1 → 500 "…Monthly resets currently only support 1 month intervals"', async () => {
    for (const era of ['C', 'N', 'N2', 'N3'] as const) {
      sim.era = era;
      const res = await call(sim, 'POST', '/key/generate', { body: { budget_duration: '2mo' } });
      assert.equal(res.status, 500, era);
      assert.equal(envelope(res).message, 'Internal Server Error, Monthly resets currently only support 1 month intervals');
      assert.equal((await call(sim, 'POST', '/key/generate', { body: { budget_duration: '1mo' } })).status, 200);
    }
    for (const era of ['L', 'M'] as const) {
      sim.era = era;
      assert.equal((await call(sim, 'POST', '/key/generate', { body: { budget_duration: '2mo' } })).status, 200, era);
    }
    sim.era = 'N3';
  });
});
