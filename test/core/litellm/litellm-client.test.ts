// The admin client against the project's LiteLLM simulator, over real sockets, in both flavors.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { KeyfobError, type ErrorKind } from '../../../main/core/errors.js';
import { LiteLLMClient, tokenHash } from '../../../main/core/litellm/litellm-client.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { rejectsWithKind } from '../support/keyfob-rejection.js';

const MASTER = 'sk-admin-master-0001';

async function rejectsWith(promise: Promise<unknown>, kind: ErrorKind, message?: RegExp): Promise<KeyfobError> {
  const e = await rejectsWithKind(promise, kind, message);
  assert.equal(e.cause, undefined, 'never carries the axios error (its config holds the admin key)');
  assert.doesNotMatch(JSON.stringify({ ...e.toJSON(), stack: e.stack }), /sk-admin-master-0001/);
  return e;
}

for (const flavor of ['current', 'older'] as const) {
  describe(`against the simulator (${flavor})`, () => {
    let sim: Simulator;
    let client: LiteLLMClient;
    before(async () => {
      sim = await startSimulator({ masterKey: MASTER, flavor });
      client = new LiteLLMClient({ baseUrl: sim.url, adminKey: MASTER, timeoutMs: 5_000 }, {});
    });
    after(async () => sim.close());
    beforeEach(() => {
      sim.clearFaults();
      sim.masterKey = MASTER;
    });

    test('verifyAdmin passes with the master key, sent as Bearer', async () => {
      await client.verifyAdmin();
      const last = sim.requests.at(-1)!;
      assert.equal(last.path, '/key/list');
      assert.equal(last.query.size, '1');
      assert.equal(last.auth, 'master');
    });

    test('a rotated master key → admin-key-rejected, the key never in the error', async () => {
      sim.masterKey = 'sk-rotated-9999';
      const e = await rejectsWith(client.verifyAdmin(), 'admin-key-rejected', /rejected the admin key \(401\)/);
      assert.equal(e.status, 401);
      assert.ok(e.hint, 'e.hint is set');
    });

    test('a non-sk admin key → admin-key-rejected with the server reason, redacted', async () => {
      const wrong = new LiteLLMClient({ baseUrl: sim.url, adminKey: 'abcd-not-a-key-wxyz' }, {});
      const e = await rejectsWith(wrong.verifyAdmin(), 'admin-key-rejected');
      assert.doesNotMatch(e.message, /abcd-not-a-key-wxyz/);
    });

    test('generateKey returns the key, its hash and a normalised expiry', async () => {
      const alias = `keyfob-dev-${flavor}-gen`;
      const start = sim.clock.now();
      const g = await client.generateKey({ models: ['gpt-4o'], key_alias: alias, metadata: { keyfob_lease_id: 'x' }, duration: '3600s', max_budget: 2.5 });
      assert.match(g.key, /^sk-/);
      assert.equal(g.token, tokenHash(g.key));
      assert.equal(g.key_alias, alias);
      assert.match(g.expires!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(Date.parse(g.expires!), Math.floor((start + 3_600_000)));
      const row = sim.keys().find((k) => k.key_alias === alias)!;
      assert.deepEqual(row.models, ['gpt-4o']);
      assert.equal(row.max_budget, 2.5);
      assert.deepEqual(row.metadata, { keyfob_lease_id: 'x' });
    });

    test('generateKey without a duration gives expires null', async () => {
      const g = await client.generateKey({ models: [], key_alias: `keyfob-forever-${flavor}`, metadata: {} });
      assert.equal(g.expires, null);
    });

    test('a taken alias → alias-taken', async () => {
      const req = { models: [], key_alias: `keyfob-dup-${flavor}`, metadata: {}, duration: '60s' };
      await client.generateKey(req);
      const e = await rejectsWith(client.generateKey(req), 'alias-taken', /already exists/);
      assert.equal(e.status, 400);
    });

    test('an invalid duration (500 in current releases) → invalid-request with the reason', async () => {
      await rejectsWith(client.generateKey({ models: [], key_alias: `keyfob-baddur-${flavor}`, metadata: {}, duration: 'soon' }),
        'invalid-request', /duration/i);
    });

    test('a negative budget → invalid-request (400) with the reason', async () => {
      const e = await rejectsWith(client.generateKey({ models: [], key_alias: `keyfob-neg-${flavor}`, metadata: {}, max_budget: -1 }), 'invalid-request');
      assert.equal(e.status, 400);
    });

    test('a body FastAPI refuses (422) → invalid-request naming the field', async () => {
      const e = await rejectsWith(
        client.generateKey({ models: [], key_alias: `keyfob-422-${flavor}`, metadata: {}, tpm_limit: 1.5 }),
        'invalid-request', /tpm_limit/);
      assert.equal(e.status, 422);
    });

    test('renewKey re-bases the expiry on the server clock, normalised to Z', async () => {
      const g = await client.generateKey({ models: [], key_alias: `keyfob-renew-${flavor}`, metadata: {}, duration: '60s' });
      sim.clock.advance(30_000);
      const now = sim.clock.now();
      const { expires } = await client.renewKey(g.token, 600);
      assert.match(expires!, /Z$/);
      assert.equal(Date.parse(expires!), now + 600_000);
      const sent = sim.requests.at(-1)!;
      assert.deepEqual((sent.body as Record<string, unknown>).duration, '600s');
    });

    test('renewKey on an unknown key → not-found (404 now, 401 "does not exist in db" before)', async () => {
      const e = await rejectsWith(client.renewKey('0'.repeat(64), 60), 'not-found');
      assert.equal(e.status, flavor === 'current' ? 404 : 401);
    });

    test('keyInfo by hash, and by plaintext (sent as its hash, never in the query string)', async () => {
      const g = await client.generateKey({ models: ['gpt-4o-mini'], key_alias: `keyfob-info-${flavor}`, metadata: { a: 'b' }, duration: '120s', max_budget: 3 });
      const byHash = await client.keyInfo(g.token);
      const byKey = await client.keyInfo(g.key);
      assert.deepEqual(byHash, byKey);
      assert.equal(sim.requests.at(-1)!.query.key, g.token);
      assert.equal(byHash.key_alias, `keyfob-info-${flavor}`);
      assert.equal(byHash.spend, 0);
      assert.equal(byHash.max_budget, 3);
      assert.deepEqual(byHash.models, ['gpt-4o-mini']);
      assert.equal(byHash.blocked, false);
      assert.equal(byHash.expires, g.expires);
    });

    test('keyInfo on an unknown key → not-found', async () => {
      await rejectsWith(client.keyInfo('f'.repeat(64)), 'not-found');
    });

    test('deleteKeys: deleted, then 404 on the second try means already gone', async () => {
      const g = await client.generateKey({ models: [], key_alias: `keyfob-del-${flavor}`, metadata: {}, duration: '60s' });
      assert.deepEqual(await client.deleteKeys({ keys: [g.token] }), { alreadyGone: false });
      assert.equal(sim.keys().some((k) => k.token === g.token), false);
      assert.deepEqual(await client.deleteKeys({ keys: [g.token] }), { alreadyGone: true });
    });

    test('deleteKeys by alias', async () => {
      const alias = `keyfob-delalias-${flavor}`;
      await client.generateKey({ models: [], key_alias: alias, metadata: {}, duration: '60s' });
      assert.deepEqual(await client.deleteKeys({ key_aliases: [alias] }), { alreadyGone: false });
      assert.deepEqual(await client.deleteKeys({ key_aliases: [alias] }), { alreadyGone: true });
    });

    test('deleteKeys refuses an empty list before calling', async () => {
      await rejectsWith(client.deleteKeys({ keys: [] }), 'internal');
    });

    test('listKeys and listModels', async () => {
      const alias = `keyfob-list-${flavor}`;
      const g = await client.generateKey({ models: [], key_alias: alias, metadata: {}, duration: '60s' });
      const page = await client.listKeys({ key_alias: alias });
      assert.equal(page.total_count, 1);
      assert.deepEqual(page.keys, [g.token]);
      const full = await client.listKeys({ key_alias: alias, return_full_object: true });
      assert.equal((full.keys[0] as Record<string, unknown>).key_alias, alias);
      assert.deepEqual(await client.listModels(), [...sim.models]);
      await rejectsWith(client.listKeys({ size: 101 }), 'internal');
    });

    test('health: alive, database connected', async () => {
      assert.deepEqual(await client.health(), { alive: true, db_connected: true });
    });

    test('faults: a reset connection → unreachable ("reset")', async () => {
      sim.fault('/key/generate', { kind: 'reset' });
      await rejectsWith(client.generateKey({ models: [], key_alias: `keyfob-reset-${flavor}`, metadata: {} }), 'unreachable', /reset/);
    });

    test('faults: a hung request → timeout after the client timeout', async () => {
      const quick = new LiteLLMClient({ baseUrl: sim.url, adminKey: MASTER, timeoutMs: 300 }, {});
      sim.fault('/key/list', { kind: 'hang' });
      const e = await rejectsWith(quick.verifyAdmin(), 'timeout', /did not answer within 0\.3 s/);
      assert.equal(e.status, undefined);
    });

    test('faults: a text/plain 500 → server-error with the text', async () => {
      sim.fault('/key/generate', { kind: 'fail', status: 500, contentType: 'text', body: 'Internal Server Error' });
      const e = await rejectsWith(client.generateKey({ models: [], key_alias: `keyfob-500-${flavor}`, metadata: {} }), 'server-error', /\(500\): Internal Server Error/);
      assert.equal(e.status, 500);
    });

    test('faults: a JSON 503 envelope → server-error', async () => {
      sim.fault('/key/update', { kind: 'fail', status: 503 });
      await rejectsWith(client.renewKey('a'.repeat(64), 60), 'server-error');
    });

    test('a flavor switch at runtime is absorbed', async () => {
      sim.flavor = flavor === 'current' ? 'older' : 'current';
      try {
        await rejectsWith(client.keyInfo('e'.repeat(64)), 'not-found');
      } finally {
        sim.flavor = flavor;
      }
    });
  });
}

describe('a proxy without a database', () => {
  let sim: Simulator;
  let client: LiteLLMClient;
  before(async () => {
    sim = await startSimulator({ masterKey: MASTER, database: false });
    client = new LiteLLMClient({ baseUrl: sim.url, adminKey: MASTER }, {});
  });
  after(async () => sim.close());

  test('verifyAdmin → no-database, saying what to do', async () => {
    const e = await rejectsWith(client.verifyAdmin(), 'no-database', /set DATABASE_URL on the proxy/);
    assert.match(e.message, /DB not connected/);
  });
  test('generateKey → no-database', async () => {
    await rejectsWith(client.generateKey({ models: [], key_alias: 'keyfob-nodb', metadata: {} }), 'no-database');
  });
  test('deleteKeys → no-database, never "already gone"', async () => {
    await rejectsWith(client.deleteKeys({ keys: ['a'.repeat(64)] }), 'no-database', /Not connected to DB!/);
  });
  test('renewKey → no-database', async () => {
    await rejectsWith(client.renewKey('a'.repeat(64), 60), 'no-database');
  });
  test('health still answers: alive, database not connected', async () => {
    assert.deepEqual(await client.health(), { alive: true, db_connected: false });
  });
  test('the database going away at runtime is seen', async () => {
    sim.databaseConnected = true;
    await client.verifyAdmin();
    sim.databaseConnected = false;
    await rejectsWith(client.verifyAdmin(), 'no-database');
  });
});

describe('client options', () => {
  test('the base URL is validated and normalised', () => {
    assert.equal(new LiteLLMClient({ baseUrl: 'http://127.0.0.1:4000/v1/', adminKey: MASTER }).baseUrl, 'http://127.0.0.1:4000/v1');
    assert.throws(() => new LiteLLMClient({ baseUrl: 'https://u:p@x.example', adminKey: MASTER }),
      (e: unknown) => e instanceof KeyfobError && e.kind === 'validation' && e.fields[0]?.field === 'url');
  });
  test('an empty admin key or one with a line break is refused without echoing it', () => {
    assert.throws(() => new LiteLLMClient({ baseUrl: 'http://127.0.0.1:1', adminKey: '' }),
      (e: unknown) => e instanceof KeyfobError && e.fields[0]?.field === 'adminKey');
    assert.throws(() => new LiteLLMClient({ baseUrl: 'http://127.0.0.1:1', adminKey: 'sk-abc\r\nX-Evil: 1' }),
      (e: unknown) => e instanceof KeyfobError && e.fields[0]?.field === 'adminKey' && !e.message.includes('sk-abc'));
  });
  test('the default timeout is 10 s; a bad one is refused', () => {
    assert.equal(new LiteLLMClient({ baseUrl: 'http://127.0.0.1:1', adminKey: MASTER }).timeoutMs, 10_000);
    assert.throws(() => new LiteLLMClient({ baseUrl: 'http://127.0.0.1:1', adminKey: MASTER, timeoutMs: 0 }), KeyfobError);
  });
  test('a missing or non-PEM CA file is a validation error on ca_file', () => {
    assert.throws(() => new LiteLLMClient({ baseUrl: 'https://127.0.0.1:1', adminKey: MASTER, caFile: '/nonexistent/ca.pem' }),
      (e: unknown) => e instanceof KeyfobError && e.fields[0]?.field === 'ca_file' && /no such file/.test(e.message));
    assert.throws(() => new LiteLLMClient({ baseUrl: 'https://127.0.0.1:1', adminKey: MASTER, caFile: '/etc/hostname' }),
      (e: unknown) => e instanceof KeyfobError && e.fields[0]?.field === 'ca_file' && /PEM/.test(e.message));
  });
});
