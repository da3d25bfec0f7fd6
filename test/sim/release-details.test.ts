// Contract rows that depend on a release inside an era or on the proxy's configuration: generate without `token`
// (≤1.58), the unknown-key update's back-off, the 10 s spend flush, a failing readiness probe.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import { call, chat, envelope, generate, START } from './http-helpers.js';
import { startSimulator } from './index.js';
import type { Simulator, SimOptions } from './index.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let sim: Simulator | undefined;
afterEach(() => sim?.close());
async function start(opts: SimOptions): Promise<Simulator> {
  sim = await startSimulator({ startTime: START, ...opts });
  return sim;
}

describe('release and configuration details', () => {
  test('L with generateOmitsToken (≤1.58): the generate answer has no token field; token_id is the hash', async () => {
    const s = await start({ era: 'L', generateOmitsToken: true });
    const res: Record<string, unknown> = await generate(s);
    assert.ok(!('token' in res), 'token absent');
    assert.equal(res.token_id, sha256(res.key as string));
    s.era = 'M';
    const later = await generate(s);
    assert.equal(later.token, later.token_id, 'the option plays only inside era L');
  });

  test('updateUnknownKeyDelayMs: an update of an unknown key spends that long on the sim clock, then the same 401', async () => {
    const s = await start({ era: 'C', updateUnknownKeyDelayMs: 3_000 });
    const { key } = await generate(s);
    const known = await call(s, 'POST', '/key/update', { body: { key, max_budget: 1 } });
    assert.equal(known.status, 200);
    assert.equal(s.clock.now(), START, 'a known key answers without the back-off');
    const unknown = await call(s, 'POST', '/key/update', { body: { key: 'sk-not-a-key', max_budget: 1 } });
    assert.equal(unknown.status, 401);
    assert.match(envelope(unknown).message, /^Authentication Error: invalid user key - user key does not exist in db\. User Key=/);
    assert.equal(s.clock.now(), START + 3_000);
  });

  test('spendFlushMs: spend reaches the budget check and /key/info only after the flush interval (keys overshoot)', async () => {
    const s = await start({ spendFlushMs: 10_000, completionCost: 0.5 });
    const { key } = await generate(s, { max_budget: 0.5 });
    assert.equal((await chat(s, key)).status, 200);
    assert.equal((await chat(s, key)).status, 200, 'over budget, but the spend is not flushed yet');
    const info = async () => ((await call(s, 'GET', `/key/info?key=${key}`)).json as { info: { spend: number } }).info.spend;
    assert.equal(await info(), 0);
    s.clock.advance(10_000);
    assert.equal(await info(), 1);
    const refused = await chat(s, key);
    assert.equal(envelope(refused).type, 'budget_exceeded');
    assert.equal(envelope(refused).message, 'Budget has been exceeded! Current cost: 1, Max budget: 0.5');
  });

  test('budgetResetJobMs: a spent budget comes back at the job run after budget_reset_at, not at budget_reset_at itself', async () => {
    const s = await start({ era: 'M', budgetResetJobMs: 600_000, completionCost: 1 });
    await call(s, 'GET', '/health/liveliness', { key: null }); // the job's clock starts here: runs at +10 min, +20 min …
    s.clock.advance(60_000);
    const { key } = await generate(s, { max_budget: 1, budget_duration: '30m' }); // budget_reset_at: +31 min
    assert.equal((await chat(s, key)).status, 200);
    assert.equal(envelope(await chat(s, key)).type, 'budget_exceeded');
    const info = async () => ((await call(s, 'GET', `/key/info?key=${key}`)).json as { info: { spend: number; budget_reset_at: string } }).info;
    const firstReset = Date.parse((await info()).budget_reset_at);
    s.clock.advance(30 * 60_000 + 1_000); // +31 min: past budget_reset_at, but the job last ran at +30 min
    assert.equal(envelope(await chat(s, key)).type, 'budget_exceeded', 'the reset waits for the job');
    s.clock.advance(9 * 60_000); // +40 min: the job's run resets it
    assert.equal((await chat(s, key)).status, 200, 'spend back at 0');
    const after = await info();
    assert.equal(after.spend, 1);
    assert.ok(Date.parse(after.budget_reset_at) > firstReset, 'the next reset is counted from the job run');
  });

  test('readinessFails: /health/readiness answers 503 {"detail":"Service Unhealthy (…)"}, liveliness still 200', async () => {
    const s = await start({ readinessFails: true });
    const res = await call(s, 'GET', '/health/readiness', { key: null });
    assert.equal(res.status, 503);
    assert.match((res.json as { detail: string }).detail, /^Service Unhealthy \(.+\)$/);
    assert.equal((await call(s, 'GET', '/health/liveliness', { key: null })).status, 200);
    s.config.readinessFails = false;
    assert.equal((await call(s, 'GET', '/health/readiness', { key: null })).status, 200);
  });
});
