import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MAX_DURATION_SECONDS, formatDuration, isLiteLLMDuration, parseBudgetDuration, parseDuration, toLiteLLMDuration,
} from '../../../main/core/roles/durations.js';
import { KeyfobError } from '../../../main/core/errors.js';

function assertFieldError(fn: () => unknown, field: string, pattern?: RegExp): KeyfobError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof KeyfobError, 'expected a KeyfobError');
  assert.equal(caught.kind, 'validation');
  assert.deepEqual(caught.fields.map((f) => f.field), [field]);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

describe('parseDuration', () => {
  const good: Array<[string | number, number]> = [
    ['90s', 90], ['15m', 900], ['8h', 28_800], ['7d', 604_800], ['2w', 1_209_600],
    ['3600', 3600], [3600, 3600], ['0', 0], [0, 0], ['0s', 0], [' 15m ', 900], ['1h', 3600],
    // what people type (issue 15)
    ['5min', 300], ['1h30m', 5400], ['1h 30m', 5400], ['1.5h', 5400], ['2d', 172_800], ['0.5m', 30], ['.5h', 1800],
    ['1H', 3600], ['15M', 900], ['10min', 600], ['1 h', 3600], ['2 hours', 7200], ['1d 2h 3m 4s', 93_784],
    ['0.1h', 360], ['90 seconds', 90], ['1w 1d', 691_200],
  ];
  for (const [input, seconds] of good) {
    test(`${JSON.stringify(input)} → ${seconds} s`, () => {
      assert.equal(parseDuration(input, 'ttl'), seconds);
    });
  }

  const bad: Array<string | number> = [
    '', ' ', '-1', '-5m', '1mo', 'abc', 'h', '0x10', '1e3', '1h30', '1h1h', '1.5s', '1..5h', 'm5', '5 m m',
    1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, '99999999999w', MAX_DURATION_SECONDS + 1,
  ];
  for (const input of bad) {
    test(`rejects ${JSON.stringify(input) ?? String(input)} naming the field and showing an example`, () => {
      const e = assertFieldError(() => parseDuration(input, 'max_ttl'), 'max_ttl');
      assert.match(e.message, /^max_ttl: /);
      if (typeof input === 'string' && input.length < 12 && input.trim() !== '') assert.match(e.fields[0]!.message, /"5min"|ten years|negative|months|whole seconds/);
    });
  }

  test('a non-string non-number is rejected', () => {
    assertFieldError(() => parseDuration(null as unknown as string, 'ttl'), 'ttl', /5min/);
  });

  test('each rejection says what was wrong', () => {
    assertFieldError(() => parseDuration('-5m', 'ttl'), 'ttl', /must not be negative \(got "-5m"\)/);
    assertFieldError(() => parseDuration('1mo', 'ttl'), 'ttl', /months have no fixed length.*"30d"/);
    assertFieldError(() => parseDuration('1.5s', 'ttl'), 'ttl', /whole seconds \("1.5s" is 1.5 s\)/);
    assertFieldError(() => parseDuration('abc', 'ttl'), 'ttl', /"abc" is not a duration: write it like "90s", "5min", "1h30m"/);
  });

  test('what formatDuration writes is read back to the same seconds', () => {
    for (const seconds of [45, 90, 900, 3600, 5400, 28_800, 93_784, 691_200]) {
      assert.equal(parseDuration(formatDuration(seconds), 'ttl'), seconds);
    }
  });

  test('the upper bound itself is accepted', () => {
    assert.equal(parseDuration(MAX_DURATION_SECONDS, 'ttl'), MAX_DURATION_SECONDS);
    assert.equal(parseDuration('3650d', 'ttl'), MAX_DURATION_SECONDS);
  });
});

describe('formatDuration', () => {
  const table: Array<[number, string]> = [
    [0, '0s'], [45, '45s'], [90, '1m 30s'], [3600, '1h'], [5400, '1h 30m'], [86_400, '1d'],
    [90_061, '1d 1h 1m 1s'], [-90, '-1m 30s'], [59.9, '59s'],
  ];
  for (const [seconds, text] of table) test(`${seconds} → ${text}`, () => assert.equal(formatDuration(seconds), text));
});

describe('toLiteLLMDuration', () => {
  test('always whole seconds with "s"', () => {
    assert.equal(toLiteLLMDuration(3600), '3600s');
    assert.equal(toLiteLLMDuration(0), '0s');
    assert.equal(toLiteLLMDuration(90.9), '90s');
  });
  test('refuses negative or non-finite values', () => {
    assert.throws(() => toLiteLLMDuration(-1), KeyfobError);
    assert.throws(() => toLiteLLMDuration(Number.NaN), KeyfobError);
  });
});

describe("isLiteLLMDuration (the proxy's start-anchored grammar)", () => {
  const accepted = ['30s', '15m', '8h', '7d', '2w', '1mo', '0s', '10min', '30dxyz'];
  const rejected = ['30', '1.5h', '1H', '-1', ' 30d', '', 'd', 'mo'];
  for (const s of accepted) test(`accepts ${JSON.stringify(s)}`, () => assert.equal(isLiteLLMDuration(s), true));
  for (const s of rejected) test(`rejects ${JSON.stringify(s)}`, () => assert.equal(isLiteLLMDuration(s), false));
});

describe('parseBudgetDuration (Keyfob writes only clean forms)', () => {
  for (const s of ['30d', '1mo', '7d', '24h', '1w', ' 30d ']) {
    test(`accepts ${JSON.stringify(s)}`, () => assert.equal(parseBudgetDuration(s, 'budget_duration'), s.trim()));
  }
  for (const s of ['10min', '30', '0d', '1.5d', '30D', 'monthly', '', '-1d', '1234567d']) {
    test(`rejects ${JSON.stringify(s)}`, () => {
      assertFieldError(() => parseBudgetDuration(s, 'budget_duration'), 'budget_duration', /"30d"/);
    });
  }
  // LiteLLM's calendar resets support one-month steps only (500 on generate ≥1.76.3, 400 on update ≥1.70).
  for (const s of ['2mo', '3mo', '12mo']) {
    test(`rejects ${JSON.stringify(s)}: the proxy supports only 1mo`, () => {
      assertFieldError(() => parseBudgetDuration(s, 'budget_duration'), 'budget_duration', /only "1mo"/);
    });
  }
});
