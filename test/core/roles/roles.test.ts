import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyfobError } from '../../../main/core/errors.js';
import { DEFAULT_KEY_ALIAS_PREFIX, defaultRole, normalizeRoleName, validateRole, validateRoleName } from '../../../main/core/roles/roles.js';
import type { RoleInput } from '../../../main/core/types.js';

function validationFields(fn: () => unknown): KeyfobError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KeyfobError);
    assert.equal(e.kind, 'validation');
    return e;
  }
  assert.fail('expected a validation error');
}

describe('role names', () => {
  test('are trimmed and lower-cased', () => {
    assert.equal(normalizeRoleName('  Dev-Team '), 'dev-team');
    assert.equal(validateRole({ name: 'CI.Nightly_1' }).name, 'ci.nightly_1');
  });

  for (const name of ['a', 'dev', 'team.ci-1', '_private_', 'x9', 'a_b', 'ALLCAPS']) {
    test(`accepts ${JSON.stringify(name)}`, () => assert.equal(validateRoleName(name), name.toLowerCase()));
  }
  for (const name of ['', '   ', '-dev', 'dev-', '.dev', 'dev.', 'de v', 'dév', 'dev/ops', 'a'.repeat(65), 'de\tv', 'ключ']) {
    test(`rejects ${JSON.stringify(name)} on the field "name"`, () => {
      const e = validationFields(() => validateRole({ name }));
      assert.deepEqual(e.fields.map((f) => f.field), ['name']);
    });
  }
  test('a missing or non-string name is reported', () => {
    const e = validationFields(() => validateRole({} as RoleInput));
    assert.deepEqual(e.fields.map((f) => f.field), ['name']);
    assert.match(e.fields[0]!.message, /required/);
  });
});

describe('defaults', () => {
  test('defaultRole has every optional field at its default', () => {
    assert.deepEqual(defaultRole('Dev'), {
      name: 'dev', models: [], max_budget: 0, budget_duration: null, tpm_limit: null, rpm_limit: null,
      max_parallel_requests: null, team_id: null, user_id: null, key_alias_prefix: DEFAULT_KEY_ALIAS_PREFIX,
      metadata: {}, ttl: 0, max_ttl: 0,
    });
  });
  test('empty strings for optional fields mean "unset"', () => {
    const role = validateRole({ name: 'dev', max_budget: '', tpm_limit: '', team_id: ' ', key_alias_prefix: '', ttl: '', budget_duration: '' });
    assert.equal(role.max_budget, 0);
    assert.equal(role.tpm_limit, null);
    assert.equal(role.team_id, null);
    assert.equal(role.key_alias_prefix, 'keyfob');
    assert.equal(role.ttl, 0);
    assert.equal(role.budget_duration, null);
  });
});

describe('a full valid role is normalised', () => {
  test('strings become numbers and seconds, models are trimmed and de-duplicated', () => {
    const role = validateRole({
      name: 'Dev', models: [' gpt-4o ', 'gpt-4o', 'claude-sonnet-4'], max_budget: '12.5', budget_duration: '30d',
      tpm_limit: '100000', rpm_limit: 60, max_parallel_requests: '4', team_id: 'team-a', user_id: 'me@example.com',
      key_alias_prefix: 'kf.dev_1', metadata: { owner: 'me', purpose: '' }, ttl: '15m', max_ttl: '8h',
    });
    assert.deepEqual(role, {
      name: 'dev', models: ['gpt-4o', 'claude-sonnet-4'], max_budget: 12.5, budget_duration: '30d', tpm_limit: 100_000,
      rpm_limit: 60, max_parallel_requests: 4, team_id: 'team-a', user_id: 'me@example.com', key_alias_prefix: 'kf.dev_1',
      metadata: { owner: 'me', purpose: '' }, ttl: 900, max_ttl: 28_800,
    });
  });
  test('validating a validated role gives the same role (idempotent)', () => {
    const role = validateRole({ name: 'x', ttl: '1h', max_ttl: '2h', models: ['m'], metadata: { a: 'b' } });
    assert.deepEqual(validateRole(role), role);
  });
  test('ttl equal to max_ttl is fine; either alone is fine', () => {
    assert.equal(validateRole({ name: 'x', ttl: '1h', max_ttl: 3600 }).ttl, 3600);
    assert.equal(validateRole({ name: 'x', ttl: '48h' }).ttl, 172_800);
    assert.equal(validateRole({ name: 'x', max_ttl: '1h' }).max_ttl, 3600);
  });
});

describe('every invalid field is named', () => {
  const longText = 'x'.repeat(300);
  const cases: Array<[string, Partial<Record<keyof RoleInput, unknown>> & Record<string, unknown>, string]> = [
    ['models not a list', { models: 'gpt-4o' }, 'models'],
    ['an empty model name', { models: ['gpt-4o', ''] }, 'models'],
    ['a non-string model', { models: [42] }, 'models'],
    ['a model name with a newline', { models: ['gpt\n4o'] }, 'models'],
    ['an oversized model name', { models: [longText] }, 'models'],
    ['too many models', { models: Array.from({ length: 201 }, (_, i) => `m${i}`) }, 'models'],
    ['a negative budget', { max_budget: -1 }, 'max_budget'],
    ['a text budget', { max_budget: 'ten' }, 'max_budget'],
    ['an infinite budget', { max_budget: Number.POSITIVE_INFINITY }, 'max_budget'],
    ['a NaN budget', { max_budget: Number.NaN }, 'max_budget'],
    ['an absurd budget', { max_budget: 1e12 }, 'max_budget'],
    ['a boolean budget', { max_budget: true }, 'max_budget'],
    ['a fractional tpm', { tpm_limit: 1.5 }, 'tpm_limit'],
    ['a negative rpm', { rpm_limit: -5 }, 'rpm_limit'],
    ['a fractional string parallel', { max_parallel_requests: '2.5' }, 'max_parallel_requests'],
    ['an exponent string', { rpm_limit: '1e3' }, 'rpm_limit'],
    ['an oversized limit', { tpm_limit: 1e15 }, 'tpm_limit'],
    ['a sloppy budget duration', { budget_duration: '10min' }, 'budget_duration'],
    ['a bare-number budget duration', { budget_duration: '30' }, 'budget_duration'],
    ['a team id with control chars', { team_id: 'team\u0007' }, 'team_id'],
    ['a user id with a lone surrogate', { user_id: 'me\uD800' }, 'user_id'],
    ['an oversized user id', { user_id: longText }, 'user_id'],
    ['a number team id', { team_id: 7 }, 'team_id'],
    ['a prefix with a space', { key_alias_prefix: 'key fob' }, 'key_alias_prefix'],
    ['a prefix with a slash', { key_alias_prefix: 'a/b' }, 'key_alias_prefix'],
    ['a prefix ending in a dash', { key_alias_prefix: 'keyfob-' }, 'key_alias_prefix'],
    ['a prefix with non-ASCII', { key_alias_prefix: 'clé' }, 'key_alias_prefix'],
    ['an oversized prefix', { key_alias_prefix: 'k'.repeat(33) }, 'key_alias_prefix'],
    ['metadata as a list', { metadata: ['a'] }, 'metadata'],
    ['metadata with a number value', { metadata: { a: 1 } }, 'metadata'],
    ['metadata with an empty key', { metadata: { '': 'x' } }, 'metadata'],
    ['metadata with a reserved key', { metadata: { keyfob_lease_id: 'x' } }, 'metadata'],
    ['metadata with a reserved key in capitals', { metadata: { KEYFOB_role: 'x' } }, 'metadata'],
    ['metadata with an oversized value', { metadata: { a: 'v'.repeat(513) } }, 'metadata'],
    ['metadata with an oversized key', { metadata: { ['k'.repeat(65)]: 'v' } }, 'metadata'],
    ['metadata with a control char', { metadata: { a: 'line\nbreak' } }, 'metadata'],
    ['metadata with a lone surrogate key', { metadata: { '\uDC00': 'v' } }, 'metadata'],
    ['too much metadata', { metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
    ['a bad ttl', { ttl: '1.5s' }, 'ttl'],
    ['a negative ttl', { ttl: -60 }, 'ttl'],
    ['a bad max_ttl', { max_ttl: '1 fortnight' }, 'max_ttl'],
    ['ttl above max_ttl', { ttl: '2h', max_ttl: '1h' }, 'ttl'],
    ['an unknown field (typo)', { max_buget: 5 }, 'max_buget'],
  ];
  for (const [what, extra, field] of cases) {
    test(`${what} → ${field}`, () => {
      const e = validationFields(() => validateRole({ name: 'dev', ...extra } as RoleInput));
      assert.deepEqual(e.fields.map((f) => f.field), [field], JSON.stringify(e.fields));
      assert.ok(e.fields[0]!.message.length > 0);
      assert.match(e.message, new RegExp(`Role "dev" is not valid: .*${field}`));
    });
  }

  test('all at once, not only the first', () => {
    const e = validationFields(() => validateRole({
      name: '-bad-', models: 'x' as unknown as string[], max_budget: -1, tpm_limit: 1.5, key_alias_prefix: 'a b',
      metadata: { keyfob_x: 'y' }, ttl: 'soon', max_ttl: '1.5s',
    }));
    assert.deepEqual(e.fields.map((f) => f.field).sort(),
      ['key_alias_prefix', 'max_budget', 'max_ttl', 'metadata', 'models', 'name', 'tpm_limit', 'ttl'].sort());
  });

  test('the prefix message says which characters are allowed', () => {
    const e = validationFields(() => validateRole({ name: 'dev', key_alias_prefix: 'a b' }));
    assert.match(e.fields[0]!.message, /letters, digits, "-", "_" and "\."/);
  });

  test('duration messages show an example', () => {
    const e = validationFields(() => validateRole({ name: 'dev', ttl: 'soon' }));
    assert.match(e.fields[0]!.message, /"5min"/);
  });

  test('ttl > max_ttl says both values', () => {
    const e = validationFields(() => validateRole({ name: 'dev', ttl: '2h', max_ttl: '1h' }));
    assert.match(e.fields[0]!.message, /max_ttl \(2h > 1h\)/);
  });

  test('a non-object input is refused', () => {
    const e = validationFields(() => validateRole('dev' as unknown as RoleInput));
    assert.deepEqual(e.fields.map((f) => f.field), ['role']);
  });
});
