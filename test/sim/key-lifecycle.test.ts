// The contract's /key/update, /key/delete, /key/info, /key/list, /key/block and /key/unblock sections.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, chat, envelope, generate, START } from './http-helpers.js';
import { startSimulator } from './index.js';
import type { Simulator } from './index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Database rows: milliseconds, printed by Python as six digits ending in 000 (or none at all on a whole second). */
const DATABASE_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}000)?\+00:00$/;

let sim: Simulator;
before(async () => { sim = await startSimulator({ startTime: START }); });
after(() => sim.close());

const stored = (token: string) => sim.keys().find((k) => k.token === token);

describe('POST /key/update', () => {
  test('duration re-bases expiry on now, not on the old expiry — it extends and shortens', async () => {
    const { token } = await generate(sim, { duration: '1h' });
    sim.clock.advance(50 * MINUTE);
    const now = sim.clock.now();
    const extended = await call(sim, 'POST', '/key/update', { body: { key: token, duration: '3600s' } });
    assert.equal(extended.status, 200);
    assert.equal(Date.parse((extended.json as { expires: string }).expires), now + HOUR);
    const shortened = await call(sim, 'POST', '/key/update', { body: { key: token, duration: '60s' } });
    assert.equal(Date.parse((shortened.json as { expires: string }).expires), now + MINUTE);
    assert.equal(Date.parse(stored(token)?.expires ?? ''), now + MINUTE);
  });

  test('it revives an expired key', async () => {
    const { key, token } = await generate(sim, { duration: '1s' });
    sim.clock.advance(10_000);
    assert.equal((await chat(sim, key)).status, 401);
    assert.equal(sim.liveKeys().some((k) => k.token === token), false);
    assert.equal((await call(sim, 'POST', '/key/update', { body: { key: token, duration: '60s' } })).status, 200);
    assert.equal((await chat(sim, key)).status, 200);
    assert.equal(sim.liveKeys().some((k) => k.token === token), true);
  });

  test('N+ (PR #18278): duration "-1" removes the expiry', async () => {
    for (const era of ['N', 'N2', 'N3'] as const) {
      sim.era = era;
      const { token_id: token } = await generate(sim, { duration: '1h' });
      const res = await call(sim, 'POST', '/key/update', { body: { key: token, duration: '-1' } });
      assert.equal(res.status, 200, era);
      assert.equal((res.json as { expires: unknown }).expires, null);
      assert.equal(stored(token)?.expires, null);
    }
    sim.era = 'N3';
  });

  test('L, M, C (≤1.80.14): duration "-1" → 400 auth_error "Authentication Error, Invalid duration format", expiry kept', async () => {
    for (const era of ['L', 'M', 'C'] as const) {
      sim.era = era;
      const { token_id: token } = await generate(sim, { duration: '1h' });
      const res = await call(sim, 'POST', '/key/update', { body: { key: token, duration: '-1' } });
      assert.equal(res.status, 400, era);
      assert.equal(envelope(res).type, 'auth_error');
      assert.equal(envelope(res).message, 'Authentication Error, Invalid duration format');
      assert.notEqual(stored(token)?.expires, null);
    }
    sim.era = 'N3';
  });

  test('N2+ (2026-03 prepare_key_update_data): duration null removes the expiry; L–N: a no-op', async () => {
    for (const era of ['L', 'M', 'C', 'N', 'N2', 'N3'] as const) {
      sim.era = era;
      const { token_id: token } = await generate(sim, { duration: '1h' });
      const before = stored(token)?.expires;
      const res = await call(sim, 'POST', '/key/update', { body: { key: token, duration: null } });
      assert.equal(res.status, 200, era);
      assert.equal(stored(token)?.expires, era === 'N2' || era === 'N3' ? null : before, era);
    }
    sim.era = 'N3';
  });

  test('only fields present are applied; metadata replaces, it does not merge', async () => {
    const { token_id: token } = await generate(sim, { duration: '1h', models: ['gpt-4o'], key_alias: 'kf-partial', metadata: { a: 1, b: 2 } });
    const expiresBefore = stored(token)?.expires;
    const res = await call(sim, 'POST', '/key/update', { body: { key: token, metadata: { c: 3 }, max_budget: 5 } });
    assert.equal(res.status, 200);
    const row = stored(token);
    assert.deepEqual(row?.metadata, { c: 3 });
    assert.equal(row?.max_budget, 5);
    assert.deepEqual(row?.models, ['gpt-4o']);
    assert.equal(row?.key_alias, 'kf-partial');
    assert.equal(row?.expires, expiresBefore);
  });

  test('response: {"key": <as sent>, ...the full row}, datetimes as the database holds them: +00:00, milliseconds', async () => {
    const { key, token } = await generate(sim, { key_alias: 'kf-update-shape', max_budget: 2, models: ['gpt-4o'] });
    for (const sent of [key, token]) {
      const res = await call(sim, 'POST', '/key/update', { body: { key: sent, duration: '30s' } });
      const body = res.json as Record<string, unknown>;
      assert.equal(body.key, sent);
      assert.equal(body.token, token);
      for (const field of ['expires', 'spend', 'max_budget', 'models', 'key_alias', 'metadata', 'blocked', 'created_at', 'updated_at']) {
        assert.ok(field in body, field);
      }
      assert.match(String(body.expires), DATABASE_DATETIME);
      assert.match(String(body.updated_at), DATABASE_DATETIME);
    }
  });

  test('key_alias stays unique on update; keeping your own alias is fine', async () => {
    await generate(sim, { key_alias: 'kf-taken' });
    const { token_id: token } = await generate(sim, { key_alias: 'kf-mine' });
    const clash = await call(sim, 'POST', '/key/update', { body: { key: token, key_alias: 'kf-taken' } });
    assert.equal(clash.status, 400);
    assert.equal(envelope(clash).param, 'key_alias');
    assert.equal((await call(sim, 'POST', '/key/update', { body: { key: token, key_alias: 'kf-mine' } })).status, 200);
  });

  test('L–N: unknown key → 401 auth_error "…user key does not exist in db. User Key=<hash>"; the key never echoed', async () => {
    for (const era of ['L', 'M', 'C', 'N'] as const) {
      sim.era = era;
      for (const key of ['sk-neverIssuedKey000000', 'f'.repeat(64)]) {
        const res = await call(sim, 'POST', '/key/update', { body: { key, duration: '60s' } });
        assert.equal(res.status, 401, era);
        assert.equal(envelope(res).type, 'auth_error');
        assert.match(envelope(res).message, /^Authentication Error: invalid user key - user key does not exist in db\. User Key=[0-9a-f]{64}$/);
        assert.ok(!res.text.includes('sk-neverIssuedKey000000'));
      }
    }
    sim.era = 'N3';
  });

  test('N2+ (PR #24063): unknown key → 404 "Key not found…"', async () => {
    for (const era of ['N2', 'N3'] as const) {
      sim.era = era;
      const res = await call(sim, 'POST', '/key/update', { body: { key: 'sk-neverIssuedKey000000', duration: '60s' } });
      assert.equal(res.status, 404, era);
      assert.equal(envelope(res).code, '404');
      assert.match(envelope(res).message, /Key not found/);
      assert.ok(!res.text.includes('sk-neverIssuedKey000000'));
    }
    sim.era = 'N3';
  });

  test('a key whose team is missing from the team table: 400 (L, M) / 404 "Team doesn\'t exist in db" (C+) — the key is still there', async () => {
    const expected = { L: 400, M: 400, C: 404, N: 404, N2: 404, N3: 404 } as const;
    for (const era of ['L', 'M', 'C', 'N', 'N2', 'N3'] as const) {
      sim.era = era;
      const { token_id: token } = await generate(sim, { duration: '1h' });
      const res = await call(sim, 'POST', '/key/update', { body: { key: token, team_id: 'team-gone', duration: '60s' } });
      assert.equal(res.status, expected[era], era);
      assert.equal(envelope(res).type, 'auth_error');
      const message = "Team doesn't exist in db. Team=team-gone. Create team via `/team/new` call.";
      assert.equal(envelope(res).message, expected[era] === 404
        ? `{'error': "${message}"}`
        : `Authentication Error, ${message}`);
      assert.ok(stored(token), 'not every 404 means the key is gone');
    }
    sim.era = 'N3';
  });

  test('the key\'s own missing team: checked for admins only in N2+ (later 2026 code); C, N let the admin through', async () => {
    for (const [era, status] of [['C', 200], ['N', 200], ['N2', 404], ['N3', 404]] as const) {
      sim.era = era;
      const { token_id: token } = await generate(sim, { team_id: 'team-never-created', duration: '1h' });
      const res = await call(sim, 'POST', '/key/update', { body: { key: token, duration: '60s' } });
      assert.equal(res.status, status, era);
    }
    sim.era = 'N3';
  });

  test('≤1.77.5 (L, M): a body team_id is checked only when it changes the team', async () => {
    sim.era = 'M';
    try {
      const { token_id: token } = await generate(sim, { team_id: 'team-never-created' });
      assert.equal((await call(sim, 'POST', '/key/update', { body: { key: token, team_id: 'team-never-created' } })).status, 200);
      sim.era = 'C';
      assert.equal((await call(sim, 'POST', '/key/update', { body: { key: token, team_id: 'team-never-created' } })).status, 404);
    } finally {
      sim.era = 'N3';
    }
  });

  test('budget_duration "2mo" on update: 400 from 1.70 (M+, calendar reset), accepted in L', async () => {
    for (const [era, status] of [['L', 200], ['M', 400], ['N3', 400]] as const) {
      sim.era = era;
      const { token_id: token } = await generate(sim);
      const res = await call(sim, 'POST', '/key/update', { body: { key: token, budget_duration: '2mo' } });
      assert.equal(res.status, status, era);
      if (status === 400) assert.equal(envelope(res).message, 'Authentication Error, Monthly resets currently only support 1 month intervals');
    }
    sim.era = 'N3';
  });

  test('M+: update budget_duration "1d" resets at the next midnight (calendar); L: now + 1 day', async () => {
    const day = 86_400_000;
    for (const era of ['L', 'M'] as const) {
      sim.era = era;
      const now = sim.clock.now();
      const reset = era === 'L' ? now + day : (Math.floor(now / day) + 1) * day;
      const { token_id: token } = await generate(sim);
      await call(sim, 'POST', '/key/update', { body: { key: token, budget_duration: '1d' } });
      assert.equal(Date.parse(stored(token)?.budget_reset_at ?? ''), reset, era);
    }
    sim.era = 'N3';
  });

  test('N+: a negative max_budget → 400; before, accepted', async () => {
    for (const [era, status] of [['C', 200], ['N', 400]] as const) {
      sim.era = era;
      const { token_id: token } = await generate(sim);
      assert.equal((await call(sim, 'POST', '/key/update', { body: { key: token, max_budget: -1 } })).status, status, era);
    }
    sim.era = 'N3';
  });
});

describe('POST /key/delete', () => {
  test('keys as plaintext and hashes, mixed: 200 echoing the list exactly as sent', async () => {
    const a = await generate(sim);
    const b = await generate(sim);
    const sent = [a.key, b.token];
    const res = await call(sim, 'POST', '/key/delete', { body: { keys: sent } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { deleted_keys: sent });
    assert.equal(stored(a.token), undefined);
    assert.equal(stored(b.token), undefined);
  });

  test('by key_aliases', async () => {
    const { token } = await generate(sim, { key_alias: 'kf-by-alias' });
    const res = await call(sim, 'POST', '/key/delete', { body: { key_aliases: ['kf-by-alias'] } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { deleted_keys: ['kf-by-alias'] });
    assert.equal(stored(token), undefined);
  });

  test('the echo is not proof: some found → 200 and the found ones are deleted', async () => {
    const { token } = await generate(sim);
    const sent = [token, 'sk-neverExisted00000000'];
    const res = await call(sim, 'POST', '/key/delete', { body: { keys: sent } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { deleted_keys: sent });
    assert.equal(stored(token), undefined);
  });

  for (const era of ['M', 'C', 'N', 'N2', 'N3'] as const) {
    test(`${era} (≥1.68.2): none found → 404 internal_server_error "{'error': 'No keys found'}"; deleting twice → 404`, async () => {
      sim.era = era;
      try {
        const { key } = await generate(sim);
        assert.equal((await call(sim, 'POST', '/key/delete', { body: { keys: [key] } })).status, 200);
        const twice = await call(sim, 'POST', '/key/delete', { body: { keys: [key] } });
        assert.equal(twice.status, 404);
        assert.deepEqual(envelope(twice), { message: "{'error': 'No keys found'}", type: 'internal_server_error', param: 'None', code: '404' });
        assert.equal((await call(sim, 'POST', '/key/delete', { body: { key_aliases: ['kf-nobody'] } })).status, 404);
      } finally {
        sim.era = 'N3';
      }
    });
  }

  test('L (<1.68.2): none found → the admin gets 200 and the echo, as if something was deleted', async () => {
    sim.era = 'L';
    try {
      const sent = ['sk-neverExisted00000000'];
      const res = await call(sim, 'POST', '/key/delete', { body: { keys: sent } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { deleted_keys: sent });
      assert.equal((await call(sim, 'POST', '/key/delete', { body: { key_aliases: ['kf-nobody'] } })).status, 200);
    } finally {
      sim.era = 'N3';
    }
  });

  for (const body of [{}, { keys: [] }, { keys: null, key_aliases: [] }]) {
    test(`neither keys nor key_aliases ${JSON.stringify(body)} → 422`, async () => {
      const res = await call(sim, 'POST', '/key/delete', { body });
      assert.equal(res.status, 422);
      const detail = (res.json as { detail: Array<{ type: string; loc: unknown[]; msg: string }> }).detail;
      assert.equal(detail[0]?.type, 'value_error');
      assert.deepEqual(detail[0]?.loc, ['body']);
      assert.match(detail[0]?.msg ?? '', /At least one of 'keys' or 'key_aliases'/);
    });
  }

  test('a deleted key is refused on /chat/completions with token_not_found_in_db', async () => {
    const { key } = await generate(sim);
    assert.equal((await chat(sim, key)).status, 200);
    await call(sim, 'POST', '/key/delete', { body: { keys: [key] } });
    const res = await chat(sim, key);
    assert.equal(res.status, 401);
    assert.equal(envelope(res).type, 'token_not_found_in_db');
  });
});

describe('GET /key/info', () => {
  test('by plaintext or hash: {"key": <sent>, "info": {...}} without plaintext or token', async () => {
    const { key, token } = await generate(sim, { key_alias: 'kf-info', duration: '2h', max_budget: 3, models: ['gpt-4o'], metadata: { m: 1 } });
    for (const sent of [key, token]) {
      const res = await call(sim, 'GET', `/key/info?key=${encodeURIComponent(sent)}`);
      assert.equal(res.status, 200);
      const body = res.json as { key: string; info: Record<string, unknown> };
      assert.equal(body.key, sent);
      assert.ok(!('token' in body.info));
      assert.ok(!JSON.stringify(body.info).includes(key), '!JSON.stringify(body.info).includes(key) is set');
      for (const field of ['key_name', 'key_alias', 'spend', 'max_budget', 'expires', 'models', 'metadata', 'blocked', 'tpm_limit',
        'rpm_limit', 'budget_duration', 'budget_reset_at', 'created_at', 'updated_at']) {
        assert.ok(field in body.info, field);
      }
      assert.equal(body.info.key_alias, 'kf-info');
      assert.equal(body.info.blocked, null, 'blocked null = never set');
      assert.match(String(body.info.expires), DATABASE_DATETIME);
      assert.equal(Date.parse(String(body.info.expires)), sim.clock.now() + 2 * HOUR);
    }
  });

  test('expired keys are still in the database', async () => {
    const { token } = await generate(sim, { duration: '1s' });
    sim.clock.advance(2_000);
    assert.equal((await call(sim, 'GET', `/key/info?key=${token}`)).status, 200);
    assert.ok(stored(token), 'stored(token) is set');
  });

  test('a key that never expires has expires null', async () => {
    const { token } = await generate(sim);
    const res = await call(sim, 'GET', `/key/info?key=${token}`);
    assert.equal((res.json as { info: { expires: unknown } }).info.expires, null);
  });

  for (const era of ['L', 'M', 'C', 'N', 'N2', 'N3'] as const) {
    test(`${era} (≥1.52.5): unknown key → 404 not_found_error param key "Key not found in database"`, async () => {
      sim.era = era;
      try {
        const res = await call(sim, 'GET', '/key/info?key=sk-neverIssued000000000');
        assert.equal(res.status, 404);
        assert.deepEqual(envelope(res), { message: 'Key not found in database', type: 'not_found_error', param: 'key', code: '404' });
      } finally {
        sim.era = 'N3';
      }
    });
  }
});

describe('GET /key/list', () => {
  let listSim: Simulator;
  const tokens: string[] = [];
  before(async () => {
    listSim = await startSimulator({ startTime: START });
    for (let i = 0; i < 25; i++) {
      tokens.push((await generate(listSim, { key_alias: `kf-list-${i}`, duration: i === 0 ? '1s' : '1h' })).token);
      listSim.clock.advance(1);
    }
  });
  after(() => listSim.close());

  test('default page 1, size 10: hashes, newest first, total_count and total_pages', async () => {
    const res = await call(listSim, 'GET', '/key/list');
    assert.equal(res.status, 200);
    const body = res.json as { keys: string[]; total_count: number; current_page: number; total_pages: number };
    assert.equal(body.total_count, 25);
    assert.equal(body.current_page, 1);
    assert.equal(body.total_pages, 3);
    assert.deepEqual(body.keys, tokens.slice().reverse().slice(0, 10));
  });

  test('pages: the last is partial, past the end is empty', async () => {
    const page3 = (await call(listSim, 'GET', '/key/list?page=3&size=10')).json as { keys: string[]; current_page: number };
    assert.equal(page3.keys.length, 5);
    assert.equal(page3.current_page, 3);
    assert.ok(page3.keys.includes(tokens[0] ?? ''), 'expired keys are listed');
    assert.deepEqual(((await call(listSim, 'GET', '/key/list?page=4&size=10')).json as { keys: string[] }).keys, []);
  });

  test('size=1 is the cheap admin check', async () => {
    const res = await call(listSim, 'GET', '/key/list?size=1');
    assert.equal(res.status, 200);
    assert.equal((res.json as { keys: string[] }).keys.length, 1);
    assert.equal((res.json as { total_pages: number }).total_pages, 25);
  });

  for (const [query, type] of [['size=101', 'less_than_equal'], ['size=0', 'greater_than_equal'], ['page=0', 'greater_than_equal'], ['size=ten', 'int_parsing'], ['return_full_object=maybe', 'bool_parsing']]) {
    test(`${query} → 422 ${type}`, async () => {
      const res = await call(listSim, 'GET', `/key/list?${query}`);
      assert.equal(res.status, 422);
      const detail = (res.json as { detail: Array<{ type: string; loc: unknown[] }> }).detail;
      assert.equal(detail[0]?.type, type);
      assert.equal(detail[0]?.loc[0], 'query');
    });
  }

  test('size=100 is allowed', async () => {
    const res = await call(listSim, 'GET', '/key/list?size=100');
    assert.equal(res.status, 200);
    assert.equal((res.json as { keys: string[] }).keys.length, 25);
  });

  test('key_alias is an exact filter', async () => {
    const res = await call(listSim, 'GET', '/key/list?key_alias=kf-list-1');
    const body = res.json as { keys: string[]; total_count: number };
    assert.deepEqual(body.keys, [tokens[1]]);
    assert.equal(body.total_count, 1);
    assert.equal(((await call(listSim, 'GET', '/key/list?key_alias=kf-list')).json as { total_count: number }).total_count, 0);
  });

  test('return_full_object=true gives rows with token, never the plaintext', async () => {
    const res = await call(listSim, 'GET', '/key/list?return_full_object=true&key_alias=kf-list-2');
    const rows = (res.json as { keys: Array<Record<string, unknown>> }).keys;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.token, tokens[2]);
    assert.equal(rows[0]?.key_alias, 'kf-list-2');
    assert.ok(!('key' in (rows[0] ?? {})));
    assert.match(String(rows[0]?.expires), DATABASE_DATETIME);
  });
});

describe('POST /key/block and /key/unblock', () => {
  test('block → the updated row, and the key gets 401 "Key is blocked"; unblock restores it', async () => {
    const { key, token } = await generate(sim);
    const blocked = await call(sim, 'POST', '/key/block', { body: { key: token } });
    assert.equal(blocked.status, 200);
    assert.equal((blocked.json as { blocked: boolean }).blocked, true);
    assert.equal((blocked.json as { token: string }).token, token);
    assert.equal(stored(token)?.blocked, true);
    const refused = await chat(sim, key);
    assert.equal(refused.status, 401);
    assert.match(envelope(refused).message, /Key is blocked/);
    const unblocked = await call(sim, 'POST', '/key/unblock', { body: { key } });
    assert.equal((unblocked.json as { blocked: boolean }).blocked, false);
    assert.equal((await chat(sim, key)).status, 200);
  });

  test('block/unblock an unknown key: 401 token_not_found_in_db (L–N), 404 (N2+, PR #23977)', async () => {
    const expected = { L: 401, M: 401, C: 401, N: 401, N2: 404, N3: 404 } as const;
    for (const era of ['L', 'M', 'C', 'N', 'N2', 'N3'] as const) {
      sim.era = era;
      for (const path of ['/key/block', '/key/unblock']) {
        const res = await call(sim, 'POST', path, { body: { key: 'sk-neverIssued000000000' } });
        assert.equal(res.status, expected[era], `${era} ${path}`);
        if (expected[era] === 401) assert.equal(envelope(res).type, 'token_not_found_in_db');
      }
    }
    sim.era = 'N3';
  });

  test('blocked can also be set through generate and update', async () => {
    const { key, token } = await generate(sim, { blocked: true });
    assert.equal((await chat(sim, key)).status, 401);
    await call(sim, 'POST', '/key/update', { body: { key: token, blocked: false } });
    assert.equal((await chat(sim, key)).status, 200);
  });
});
