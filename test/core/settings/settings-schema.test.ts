import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { KeyfobError } from '../../../main/core/errors.js';
import { validateRole } from '../../../main/core/roles/roles.js';
import {
  CURRENT_SCHEMA_VERSION, DEFAULT_SETTINGS, STORED_CONFIG_SCHEMA, applySettingsPatch, defaultConfig, defaultSettings,
  migrateConfig, validateSettingsPatch,
} from '../../../main/core/settings/settings-schema.js';

function validationError(fn: () => unknown): KeyfobError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KeyfobError, String(e));
    assert.equal(e.kind, 'validation');
    return e;
  }
  assert.fail('expected a validation error');
}

describe('defaults', () => {
  test('the documented defaults', () => {
    assert.deepEqual(defaultSettings(), {
      litellm_url: null, litellm_resolved_url: null, auth_header: null, ca_file: null, allow_insecure_tls: false, request_timeout_seconds: 10,
      default_lease_ttl_seconds: 3600, max_lease_ttl_seconds: 86_400, clipboard_clear_seconds: 30,
      idle_threshold_seconds: 600, revoke_on: { quit: true, logout: true, lock: false, suspend: false },
      launch_at_login: false, notifications: true,
    });
    assert.deepEqual(defaultConfig(), { schema_version: CURRENT_SCHEMA_VERSION, settings: defaultSettings(), roles: {} });
  });
  test('DEFAULT_SETTINGS cannot be changed by accident; copies are independent', () => {
    assert.throws(() => { (DEFAULT_SETTINGS as { notifications: boolean }).notifications = false; });
    const copy = defaultSettings();
    copy.revoke_on.lock = true;
    assert.equal(DEFAULT_SETTINGS.revoke_on.lock, false);
  });
});

describe('validateSettingsPatch', () => {
  test('normalises the CLI text forms', () => {
    assert.deepEqual(validateSettingsPatch({
      litellm_url: 'https://litellm.example.com/v1/', default_lease_ttl_seconds: '30m', max_lease_ttl_seconds: '8h',
      clipboard_clear_seconds: '0', notifications: 'false', allow_insecure_tls: true, request_timeout_seconds: 20,
      idle_threshold_seconds: '5m', ca_file: '/etc/ssl/corp.pem', launch_at_login: 'true',
    }), {
      litellm_url: 'https://litellm.example.com/v1', default_lease_ttl_seconds: 1800, max_lease_ttl_seconds: 28_800,
      clipboard_clear_seconds: 0, notifications: false, allow_insecure_tls: true, request_timeout_seconds: 20,
      idle_threshold_seconds: 300, ca_file: '/etc/ssl/corp.pem', launch_at_login: true,
    });
  });
  test('null or "" clears the URL and the CA file', () => {
    assert.deepEqual(validateSettingsPatch({ litellm_url: '', ca_file: null }), { litellm_url: null, ca_file: null });
  });
  test('a partial revoke_on is completed from the current settings', () => {
    const current = { ...defaultSettings(), revoke_on: { quit: true, logout: false, lock: true, suspend: false } };
    assert.deepEqual(validateSettingsPatch({ revoke_on: { suspend: true } }, current).revoke_on, { quit: true, logout: false, lock: true, suspend: true });
  });
  test('applySettingsPatch returns whole settings', () => {
    const next = applySettingsPatch(defaultSettings(), { clipboard_clear_seconds: '1m' });
    assert.equal(next.clipboard_clear_seconds, 60);
    assert.equal(next.default_lease_ttl_seconds, 3600);
  });

  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['unknown setting', { colour: 'blue' }, 'colour'],
    ['URL without scheme', { litellm_url: 'localhost:4000' }, 'litellm_url'],
    ['URL with credentials', { litellm_url: 'https://u:p@x.example' }, 'litellm_url'],
    ['relative CA file', { ca_file: 'corp.pem' }, 'ca_file'],
    ['CA file with a newline', { ca_file: '/etc/a\nb.pem' }, 'ca_file'],
    ['CA file as a number', { ca_file: 5 }, 'ca_file'],
    ['insecure as "yes"', { allow_insecure_tls: 'yes' }, 'allow_insecure_tls'],
    ['notifications as 1', { notifications: 1 }, 'notifications'],
    ['timeout of 0', { request_timeout_seconds: 0 }, 'request_timeout_seconds'],
    ['timeout of an hour', { request_timeout_seconds: '1h' }, 'request_timeout_seconds'],
    ['default ttl of 0', { default_lease_ttl_seconds: 0 }, 'default_lease_ttl_seconds'],
    ['default ttl as words', { default_lease_ttl_seconds: 'an hour' }, 'default_lease_ttl_seconds'],
    ['max ttl negative', { max_lease_ttl_seconds: -1 }, 'max_lease_ttl_seconds'],
    ['clipboard as a boolean', { clipboard_clear_seconds: true }, 'clipboard_clear_seconds'],
    ['clipboard over a day', { clipboard_clear_seconds: '2d' }, 'clipboard_clear_seconds'],
    ['idle 0', { idle_threshold_seconds: 0 }, 'idle_threshold_seconds'],
    ['revoke_on not an object', { revoke_on: true }, 'revoke_on'],
    ['revoke_on unknown trigger', { revoke_on: { reboot: true } }, 'revoke_on.reboot'],
    ['revoke_on non-boolean', { revoke_on: { lock: 'maybe' } }, 'revoke_on.lock'],
    ['default above max', { default_lease_ttl_seconds: '2d' }, 'default_lease_ttl_seconds'],
  ];
  for (const [what, patch, field] of bad) {
    test(`${what} → ${field}`, () => {
      const e = validationError(() => validateSettingsPatch(patch));
      assert.deepEqual(e.fields.map((f) => f.field), [field], JSON.stringify(e.fields));
    });
  }
  test('every invalid field at once', () => {
    const e = validationError(() => validateSettingsPatch({ notifications: 'x', request_timeout_seconds: -1, bogus: 1 }));
    assert.deepEqual(e.fields.map((f) => f.field).sort(), ['bogus', 'notifications', 'request_timeout_seconds']);
  });
  test('default ≤ max is checked against the current settings', () => {
    const current = { ...defaultSettings(), max_lease_ttl_seconds: 7200 };
    validationError(() => validateSettingsPatch({ default_lease_ttl_seconds: '3h' }, current));
    assert.equal(validateSettingsPatch({ default_lease_ttl_seconds: '2h' }, current).default_lease_ttl_seconds, 7200);
  });
  test('not an object', () => {
    validationError(() => validateSettingsPatch('x'));
  });
});

describe('migrateConfig', () => {
  const role = validateRole({ name: 'dev', ttl: '15m', max_ttl: '8h', models: ['gpt-4o'] });
  const current = { schema_version: 1, settings: defaultSettings(), roles: { dev: role } };

  test('a current document passes unchanged', () => {
    assert.deepEqual(migrateConfig(structuredClone(current)), current);
  });
  test('version 0 (no schema_version, hand-written) is migrated: defaults filled, roles normalised', () => {
    const migrated = migrateConfig({
      settings: { litellm_url: 'http://localhost:4000/v1', default_lease_ttl_seconds: '30m' },
      roles: { Dev: { ttl: '15m', max_ttl: '8h', models: ['gpt-4o'] } },
    });
    assert.equal(migrated.schema_version, CURRENT_SCHEMA_VERSION);
    assert.deepEqual(migrated.settings, { ...defaultSettings(), litellm_url: 'http://localhost:4000/v1', default_lease_ttl_seconds: 1800 });
    assert.deepEqual(migrated.roles, { dev: role });
  });
  test('version 0 roles may be a list', () => {
    const migrated = migrateConfig({ roles: [{ name: 'dev', ttl: 900, max_ttl: 28_800, models: ['gpt-4o'] }] });
    assert.deepEqual(migrated.roles, { dev: role });
    assert.deepEqual(migrated.settings, defaultSettings());
  });
  test('an empty object is an empty version-0 document', () => {
    assert.deepEqual(migrateConfig({}), defaultConfig());
  });
  test('a newer version is refused (never downgraded or discarded)', () => {
    assert.throws(() => migrateConfig({ ...current, schema_version: 99 }),
      (e: unknown) => e instanceof KeyfobError && e.kind === 'state-unavailable' && /newer Keyfob/.test(e.message));
  });

  const broken: Array<[string, unknown, string]> = [
    ['not an object', [1, 2], '(file)'],
    ['a string schema_version', { ...current, schema_version: '1' }, 'schema_version'],
    ['a role with a bad ttl', { ...current, roles: { dev: { ...role, ttl: 'soon' } } }, 'roles.dev.ttl'],
    ['a role in text form in a v1 file', { ...current, roles: { dev: { ...role, ttl: '15m' } } }, 'roles.dev.ttl'],
    ['a role under the wrong key', { ...current, roles: { ops: role } }, 'roles.ops.name'],
    ['a role missing fields is fine but an unknown field is not', { ...current, roles: { dev: { ...role, extra: 1 } } }, 'roles.dev.extra'],
    ['a missing setting', { ...current, settings: { ...defaultSettings(), notifications: undefined } }, 'settings.notifications'],
    ['a setting of the wrong type', { ...current, settings: { ...defaultSettings(), clipboard_clear_seconds: 'x' } }, 'settings.clipboard_clear_seconds'],
    ['an unnormalised URL', { ...current, settings: { ...defaultSettings(), litellm_url: 'http://x.example/v1/' } }, 'settings.litellm_url'],
    ['an auth header that is not a header name', { ...current, settings: { ...defaultSettings(), auth_header: 'x key' } }, 'settings.auth_header'],
    ['default ttl above max', { ...current, settings: { ...defaultSettings(), default_lease_ttl_seconds: 90_000 } }, 'settings.default_lease_ttl_seconds'],
    ['an unknown top-level key', { ...current, extra: true }, 'extra'],
    ['roles not a map', { ...current, roles: 'dev' }, 'roles'],
  ];
  for (const [what, doc, field] of broken) {
    test(`${what} → ${field}`, () => {
      const e = validationError(() => migrateConfig(JSON.parse(JSON.stringify(doc)) as unknown));
      assert.ok(e.fields.some((f) => f.field === field), JSON.stringify(e.fields));
    });
  }
  test('a broken version-0 document reports its fields', () => {
    const e = validationError(() => migrateConfig({ settings: { notifications: 'often' }, roles: { '-x-': {} } }));
    assert.deepEqual(e.fields.map((f) => f.field).sort(), ['roles.-x-.name', 'settings.notifications']);
  });
});

describe('STORED_CONFIG_SCHEMA, as conf (and electron-store) enforce it', () => {
  // conf compiles the schema with ajv (draft 2020-12, strict mode) and validates every write.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-schema-'));
  const { properties, ...rootSchema } = STORED_CONFIG_SCHEMA;
  const conf = new Conf<Record<string, unknown>>({
    cwd: dir, configName: 'config', defaults: defaultConfig() as unknown as Record<string, unknown>,
    schema: structuredClone(properties) as never, rootSchema: structuredClone(rootSchema) as never,
    ajvOptions: { strict: true },
  });
  const accepts = (doc: unknown): boolean => {
    try {
      conf.store = structuredClone(doc) as Record<string, unknown>;
      return true;
    } catch (e) {
      assert.match(String(e), /Config schema violation/);
      return false;
    }
  };
  const role = validateRole({ name: 'dev', ttl: '15m', max_ttl: '8h', models: ['gpt-4o'], metadata: { team: 'a' }, tpm_limit: 10 });

  test('compiles in strict mode and accepts what migrateConfig produces', () => {
    assert.equal(accepts(defaultConfig()), true);
    assert.equal(accepts({ ...defaultConfig(), roles: { dev: role } }), true);
    const migrated = migrateConfig({ settings: { litellm_url: 'https://gw.example/litellm' }, roles: [{ name: 'x.y_z-1', budget_duration: '1mo' }] });
    assert.equal(accepts(migrated), true);
  });

  const rejected: Array<[string, unknown]> = [
    ['an older version', { ...defaultConfig(), schema_version: 0 }],
    ['a string ttl', { ...defaultConfig(), roles: { dev: { ...role, ttl: '15m' } } }],
    ['an upper-case role key', { ...defaultConfig(), roles: { Dev: role } }],
    ['a reserved metadata key', { ...defaultConfig(), roles: { dev: { ...role, metadata: { keyfob_x: 'y' } } } }],
    ['a control character', { ...defaultConfig(), roles: { dev: { ...role, team_id: 'a\u0001' } } }],
    ['a lone surrogate', { ...defaultConfig(), roles: { dev: { ...role, models: ['\uD800'] } } }],
    ['an unknown setting', { ...defaultConfig(), settings: { ...defaultSettings(), colour: 'x' } }],
    ['a URL with a query', { ...defaultConfig(), settings: { ...defaultSettings(), litellm_url: 'https://x.example?a=1' } }],
    ['a missing revoke trigger', { ...defaultConfig(), settings: { ...defaultSettings(), revoke_on: { quit: true } } }],
    ['a negative budget', { ...defaultConfig(), roles: { dev: { ...role, max_budget: -1 } } }],
    ['a missing role field', { ...defaultConfig(), roles: { dev: { ...role, ttl: undefined } } }],
  ];
  for (const [what, doc] of rejected) test(`rejects ${what}`, () => assert.equal(accepts(doc), false));
});
