// The contract's "Duration strings" section: the grammar table, through /key/generate and /key/update in each era.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addDuration, parseDuration } from './duration.js';
import { call, envelope, generate, START } from './http-helpers.js';
import { ERAS, startSimulator } from './index.js';
import type { Simulator } from './index.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** [duration, milliseconds after START (2026-03-01T12:00Z)] */
const VALID: Array<[string, number]> = [
  ['30s', 30 * SECOND],
  ['15m', 15 * MINUTE],
  ['8h', 8 * HOUR],
  ['7d', 7 * DAY],
  ['2w', 14 * DAY],
  ['1mo', 31 * DAY], // March has 31 days
  ['0s', 0],
  ['10min', 10 * MINUTE], // trailing text ignored: 'm' then "in"
  ['5sec', 5 * SECOND],
  ['2months', Date.parse('2026-05-01T12:00:00Z') - START],
  ['86400s', DAY],
];

/** [duration, message the proxy raises] */
const INVALID: Array<[string, string]> = [
  ['30', 'Unsupported duration unit, passed duration: 30'],
  ['1.5h', 'Unsupported duration unit, passed duration: 1.5h'],
  ['1H', 'Unsupported duration unit, passed duration: 1H'],
  ['10y', 'Unsupported duration unit, passed duration: 10y'],
  ['-1', 'Invalid duration format'],
  [' 30d', 'Invalid duration format'],
  ['', 'Invalid duration format'],
  ['h', 'Invalid duration format'],
  ['99999999999999999999d', 'date value out of range'],
];

describe('the grammar, as a function', () => {
  test('^(\\d+)(mo|[smhdw]?) anchored at the start only', () => {
    assert.deepEqual(parseDuration('10min'), { value: 10, unit: 'm' });
    assert.deepEqual(parseDuration('3mo'), { value: 3, unit: 'mo' });
    assert.deepEqual(parseDuration('007s'), { value: 7, unit: 's' });
    assert.throws(() => parseDuration('x1s'), /Invalid duration format/);
  });

  test('mo is a calendar month: the day is clamped to the target month, years roll over', () => {
    const at = (iso: string, d: string) => new Date(addDuration(Date.parse(iso) * 1000, d) / 1000).toISOString();
    assert.equal(at('2026-01-31T08:30:00.000Z', '1mo'), '2026-02-28T08:30:00.000Z');
    assert.equal(at('2028-01-31T08:30:00.000Z', '1mo'), '2028-02-29T08:30:00.000Z');
    assert.equal(at('2026-12-15T00:00:00.000Z', '1mo'), '2027-01-15T00:00:00.000Z');
    assert.equal(at('2026-11-30T00:00:00.000Z', '3mo'), '2027-02-28T00:00:00.000Z');
    assert.equal(at('2026-05-10T00:00:00.000Z', '14mo'), '2027-07-10T00:00:00.000Z');
  });

  test('microseconds are kept exactly', () => {
    assert.equal(addDuration(1_000_000_123, '1s'), 1_001_000_123);
  });
});

/** Eras whose generate computes `expires` as now + duration_in_seconds (C uses the calendar, calendar.test.ts). */
const EXACT_ERAS = ['L', 'M', 'N', 'N2', 'N3'] as const;

for (const era of EXACT_ERAS) {
  describe(`durations over HTTP (${era})`, () => {
    let sim: Simulator;
    before(async () => { sim = await startSimulator({ startTime: START, era }); });
    after(() => sim.close());

    for (const [duration, ms] of VALID) {
      test(`generate "${duration}" → expires START + ${ms} ms`, async () => {
        const res = await generate(sim, { duration });
        assert.equal(Date.parse(res.expires ?? ''), START + ms);
      });
    }

    for (const [duration, message] of INVALID) {
      test(`generate ${JSON.stringify(duration)} → 500 internal_server_error "Internal Server Error, ${message}", no key created`, async () => {
        const before = sim.keys().length;
        const res = await call(sim, 'POST', '/key/generate', { body: { duration } });
        assert.equal(res.status, 500);
        const error = envelope(res);
        assert.equal(error.type, 'internal_server_error');
        assert.equal(error.message, `Internal Server Error, ${message}`);
        assert.equal(error.code, '500');
        assert.equal(sim.keys().length, before);
      });
    }
  });
}

for (const era of ERAS) {
  describe(`update durations (${era})`, () => {
    let sim: Simulator;
    before(async () => { sim = await startSimulator({ startTime: START, era }); });
    after(() => sim.close());

    test('update: "<n>s" is now + n, exact, in every era (C included)', async () => {
      const { token_id: token } = await generate(sim, { duration: '1h' });
      sim.clock.advance(1234);
      const res = await call(sim, 'POST', '/key/update', { body: { key: token, duration: '604800s' } });
      assert.equal(res.status, 200);
      assert.equal(Date.parse((res.json as { expires: string }).expires), sim.clock.now() + 7 * DAY);
    });

    test('update: a grammar error → 400 auth_error "Authentication Error, …", the key untouched', async () => {
      const { token_id: token } = await generate(sim, { duration: '1h' });
      const expires = sim.keys().find((k) => k.token === token)?.expires;
      const res = await call(sim, 'POST', '/key/update', { body: { key: token, duration: '1.5h', metadata: { changed: true } } });
      assert.equal(res.status, 400);
      assert.equal(envelope(res).type, 'auth_error');
      assert.equal(envelope(res).message, 'Authentication Error, Unsupported duration unit, passed duration: 1.5h');
      const stored = sim.keys().find((k) => k.token === token);
      assert.equal(stored?.expires, expires);
      assert.deepEqual(stored?.metadata, {});
    });

    test('a duration that is not a string is a 422, not a grammar error', async () => {
      const res = await call(sim, 'POST', '/key/generate', { body: { duration: 30 } });
      assert.equal(res.status, 422);
    });
  });
}

test('the proposed releases\' 400 for an invalid generate duration can be played on demand', async () => {
  const sim = await startSimulator({ startTime: START });
  try {
    sim.invalidDurationStatus = 400;
    const res = await call(sim, 'POST', '/key/generate', { body: { duration: '30' } });
    assert.equal(res.status, 400);
    assert.equal(envelope(res).type, 'bad_request_error');
  } finally {
    await sim.close();
  }
});
