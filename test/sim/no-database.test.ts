// The contract's no-database rows: the auth layer's ordering per era, each key route's answer, readiness.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, chat, envelope, generate, START } from './http-helpers.js';
import { ERAS, startSimulator } from './index.js';
import type { SimEra, Simulator } from './index.js';

let noDb: Simulator;
before(async () => { noDb = await startSimulator({ database: false, startTime: START }); });
after(() => noDb.close());

async function inEra(era: SimEra, body: () => Promise<void>): Promise<void> {
  noDb.era = era;
  try {
    await body();
  } finally {
    noDb.era = 'N3';
  }
}

describe('a non-master key without a database', () => {
  for (const era of ['M', 'C', 'N', 'N2', 'N3'] as const) {
    test(`${era} (≥1.71.2): the DB check runs first → 400 no_db_connection "No connected db." for any non-master key`, () => inEra(era, async () => {
      for (const key of ['sk-someVirtualKey1234', 'not-an-sk-key', 'sk-admin-but-wrong']) {
        const res = await chat(noDb, key);
        assert.equal(res.status, 400, key);
        assert.equal(envelope(res).type, 'no_db_connection');
        assert.equal(envelope(res).message, 'No connected db.');
      }
    }));
  }

  test('L (≤1.63): the sk- check runs first; an sk- key then gets 401 "Authentication Error, No connected db."', () => inEra('L', async () => {
    const wrong = await chat(noDb, 'not-an-sk-key');
    assert.equal(wrong.status, 401);
    assert.match(envelope(wrong).message, /LiteLLM Virtual Key expected/);
    const sk = await chat(noDb, 'sk-someVirtualKey1234');
    assert.equal(sk.status, 401);
    assert.equal(envelope(sk).type, 'auth_error');
    assert.equal(envelope(sk).message, 'Authentication Error, No connected db.');
  }));

  test('the master key still authenticates: /v1/models answers', async () => {
    const res = await call(noDb, 'GET', '/v1/models');
    assert.equal(res.status, 200);
    assert.equal((res.json as { data: unknown[] }).data.length, 3);
  });
});

describe('key routes with the master key and no database', () => {
  const rows: Array<[string, string, unknown, number, string]> = [
    ['GET', '/key/list', undefined, 500, "{'error': 'DB not connected. See https://docs.litellm.ai/docs/proxy/virtual_keys'}"],
    ['GET', '/key/info?key=sk-abcdefgh1234', undefined, 500, 'Internal Server Error, Database not connected. Connect a database to your proxy - https://docs.litellm.ai/docs/proxy/virtual_keys'],
    ['POST', '/key/update', { key: 'sk-abcdefgh1234', duration: '1h' }, 400, 'Authentication Error, Not connected to DB!'],
    ['POST', '/key/delete', { keys: ['sk-abcdefgh1234'] }, 500, 'Internal Server Error, Not connected to DB!'],
  ];
  for (const [method, path, body, status, message] of rows) {
    test(`${method} ${path} → ${status} "${message}"`, async () => {
      const res = await call(noDb, method, path, { body });
      assert.equal(res.status, status);
      assert.equal(envelope(res).message, message);
    });
  }

  test('generate ≤1.77.5 (L, M) → 500 "Internal Server Error, Connect Proxy to database to generate keys - …"', async () => {
    for (const era of ['L', 'M'] as const) {
      await inEra(era, async () => {
        const res = await call(noDb, 'POST', '/key/generate', { body: {} });
        assert.equal(res.status, 500, era);
        assert.match(envelope(res).message, /^Internal Server Error, Connect Proxy to database to generate keys - /);
      });
    }
  });

  test("generate ≥1.77.7 (C+) → 500 \"{'error': 'DB not connected. See …'}\"", async () => {
    for (const era of ['C', 'N', 'N2', 'N3'] as const) {
      await inEra(era, async () => {
        const res = await call(noDb, 'POST', '/key/generate', { body: {} });
        assert.equal(res.status, 500, era);
        assert.match(envelope(res).message, /^\{'error': 'DB not connected\. See /);
      });
    }
  });

  test('block and unblock fail uncaught: text/plain 500', async () => {
    for (const path of ['/key/block', '/key/unblock']) {
      const res = await call(noDb, 'POST', path, { body: { key: 'sk-abcdefgh1234' } });
      assert.equal(res.status, 500, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(res.text, 'Internal Server Error');
    }
  });
});

describe('/health/readiness', () => {
  for (const era of ERAS) {
    test(`${era}: without a DB status "healthy" and db "Not connected"; with one status "connected" and last_updated`, async () => {
      await inEra(era, async () => {
        const without = await call(noDb, 'GET', '/health/readiness', { key: null });
        assert.equal(without.status, 200);
        const body = without.json as Record<string, unknown>;
        assert.equal(body.status, 'healthy');
        assert.equal(body.db, 'Not connected');
        assert.equal(body.litellm_version, without.headers.get('x-litellm-version'));
        assert.ok(!('last_updated' in body));
      });
      const withDb = await startSimulator({ era, startTime: START });
      try {
        const body = (await call(withDb, 'GET', '/health/readiness', { key: null })).json as Record<string, unknown>;
        assert.equal(body.status, 'connected');
        assert.equal(body.db, 'connected');
        assert.equal(typeof body.last_updated, 'string');
      } finally {
        await withDb.close();
      }
    });
  }

  test('liveliness and liveness answer "I\'m alive!" without a DB', async () => {
    for (const path of ['/health/liveliness', '/health/liveness']) {
      const res = await call(noDb, 'GET', path, { key: null });
      assert.equal(res.status, 200);
      assert.equal(res.json, "I'm alive!");
    }
  });
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
