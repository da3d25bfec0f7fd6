import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyfobError } from '../../../main/core/errors.js';
import { tokenHash } from '../../../main/core/litellm/litellm-client.js';
import { looksCalendarAligned, normalizeExpires, readGeneratedKey, readKeyInfo, readModelIds } from '../../../main/core/litellm/litellm-responses.js';

describe('normalizeExpires', () => {
  const table: Array<[unknown, string | null]> = [
    ['2026-04-12T04:23:03.213899Z', '2026-04-12T04:23:03.213Z'], // generate: Z with microseconds
    ['2026-04-12T04:23:03.213+00:00', '2026-04-12T04:23:03.213Z'], // update/info: +00:00 with milliseconds
    ['2026-04-12T04:23:03.213899+00:00', '2026-04-12T04:23:03.213Z'],
    ['2026-04-12T04:23:03+00:00', '2026-04-12T04:23:03.000Z'],
    ['2026-04-12T06:23:03.5+02:00', '2026-04-12T04:23:03.500Z'],
    ['2026-04-12T04:23:03.213+0000', '2026-04-12T04:23:03.213Z'],
    ['2026-04-12 04:23:03.213899', '2026-04-12T04:23:03.213Z'], // naive: UTC, as the proxy stores it
    [null, null],
    [undefined, null],
  ];
  for (const [input, output] of table) test(`${JSON.stringify(input)} → ${output}`, () => assert.equal(normalizeExpires(input), output));
  for (const bad of ['tomorrow', '2026-13-45T99:99:99Z', 12345]) {
    test(`refuses ${JSON.stringify(bad)} as a server error`, () => {
      assert.throws(() => normalizeExpires(bad), (e: unknown) => e instanceof KeyfobError && e.kind === 'server-error');
    });
  }
});

describe('readers', () => {
  test('generate: the token hash is computed locally, whatever token/token_id say; a missing key is a server error', () => {
    const expected = { key: 'sk-x', token: tokenHash('sk-x'), key_alias: null, expires: null, expiry_note: null };
    assert.deepEqual(readGeneratedKey({ key: 'sk-x', token_id: 'abc', key_alias: null, expires: null }), expected);
    // Era L: `token` is the plaintext key — it must never become the "hash".
    assert.deepEqual(readGeneratedKey({ key: 'sk-x', token: 'sk-x', key_alias: null, expires: null }), expected);
    // A proxy naming another key's hash: ignored.
    assert.deepEqual(readGeneratedKey({ key: 'sk-x', token: tokenHash('sk-production'), token_id: tokenHash('sk-production'), expires: null }), expected);
    assert.throws(() => readGeneratedKey({ token: 'abc' }), (e: unknown) => e instanceof KeyfobError && e.kind === 'server-error');
    assert.throws(() => readGeneratedKey({ key: 'sk-\u001b[2Jx' }), (e: unknown) => e instanceof KeyfobError && e.kind === 'server-error');
  });
  test('a calendar-aligned expiry is one without a fraction of a second', () => {
    assert.equal(looksCalendarAligned('2026-03-19T14:37:00Z'), true);
    assert.equal(looksCalendarAligned('2026-03-19T00:00:00.000000+05:30'), true);
    assert.equal(looksCalendarAligned('2026-03-18T14:37:30.000Z'), true);
    assert.equal(looksCalendarAligned('2026-03-18T14:37:26.123456Z'), false);
    assert.equal(looksCalendarAligned(null), false);
  });
  test('remote text is stripped of escapes and bidi controls', () => {
    const info = readKeyInfo({ info: { key_alias: 'a\u001b]0;pwned\u0007b\u202ec', models: ['gpt\u001b[31m-4o'], metadata: { 'k\u0007': 'v\u001b[2J' } } });
    assert.equal(info.key_alias, 'abc');
    assert.deepEqual(info.models, ['gpt-4o']);
    assert.deepEqual(info.metadata, { k: 'v' });
    assert.deepEqual(readModelIds({ data: [{ id: 'm\u009b31m1' }, { id: '\u001b[0m' }] }), ['m1']);
  });
  test('info: blocked null means false; missing numbers default', () => {
    const info = readKeyInfo({ info: { blocked: null, models: ['a', 3], expires: '2026-04-12T04:23:03.213+00:00' } });
    assert.deepEqual(info, { key_alias: null, spend: 0, max_budget: null, expires: '2026-04-12T04:23:03.213Z', models: ['a'], blocked: false, metadata: {} });
    assert.throws(() => readKeyInfo({}), KeyfobError);
  });
});
