// The contract's "Error envelope" and "Authentication" sections, one row at a time, in the eras where the row differs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, chat, envelope, generate, START } from './http-helpers.js';
import { ERAS, startSimulator } from './index.js';
import type { SimEra, Simulator } from './index.js';

let sim: Simulator;
before(async () => { sim = await startSimulator({ startTime: START }); });
after(() => sim.close());

/** Runs `body` with the simulator in `era`, then puts it back to N3. */
async function inEra(era: SimEra, body: () => Promise<void>): Promise<void> {
  sim.era = era;
  try {
    await body();
  } finally {
    sim.era = 'N3';
  }
}

describe('error envelope', () => {
  for (const era of ERAS) {
    test(`${era}: {"error": {message, type, param, code}}, code the status as a string, param the string "None"`, () => inEra(era, async () => {
      const res = await call(sim, 'GET', '/key/list', { key: null });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(Object.keys(res.json as object), ['error']);
      const error = envelope(res);
      assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type']);
      assert.equal(error.code, '401');
      assert.equal(error.param, 'None');
    }));
  }

  test('every answer carries the era\'s release in x-litellm-version', async () => {
    const seen = new Set<string>();
    for (const era of ERAS) {
      await inEra(era, async () => {
        const version = (await call(sim, 'GET', '/health/liveliness', { key: null })).headers.get('x-litellm-version') ?? '';
        assert.match(version, /^1\.\d+\.\d+$/);
        seen.add(version);
      });
    }
    assert.equal(seen.size, ERAS.length, 'one release per era');
  });
});

describe('authentication table', () => {
  test('no key → 401 auth_error "Authentication Error, No api key passed in." (every era, every route)', async () => {
    for (const era of ERAS) {
      await inEra(era, async () => {
        for (const [method, path] of [['GET', '/key/list'], ['POST', '/key/generate'], ['GET', '/v1/models'], ['POST', '/chat/completions']] as const) {
          const res = await call(sim, method, path, { key: null, body: {} });
          assert.equal(res.status, 401, `${era} ${path}`);
          assert.equal(envelope(res).type, 'auth_error');
          assert.equal(envelope(res).message, 'Authentication Error, No api key passed in.');
        }
      });
    }
  });

  const malformed: Record<SimEra, boolean> = { L: true, M: true, C: false, N: false, N2: false, N3: false };
  for (const era of ERAS) {
    test(`${era}: Authorization without "Bearer " → 401 Malformed${malformed[era] ? ', " Passed in: <header>" appended (≤1.74)' : ''}`, () => inEra(era, async () => {
      const res = await call(sim, 'GET', '/key/list', { key: null, headers: { authorization: 'Token sk-abc' } });
      assert.equal(res.status, 401);
      const expected = 'Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.';
      assert.equal(envelope(res).message, malformed[era] ? `${expected} Passed in: Token sk-abc` : expected);
    }));
  }

  for (const era of ERAS) {
    const masked = era === 'N3';
    test(`${era}: a key not starting sk- → 401 auth_error, ${masked ? 'Received=abcd****wxyz, no prefix' : 'the full key echoed after "Authentication Error, "'}`, () => inEra(era, async () => {
      const res = await call(sim, 'GET', '/key/list', { key: 'abcdefghijklmnopqrstuvwxyz' });
      assert.equal(res.status, 401);
      assert.equal(envelope(res).type, 'auth_error');
      assert.equal(envelope(res).message, masked
        ? "LiteLLM Virtual Key expected. Received=abcd****wxyz, expected to start with 'sk-'."
        : "Authentication Error, LiteLLM Virtual Key expected. Received=abcdefghijklmnopqrstuvwxyz, expected to start with 'sk-'.");
    }));
  }

  test('L (≤1.63): an unknown sk- key → 401 auth_error "…Key doesn\'t exist in db. key=<hash>…"', () => inEra('L', async () => {
    const res = await call(sim, 'GET', '/key/list', { key: 'sk-NotARealKeyAtAll12345' });
    assert.equal(res.status, 401);
    assert.equal(envelope(res).type, 'auth_error');
    assert.match(envelope(res).message, /^Authentication Error, .*Key doesn't exist in db\. key=[0-9a-f]{64}/);
    assert.ok(!res.text.includes('sk-NotARealKeyAtAll12345'));
  }));

  for (const era of ['M', 'C', 'N', 'N2', 'N3'] as const) {
    test(`${era} (≥1.71): an unknown sk- key → 401 token_not_found_in_db, sk-...wxyz and the hash, never the whole key`, () => inEra(era, async () => {
      const unknown = 'sk-NotARealKeyAtAll12345';
      const res = await call(sim, 'GET', '/key/list', { key: unknown });
      assert.equal(res.status, 401);
      assert.equal(envelope(res).type, 'token_not_found_in_db');
      assert.match(envelope(res).message,
        /^Authentication Error, Invalid proxy server token passed\. Received API Key = sk-\.\.\.2345, Key Hash \(Token\) =[0-9a-f]{64}\. Unable to find token in cache or `LiteLLM_VerificationTokenTable`$/);
      assert.ok(!res.text.includes(unknown), '!res.text.includes(unknown) is set');
    }));
  }

  for (const era of ERAS) {
    const wording = era === 'N3' ? "if you're an admin." : "if you're admin.";
    test(`${era}: a blocked key → 401 "Key is blocked. Update via \`/key/unblock\` ${wording}"`, () => inEra(era, async () => {
      const { key } = await generate(sim, { blocked: true });
      const res = await chat(sim, key);
      assert.equal(res.status, 401);
      assert.equal(envelope(res).message, `Authentication Error, Key is blocked. Update via \`/key/unblock\` ${wording}`);
    }));
  }

  const expired: Record<SimEra, number> = { L: 400, M: 400, C: 400, N: 400, N2: 400, N3: 401 };
  for (const era of ERAS) {
    test(`${era}: an expired key on an admin route → ${expired[era]} expired_key, param ${era === 'N3' ? 'sk-...wxyz' : 'the key\'s hash'}`, () => inEra(era, async () => {
      const { key, token_id: tokenId } = await generate(sim, { duration: '1s' });
      sim.clock.advance(1000);
      const res = await call(sim, 'GET', '/key/info', { key });
      assert.equal(res.status, expired[era]);
      assert.equal(envelope(res).type, 'expired_key');
      assert.match(envelope(res).message, /^Authentication Error - Expired Key\. Key Expiry time \S+ and current time \S+$/);
      assert.equal(envelope(res).param, era === 'N3' ? `sk-...${key.slice(-4)}` : tokenId);
    }));
  }

  test('L (<1.67.5): the budget is checked on every route — an over-budget key is refused /key/info; M: only LLM routes', async () => {
    for (const [era, status] of [['L', 400], ['M', 200]] as const) {
      await inEra(era, async () => {
        const { key } = await generate(sim, { max_budget: 0 });
        const res = await call(sim, 'GET', '/key/info', { key });
        assert.equal(res.status, status, era);
        if (status === 400) assert.equal(envelope(res).type, 'budget_exceeded');
      });
    }
  });

  test('a token hash is not a credential: it fails the sk- check', async () => {
    const { token_id: tokenId } = await generate(sim);
    const res = await chat(sim, tokenId);
    assert.equal(res.status, 401);
    assert.match(envelope(res).message, /LiteLLM Virtual Key expected/);
  });
});

describe('where the key is read from', () => {
  test('Authorization takes "Bearer ", "bearer " and "Basic " (verbatim, not base64-decoded)', async () => {
    for (const prefix of ['Bearer ', 'bearer ', 'Basic ']) {
      const res = await call(sim, 'GET', '/key/list', { key: null, headers: { authorization: `${prefix}${sim.masterKey}` } });
      assert.equal(res.status, 200, prefix);
    }
  });

  test('M+ (≥1.67.5): x-litellm-api-key, "Bearer " optional, wins over Authorization', () => inEra('M', async () => {
    for (const value of [sim.masterKey, `Bearer ${sim.masterKey}`]) {
      assert.equal((await call(sim, 'GET', '/key/list', { key: null, headers: { 'x-litellm-api-key': value } })).status, 200, value);
    }
    const wins = await call(sim, 'GET', '/key/list', { key: 'not-the-master-key', headers: { 'x-litellm-api-key': sim.masterKey } });
    assert.equal(wins.status, 200);
    const loses = await call(sim, 'GET', '/key/list', { key: sim.masterKey, headers: { 'x-litellm-api-key': 'sk-wrongwrongwrong' } });
    assert.equal(loses.status, 401);
    assert.equal(envelope(loses).type, 'token_not_found_in_db');
  }));

  test('L: x-litellm-api-key is ignored — alone it is "no key", beside Authorization it loses', () => inEra('L', async () => {
    const alone = await call(sim, 'GET', '/key/list', { key: null, headers: { 'x-litellm-api-key': sim.masterKey } });
    assert.equal(alone.status, 401);
    assert.equal(envelope(alone).message, 'Authentication Error, No api key passed in.');
    const beside = await call(sim, 'GET', '/key/list', { key: sim.masterKey, headers: { 'x-litellm-api-key': 'sk-wrongwrongwrong' } });
    assert.equal(beside.status, 200);
  }));

  test('without Authorization: API-Key, x-api-key, x-goog-api-key, Ocp-Apim-Subscription-Key are read', async () => {
    for (const name of ['api-key', 'x-api-key', 'x-goog-api-key', 'ocp-apim-subscription-key']) {
      assert.equal((await call(sim, 'GET', '/key/list', { key: null, headers: { [name]: sim.masterKey } })).status, 200, name);
    }
  });

  test('a non-Bearer Authorization stops the search: x-api-key is not tried', async () => {
    const res = await call(sim, 'GET', '/key/list', { key: null, headers: { authorization: 'Token x', 'x-api-key': sim.masterKey } });
    assert.equal(res.status, 401);
    assert.match(envelope(res).message, /Malformed API Key/);
  });

  test('litellm_key_header_name: only that header is read (Bearer optional); Authorization is ignored', async () => {
    const custom = await startSimulator({ startTime: START, keyHeaderName: 'X-Gateway-Key' });
    try {
      assert.equal((await call(custom, 'GET', '/key/list', { key: null, headers: { 'x-gateway-key': custom.masterKey } })).status, 200);
      assert.equal((await call(custom, 'GET', '/key/list', { key: null, headers: { 'x-gateway-key': `Bearer ${custom.masterKey}` } })).status, 200);
      const ignored = await call(custom, 'GET', '/key/list');
      assert.equal(ignored.status, 401);
      assert.equal(envelope(ignored).message, 'Authentication Error, No api key passed in.');
      assert.equal((await call(custom, 'GET', '/key/list', { key: null, headers: { 'x-litellm-api-key': custom.masterKey } })).status, 401);
    } finally {
      await custom.close();
    }
  });

  const denied: Record<SimEra, number> = { L: 401, M: 401, C: 401, N: 401, N2: 401, N3: 403 };
  for (const era of ERAS) {
    test(`${era}: a key without a user cannot manage keys → ${denied[era]} "Only proxy admin…"`, () => inEra(era, async () => {
      const { key } = await generate(sim);
      for (const [method, path] of [['POST', '/key/generate'], ['POST', '/key/delete'], ['POST', '/key/update']] as const) {
        const res = await call(sim, method, path, { key, body: { keys: [key], key } });
        assert.equal(res.status, denied[era], path);
        assert.equal(envelope(res).type, 'auth_error');
        assert.equal(envelope(res).message,
          `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${path}. Your role=None. Your user_id=None`);
      }
      assert.equal(sim.keys().filter((k) => k.key_name === `sk-...${key.slice(-4)}`).length, 1, 'still there');
    }));
  }

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

