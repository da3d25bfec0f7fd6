import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyfobError } from '../../../main/core/errors.js';
import { normalizeExpires, readGeneratedKey, readKeyInfo } from '../../../main/core/litellm/litellm-responses.js';

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
  test('generate: token_id is accepted when token is absent; a missing key is a server error', () => {
    assert.deepEqual(readGeneratedKey({ key: 'sk-x', token_id: 'abc', key_alias: null, expires: null }), { key: 'sk-x', token: 'abc', key_alias: null, expires: null });
    assert.throws(() => readGeneratedKey({ token: 'abc' }), (e: unknown) => e instanceof KeyfobError && e.kind === 'server-error');
  });
  test('info: blocked null means false; missing numbers default', () => {
    const info = readKeyInfo({ info: { blocked: null, models: ['a', 3], expires: '2026-04-12T04:23:03.213+00:00' } });
    assert.deepEqual(info, { key_alias: null, spend: 0, max_budget: null, expires: '2026-04-12T04:23:03.213Z', models: ['a'], blocked: false, metadata: {} });
    assert.throws(() => readKeyInfo({}), KeyfobError);
  });
});
