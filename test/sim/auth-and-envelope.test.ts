// The contract's "Errors" and "Authentication" sections, row by row, in both flavors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, chat, envelope, generate, START } from './http-helpers.js';
import { FLAVORS, startSimulator } from './index.js';
import type { Simulator } from './index.js';

let sim: Simulator;
before(async () => { sim = await startSimulator({ startTime: START }); });
after(() => sim.close());

for (const flavor of FLAVORS) {
  describe(`error envelope (${flavor})`, () => {
    test('code is the status as a string in current, an integer in older; param is the string "None"', async () => {
      sim.flavor = flavor;
      const res = await call(sim, 'GET', '/key/list', { key: null });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(Object.keys(res.json as object), ['error']);
      const error = envelope(res);
      assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type']);
      assert.equal(error.code, flavor === 'current' ? '401' : 401);
      assert.equal(error.param, 'None');
    });
  });

  describe(`authentication table (${flavor})`, () => {
    const code = (status: number) => (flavor === 'current' ? String(status) : status);

    test('no key → 401 auth_error "Authentication Error, No api key passed in."', async () => {
      sim.flavor = flavor;
      for (const [method, path] of [['GET', '/key/list'], ['POST', '/key/generate'], ['GET', '/v1/models'], ['POST', '/chat/completions']] as const) {
        const res = await call(sim, method, path, { key: null, body: {} });
        assert.equal(res.status, 401, path);
        const error = envelope(res);
        assert.equal(error.type, 'auth_error');
        assert.ok(error.message.startsWith('Authentication Error, No api key passed in.'), error.message);
        assert.equal(error.code, code(401));
      }
    });

    test("wrong key not starting sk- → 401 auth_error with the key masked as abcd****wxyz", async () => {
      sim.flavor = flavor;
      const res = await call(sim, 'GET', '/key/list', { key: 'abcdefghijklmnopqrstuvwxyz' });
      assert.equal(res.status, 401);
      const error = envelope(res);
      assert.equal(error.type, 'auth_error');
      assert.ok(error.message.startsWith("LiteLLM Virtual Key expected. Received=abcd****wxyz, expected to start with 'sk-'."), error.message);
      assert.ok(!res.text.includes('efghijklmnopqrstuv'), 'the middle of the key is never echoed');
    });

    test('sk- key not in the database → 401 token_not_found_in_db, key never echoed in full', async () => {
      sim.flavor = flavor;
      const unknown = 'sk-NotARealKeyAtAll12345';
      const res = await call(sim, 'GET', '/key/list', { key: unknown });
      assert.equal(res.status, 401);
      const error = envelope(res);
      assert.equal(error.type, 'token_not_found_in_db');
      assert.ok(error.message.startsWith('Authentication Error, Invalid proxy server token passed.'), error.message);
      assert.ok(!res.text.includes(unknown));
    });

    test('a token hash is not a credential: it fails the sk- check', async () => {
      sim.flavor = flavor;
      const { token } = await generate(sim);
      const res = await chat(sim, token);
      assert.equal(res.status, 401);
      assert.match(envelope(res).message, /^LiteLLM Virtual Key expected/);
    });
  });
}

describe('where the key is read from', () => {
  test('Authorization needs the Bearer prefix', async () => {
    sim.flavor = 'current';
    const res = await call(sim, 'GET', '/key/list', { key: null, headers: { authorization: sim.masterKey } });
    assert.equal(res.status, 401);
    assert.match(envelope(res).message, /Malformed API Key passed in\. Ensure Key has `Bearer ` prefix/);
    assert.ok(!res.text.includes(sim.masterKey));
    assert.equal((await call(sim, 'GET', '/key/list', { key: null, headers: { authorization: `Bearer ${sim.masterKey}` } })).status, 200);
  });

  test('x-litellm-api-key works with and without the Bearer prefix', async () => {
    for (const value of [sim.masterKey, `Bearer ${sim.masterKey}`]) {
      const res = await call(sim, 'GET', '/key/list', { key: null, headers: { 'x-litellm-api-key': value } });
      assert.equal(res.status, 200, value);
    }
  });

  test('x-litellm-api-key wins over Authorization, both ways', async () => {
    const wins = await call(sim, 'GET', '/key/list', { key: 'not-the-master-key', headers: { 'x-litellm-api-key': sim.masterKey } });
    assert.equal(wins.status, 200);
    const loses = await call(sim, 'GET', '/key/list', { key: sim.masterKey, headers: { 'x-litellm-api-key': 'sk-wrongwrongwrong' } });
    assert.equal(loses.status, 401);
    assert.equal(envelope(loses).type, 'token_not_found_in_db');
  });

  test('a virtual key cannot use the admin routes', async () => {
    const { key } = await generate(sim);
    for (const [method, path] of [['POST', '/key/generate'], ['GET', '/key/list'], ['POST', '/key/delete']] as const) {
      const res = await call(sim, method, path, { key, body: { keys: [key] } });
      assert.equal(res.status, 401, path);
      assert.equal(envelope(res).type, 'auth_error');
      assert.match(envelope(res).message, /Only proxy admin/);
    }
    assert.equal(sim.keys().filter((k) => k.key_name === `sk-...${key.slice(-4)}`).length, 1, 'still there');
  });

  test('the master key can be rotated at runtime', async () => {
    const old = sim.masterKey;
    sim.masterKey = 'sk-rotated-master';
    try {
      assert.equal((await call(sim, 'GET', '/key/list', { key: old })).status, 401);
      assert.equal((await call(sim, 'GET', '/key/list', { key: 'sk-rotated-master' })).status, 200);
    } finally {
      sim.masterKey = old;
    }
  });
});

describe('FastAPI answers', () => {
  test('unknown path → 404 {"detail":"Not Found"}; wrong method → 405', async () => {
    const missing = await call(sim, 'GET', '/key/nothing');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { detail: 'Not Found' });
    const wrongMethod = await call(sim, 'GET', '/key/generate');
    assert.equal(wrongMethod.status, 405);
    assert.deepEqual(wrongMethod.json, { detail: 'Method Not Allowed' });
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
  });

  test('malformed JSON → 422 json_invalid, before authentication', async () => {
    const res = await call(sim, 'POST', '/key/generate', { key: null, rawBody: '{"models": [' });
    assert.equal(res.status, 422);
    const detail = (res.json as { detail: Array<{ type: string; loc: unknown[]; msg: string }> }).detail;
    assert.equal(detail[0]?.type, 'json_invalid');
    assert.equal(detail[0]?.msg, 'JSON decode error');
    assert.equal(detail[0]?.loc[0], 'body');
  });

  test('wrong types → 422 detail items {type, loc, msg, input}; every bad field listed', async () => {
    const res = await call(sim, 'POST', '/key/generate', { body: { models: 'gpt-4o', max_budget: 'lots', duration: 30, metadata: [] } });
    assert.equal(res.status, 422);
    const detail = (res.json as { detail: Array<{ type: string; loc: unknown[]; msg: string; input: unknown }> }).detail;
    const byField = Object.fromEntries(detail.map((d) => [d.loc.join('.'), d]));
    assert.equal(byField['body.models']?.type, 'list_type');
    assert.equal(byField['body.max_budget']?.type, 'float_parsing');
    assert.equal(byField['body.duration']?.type, 'string_type');
    assert.equal(byField['body.metadata']?.type, 'dict_type');
    assert.equal(byField['body.duration']?.input, 30);
    assert.equal(detail.length, 4);
  });

  test('pydantic lax mode: numeric strings are numbers, a body that is not an object is rejected', async () => {
    const lax = await call(sim, 'POST', '/key/generate', { body: { max_budget: '2.5', tpm_limit: '10' } });
    assert.equal(lax.status, 200);
    assert.equal((lax.json as { max_budget: number }).max_budget, 2.5);
    assert.equal((lax.json as { tpm_limit: number }).tpm_limit, 10);
    const notObject = await call(sim, 'POST', '/key/generate', { body: ['x'] });
    assert.equal(notObject.status, 422);
    assert.equal((notObject.json as { detail: Array<{ type: string }> }).detail[0]?.type, 'model_attributes_type');
  });

  test('a body is JSON only without a content type or with a JSON one; anything else is a 422', async () => {
    const body = JSON.stringify({ key_alias: 'content-type-check' });
    const form = await call(sim, 'POST', '/key/generate', { rawBody: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 422);
    assert.equal((form.json as { detail: Array<{ type: string }> }).detail[0]?.type, 'model_attributes_type');
    const vendorJson = await call(sim, 'POST', '/key/generate', { rawBody: body, headers: { 'content-type': 'application/vnd.api+json; charset=utf-8' } });
    assert.equal(vendorJson.status, 200);
    const none = await fetch(`${sim.url}/key/update`, { method: 'POST', headers: { authorization: `Bearer ${sim.masterKey}` }, body: new Uint8Array(Buffer.from(JSON.stringify({ key: (vendorJson.json as { token: string }).token }))) });
    assert.equal(none.status, 200, 'no content type at all is read as JSON');
  });

  test('a required body that is missing → 422 missing at ["body"]', async () => {
    const res = await call(sim, 'POST', '/key/update');
    assert.equal(res.status, 422);
    assert.deepEqual((res.json as { detail: unknown[] }).detail, [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
  });

  test('unknown JSON fields are silently ignored', async () => {
    const res = await call(sim, 'POST', '/key/generate', { body: { key_alias: 'unknown-fields', frobnicate: true, nested: { a: 1 } } });
    assert.equal(res.status, 200);
    assert.ok(!('frobnicate' in (res.json as object)));
  });
});

describe('no-database mode', () => {
  let noDb: Simulator;
  before(async () => { noDb = await startSimulator({ database: false, startTime: START }); });
  after(() => noDb.close());

  const rows: Array<[string, string, unknown, number, RegExp]> = [
    ['POST', '/key/generate', {}, 500, /^DB not connected/],
    ['GET', '/key/list', undefined, 500, /^DB not connected/],
    ['GET', '/key/info?key=sk-abcdefgh1234', undefined, 500, /^DB not connected/],
    ['POST', '/key/update', { key: 'sk-abcdefgh1234', duration: '1h' }, 400, /^Not connected to DB!/],
    ['POST', '/key/delete', { keys: ['sk-abcdefgh1234'] }, 400, /^Not connected to DB!/],
    ['POST', '/key/block', { key: 'sk-abcdefgh1234' }, 400, /^Not connected to DB!/],
    ['POST', '/key/unblock', { key: 'sk-abcdefgh1234' }, 400, /^Not connected to DB!/],
  ];
  for (const [method, path, body, status, message] of rows) {
    test(`${method} ${path} with the master key → ${status} ${message}`, async () => {
      const res = await call(noDb, method, path, { body });
      assert.equal(res.status, status);
      assert.match(envelope(res).message, message);
    });
  }

  test('the master key still authenticates: /v1/models answers', async () => {
    const res = await call(noDb, 'GET', '/v1/models');
    assert.equal(res.status, 200);
    assert.equal((res.json as { data: unknown[] }).data.length, 3);
  });

  test('a virtual key cannot be checked without a database → "No connected db."', async () => {
    const res = await chat(noDb, 'sk-someVirtualKey1234');
    assert.equal(res.status, 400);
    assert.match(envelope(res).message, /^No connected db\./);
  });

  test('readiness reports db "Not connected"; liveliness still answers', async () => {
    const ready = await call(noDb, 'GET', '/health/readiness', { key: null });
    assert.equal(ready.status, 200);
    assert.equal((ready.json as { db: string }).db, 'Not connected');
    assert.equal((await call(noDb, 'GET', '/health/liveliness', { key: null })).status, 200);
  });

  test('losing the database at runtime keeps the keys but fails /key/* until it is back', async () => {
    const lost = await startSimulator({ startTime: START });
    try {
      const { key } = await generate(lost);
      lost.databaseConnected = false;
      assert.equal((await call(lost, 'GET', `/key/info?key=${key}`)).status, 500);
      assert.equal((await chat(lost, key)).status, 400);
      assert.equal(lost.keys().length, 1);
      lost.databaseConnected = true;
      assert.equal((await call(lost, 'GET', `/key/info?key=${key}`)).status, 200);
      assert.equal((await chat(lost, key)).status, 200);
    } finally {
      await lost.close();
    }
  });
});
