// Datetimes the way Python prints them: the three forms the contract names, and isoformat's "no fraction at zero" rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoDatabase, isoGenerate, isoPlain, isoUpdate } from './time-format.js';

const US = Date.parse('2026-04-12T04:23:03.213Z') * 1000 + 899;
const WHOLE_SECOND = Date.parse('2026-04-12T04:23:03.000Z') * 1000;

test('generate: Z with microseconds', () => {
  assert.equal(isoGenerate(US), '2026-04-12T04:23:03.213899Z');
});

test('update: +00:00 with microseconds', () => {
  assert.equal(isoUpdate(US), '2026-04-12T04:23:03.213899+00:00');
});

test('database rows (info, list): +00:00 with millisecond precision, printed as six digits', () => {
  assert.equal(isoDatabase(US), '2026-04-12T04:23:03.213000+00:00');
});

test('Python omits the fraction when it is zero', () => {
  assert.equal(isoGenerate(WHOLE_SECOND), '2026-04-12T04:23:03Z');
  assert.equal(isoDatabase(WHOLE_SECOND + 999), '2026-04-12T04:23:03+00:00');
});

test('every form parses back to the same millisecond in JavaScript', () => {
  for (const text of [isoGenerate(US), isoUpdate(US), isoDatabase(US), isoPlain(US)]) {
    assert.equal(Date.parse(text), Date.parse('2026-04-12T04:23:03.213Z'), text);
  }
});
