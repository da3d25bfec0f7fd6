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

  test('token and token_id are the SHA-256 hex of the plaintext; key_name is sk-... + last 4', async () => {
    const res = await generate(sim);
    assert.equal(res.token, sha256(res.key));
    assert.equal(res.token_id, res.token);
    assert.match(res.token, /^[0-9a-f]{64}$/);
    assert.equal(res.key_name, `sk-...${res.key.slice(-4)}`);
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
    assert.ok(stored);
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
    assert.ok(!JSON.stringify(sim.keys()).includes(key));
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

  test('max_budget < 0 → 400; 0 is allowed', async () => {
    const res = await call(sim, 'POST', '/key/generate', { body: { max_budget: -1 } });
    assert.equal(res.status, 400);
    assert.equal(envelope(res).type, 'bad_request_error');
    assert.equal((await call(sim, 'POST', '/key/generate', { body: { max_budget: 0 } })).status, 200);
  });

  for (const [field, value] of [['tags', ['team-a']], ['model_max_budget', { 'gpt-4o': 1 }], ['guardrails', ['pii']]] as const) {
    test(`Enterprise field ${field} → 403; left empty it is not a feature in use`, async () => {
      const before = sim.keys().length;
      const res = await call(sim, 'POST', '/key/generate', { body: { [field]: value } });
      assert.equal(res.status, 403);
      assert.match(envelope(res).message, /Enterprise/);
      assert.equal(sim.keys().length, before, 'no key created');
      const empty = Array.isArray(value) ? [] : {};
      assert.equal((await call(sim, 'POST', '/key/generate', { body: { [field]: empty } })).status, 200);
    });
  }

  test('a custom key must start sk-; one that does is stored under its hash', async () => {
    const bad = await call(sim, 'POST', '/key/generate', { body: { key: 'mykey-0123456789-secret' } });
    assert.equal(bad.status, 400);
    assert.match(envelope(bad).message, /must start with 'sk-'/);
    assert.ok(!bad.text.includes('0123456789-secret'), 'not echoed in full');
    const custom = 'sk-custom-0123456789abcdef';
    const good = await generate(sim, { key: custom });
    assert.equal(good.key, custom);
    assert.equal(good.token, sha256(custom));
    const again = await call(sim, 'POST', '/key/generate', { body: { key: custom } });
    assert.equal(again.status, 500, 'the same key twice breaks the unique token column');
  });
});
