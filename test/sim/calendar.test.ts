// Era C's calendar-aligned `expires` (get_next_standardized_reset_time), with the contract page's own examples.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, envelope, generate } from './http-helpers.js';
import { nextStandardizedResetUs, startSimulator } from './index.js';
import type { Simulator } from './index.js';

/** The page's reference instant: Wednesday 2026-03-18 14:37:26Z (plus a sub-second part a real clock has). */
const AT = Date.parse('2026-03-18T14:37:26.250Z');

/** [duration, expected expires as the proxy prints it] — the page's table, row by row. */
const PAGE_EXAMPLES: Array<[string, string]> = [
  ['30s', '2026-03-18T14:37:30Z'], // 4 s, not 30
  ['3600s', '2026-03-18T15:37:00Z'],
  ['86400s', '2026-03-19T14:37:00Z'],
  ['604800s', '2026-03-19T14:37:00Z'], // a week asked, a day given
  ['15m', '2026-03-18T14:45:00Z'],
  ['1h', '2026-03-18T15:00:00Z'],
  ['8h', '2026-03-18T16:00:00Z'],
  ['12h', '2026-03-19T00:00:00Z'],
  ['24h', '2026-03-19T00:00:00Z'],
  ['48h', '2026-03-19T00:00:00Z'],
  ['1d', '2026-03-19T00:00:00Z'],
  ['1w', '2026-03-19T00:00:00Z'],
  ['2w', '2026-03-19T00:00:00Z'],
  ['7d', '2026-03-23T00:00:00Z'], // next Monday
  ['30d', '2026-04-01T00:00:00Z'],
  ['1mo', '2026-04-01T00:00:00Z'],
  ['3d', '2026-03-21T00:00:00Z'], // today 00:00 + N days
  // Not ^\d+[a-z]+, or an unknown unit: next midnight, no error.
  ['30', '2026-03-19T00:00:00Z'],
  ['-1', '2026-03-19T00:00:00Z'],
  ['1.5h', '2026-03-19T00:00:00Z'],
  ['1H', '2026-03-19T00:00:00Z'],
  [' 30d', '2026-03-19T00:00:00Z'],
  ['10min', '2026-03-19T00:00:00Z'],
];

describe('era C: /key/generate expires is calendar-aligned', () => {
  let sim: Simulator;
  before(async () => { sim = await startSimulator({ era: 'C', startTime: AT }); });
  after(() => sim.close());

  for (const [duration, expires] of PAGE_EXAMPLES) {
    test(`"${duration}" at Wed 14:37:26Z → ${expires}`, async () => {
      const res = await generate(sim, { duration });
      assert.equal(res.expires, expires);
      assert.equal(sim.keys().find((k) => k.token === res.token_id)?.expires, new Date(Date.parse(expires)).toISOString());
    });
  }

  test('"0s" → now, to the microsecond of created_at', async () => {
    const res = await generate(sim, { duration: '0s' });
    assert.equal(Date.parse(res.expires ?? ''), AT);
    assert.equal((res.expires ?? '').slice(19), String(res.created_at).slice(19));
  });

  test('"2mo" (Nmo with N ≠ 1) → 500 "Internal Server Error, Monthly resets currently only support 1 month intervals", no key', async () => {
    const before = sim.keys().length;
    const res = await call(sim, 'POST', '/key/generate', { body: { duration: '2mo' } });
    assert.equal(res.status, 500);
    assert.equal(envelope(res).message, 'Internal Server Error, Monthly resets currently only support 1 month intervals');
    assert.equal(sim.keys().length, before);
  });

  test('update is exact even in C: "604800s" is a week from now', async () => {
    const { token_id: token } = await generate(sim, { duration: '604800s' });
    const res = await call(sim, 'POST', '/key/update', { body: { key: token, duration: '604800s' } });
    assert.equal(Date.parse((res.json as { expires: string }).expires), AT + 7 * 86_400_000);
  });

  test('the other eras are exact: "30s" is 30 s', async () => {
    for (const era of ['L', 'M', 'N', 'N2', 'N3'] as const) {
      sim.era = era;
      assert.equal(Date.parse((await generate(sim, { duration: '30s' })).expires ?? ''), AT + 30_000, era);
    }
    sim.era = 'C';
  });
});

describe('the timezone (general_settings.litellm_settings.timezone)', () => {
  test('Asia/Kolkata: "1d" is the next midnight there, printed with +05:30', async () => {
    const sim = await startSimulator({ era: 'C', startTime: AT, timezone: 'Asia/Kolkata' });
    try {
      const res = await generate(sim, { duration: '1d' });
      assert.equal(res.expires, '2026-03-19T00:00:00+05:30');
      assert.equal(Date.parse(res.expires ?? ''), Date.parse('2026-03-18T18:30:00Z'));
    } finally {
      await sim.close();
    }
  });

  test('US/Pacific (-08:00): "1h" is the next whole hour there', () => {
    const us = nextStandardizedResetUs('1h', AT * 1000, 'US/Pacific');
    assert.equal(new Date(us / 1000).toISOString(), '2026-03-18T15:00:00.000Z');
  });

  test('an unknown zone is UTC', () => {
    assert.equal(nextStandardizedResetUs('1d', AT * 1000, 'Mars/Olympus'), nextStandardizedResetUs('1d', AT * 1000, 'UTC'));
  });
});

describe('nextStandardizedResetUs edge cases', () => {
  const at = (iso: string, duration: string) => new Date(nextStandardizedResetUs(duration, Date.parse(iso) * 1000, 'UTC') / 1000).toISOString();

  test('7d on a Monday is the Monday after', () => {
    assert.equal(at('2026-03-23T09:00:00Z', '7d'), '2026-03-30T00:00:00.000Z');
  });

  test('30d and 1mo in December roll to January', () => {
    assert.equal(at('2026-12-15T09:00:00Z', '30d'), '2027-01-01T00:00:00.000Z');
    assert.equal(at('2026-12-15T09:00:00Z', '1mo'), '2027-01-01T00:00:00.000Z');
  });

  test('minutes roll over the hour and the day', () => {
    assert.equal(at('2026-03-18T14:58:10Z', '5m'), '2026-03-18T15:00:00.000Z');
    assert.equal(at('2026-03-18T23:59:10Z', '5m'), '2026-03-19T00:00:00.000Z');
  });

  test('on an exact boundary the next one is taken, never now', () => {
    assert.equal(at('2026-03-18T15:00:00Z', '1h'), '2026-03-18T16:00:00.000Z');
  });
});
