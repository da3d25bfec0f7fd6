// json-schema-check.ts against ajv (what conf and electron-store would use): on the settings schema, both must
// accept and refuse exactly the same documents — the valid ones, the known bad ones, and every single-field mutation
// of a full document.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { checkJsonSchema } from '../../../main/core/settings/json-schema-check.js';
import { validateRole } from '../../../main/core/roles/roles.js';
import { STORED_CONFIG_SCHEMA, defaultConfig, defaultSettings, migrateConfig, storedConfigSchemaProblems } from '../../../main/core/settings/settings-schema.js';

// conf's ajv set-up: draft 2020-12, all errors, strict here so that a schema mistake shows.
const ajvValidate = new Ajv2020({ allErrors: true, useDefaults: true, strict: true }).compile(structuredClone(STORED_CONFIG_SCHEMA) as object);
const ajvAccepts = (doc: unknown): boolean => ajvValidate(structuredClone(doc)) === true;
const oursAccepts = (doc: unknown): boolean => storedConfigSchemaProblems(doc).length === 0;

const role = validateRole({
  name: 'dev', ttl: '15m', max_ttl: '8h', models: ['gpt-4o', 'claude-sonnet-4'], metadata: { team: 'a', cost_centre: '42' },
  tpm_limit: 10, rpm_limit: 5, max_parallel_requests: 2, max_budget: 12.5, budget_duration: '30d', team_id: 't-1', user_id: 'u-1',
});
const full = { ...defaultConfig(), settings: { ...defaultSettings(), litellm_url: 'https://litellm.example.com', ca_file: '/etc/ssl/ca.pem' }, roles: { dev: role } };

const ODD_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e13, '', 'x', 'x'.repeat(3000), '15m', 'a\u0001b', '\uD800', 'https://x.example?a=1', [], ['a', 'a'], {}, { a: 1 },
];

/** Every path to a value in `doc` (objects and arrays included). */
function paths(value: unknown, at: string[] = []): string[][] {
  const out: string[][] = at.length ? [at] : [];
  if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

function withValue(doc: unknown, at: string[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  let node = copy;
  for (const part of at.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[at.at(-1) as string] = value;
  return copy;
}

describe('checkJsonSchema agrees with ajv on STORED_CONFIG_SCHEMA', () => {
  test('valid documents', () => {
    for (const doc of [defaultConfig(), full, migrateConfig({ roles: [{ name: 'x.y_z-1', budget_duration: '1mo' }] })]) {
      assert.equal(ajvAccepts(doc), true);
      assert.deepEqual(storedConfigSchemaProblems(doc), []);
    }
  });

  test('every single-value mutation of a full document', () => {
    let compared = 0;
    for (const at of paths(full)) {
      for (const value of ODD_VALUES) {
        const doc = withValue(full, at, value);
        assert.equal(oursAccepts(doc), ajvAccepts(doc), `${at.join('.')} = ${JSON.stringify(value)?.slice(0, 40)}`);
        compared++;
      }
    }
    assert.ok(compared > 500, `${compared} documents compared`);
  });

  test('added, removed and renamed properties at every level', () => {
    const objects = [[], ...paths(full)].filter((at) => {
      const node = at.reduce<unknown>((n, p) => (n as Record<string, unknown>)[p], full);
      return typeof node === 'object' && node !== null && !Array.isArray(node);
    });
    for (const at of objects) {
      const node = at.reduce<unknown>((n, p) => (n as Record<string, unknown>)[p], full) as Record<string, unknown>;
      const variants: unknown[] = [];
      for (const extra of ['colour', 'Dev', 'keyfob_x', 'KEYFOB_y', '-x-', 'a'.repeat(70), '', '\u0001']) {
        variants.push(at.length ? withValue(full, [...at, extra], 'v') : { ...full, [extra]: 'v' });
      }
      for (const key of Object.keys(node)) {
        const without = structuredClone(node);
        delete without[key];
        variants.push(at.length ? withValue(full, at, without) : without);
      }
      for (const doc of variants) assert.equal(oursAccepts(doc), ajvAccepts(doc), `${at.join('.') || '(root)'}: ${JSON.stringify(doc).slice(0, 120)}`);
    }
  });

  test('in-memory objects: an undefined property counts as missing, as in ajv', () => {
    const doc = { ...full, roles: { dev: { ...role, ttl: undefined } } };
    assert.equal(ajvAccepts(doc), false);
    assert.equal(oursAccepts(doc), false);
  });

  test('problems are reported with where and what', () => {
    const problems = storedConfigSchemaProblems({ ...defaultConfig(), settings: { ...defaultSettings(), request_timeout_seconds: 'x', colour: 1 } });
    assert.deepEqual(problems.sort(), ['/settings must not have the property "colour"', '/settings/request_timeout_seconds must be integer'].sort());
  });
});

describe('checkJsonSchema on its own', () => {
  test('a keyword it does not know is an error, never silently skipped', () => {
    assert.throws(() => checkJsonSchema({ type: 'string', format: 'email' }, 'a@b'), /keyword "format" is not supported/);
    assert.throws(() => checkJsonSchema({ $ref: '#/$defs/missing' }, 1), /cannot be resolved/);
  });
  test('pointers escape ~ and /', () => {
    assert.deepEqual(checkJsonSchema({ type: 'object', additionalProperties: { type: 'integer' } }, { 'a/b~c': 'x' }), ['/a~1b~0c must be integer']);
  });
});
