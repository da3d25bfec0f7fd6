import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import Conf from 'conf';
import { KeyfobError } from '../../../main/core/errors.js';
import { validateRole } from '../../../main/core/roles/roles.js';
import { defaultConfig, defaultSettings } from '../../../main/core/settings/settings-schema.js';
import { openSettingsStore, type ConfStoreOptions } from '../../../main/core/settings/settings-store.js';
import type { StoredConfig } from '../../../main/core/types.js';
import { FakeClock } from '../../support/fake-clock.js';

function tempStateDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-settings-')), 'state');
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as StoredConfig;
const devRole = validateRole({ name: 'dev', ttl: '15m', max_ttl: '8h', models: ['gpt-4o'] });
const clock = () => new FakeClock('2026-04-12T04:23:03.000Z');

function addRole(config: StoredConfig, name: string): StoredConfig {
  config.roles[name] = validateRole({ name });
  return config;
}

describe('a new state directory', () => {
  test('gets config.json (mode 0600) with the defaults, in a directory created 0700', () => {
    const dir = tempStateDir();
    const store = openSettingsStore({ stateDir: dir });
    assert.equal(store.path, path.join(dir, 'config.json'));
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(store.path), 0o600);
    assert.deepEqual(readJson(store.path), defaultConfig());
    assert.deepEqual(store.read(), defaultConfig());
    assert.deepEqual(store.notices, []);
  });

  test('an existing file readable by others is tightened to 0600', () => {
    const dir = tempStateDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(defaultConfig()), { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'config.json'), 0o644);
    const store = openSettingsStore({ stateDir: dir });
    assert.equal(mode(store.path), 0o600);
  });
});

describe('reading and updating', () => {
  test('update persists, keeps mode 0600, and returns the stored result', () => {
    const store = openSettingsStore({ stateDir: tempStateDir() });
    const result = store.update((c) => ({ ...c, roles: { dev: devRole }, settings: { ...c.settings, clipboard_clear_seconds: 10 } }));
    assert.deepEqual(result.roles, { dev: devRole });
    assert.equal(readJson(store.path).settings.clipboard_clear_seconds, 10);
    assert.equal(mode(store.path), 0o600);
  });

  test('update normalises values given as people type them', () => {
    const store = openSettingsStore({ stateDir: tempStateDir() });
    const result = store.update((c) => ({
      ...c,
      settings: { ...c.settings, litellm_url: 'http://localhost:4000/v1/' },
      roles: { dev: { ...devRole, ttl: '15m', name: 'dev' } as never },
    }));
    assert.equal(result.settings.litellm_url, 'http://localhost:4000/v1');
    assert.equal(result.roles.dev?.ttl, 900);
    assert.deepEqual(readJson(store.path), result);
  });

  test('read() reflects the file on disk, not a cached copy', () => {
    const dir = tempStateDir();
    const store = openSettingsStore({ stateDir: dir });
    store.read();
    const onDisk = readJson(store.path);
    onDisk.settings.notifications = false;
    fs.writeFileSync(store.path, JSON.stringify(onDisk));
    assert.equal(store.read().settings.notifications, false);
  });

  test('update re-reads the file first: two writers (CLI and app) do not lose each other\'s changes', () => {
    const dir = tempStateDir();
    const cli = openSettingsStore({ stateDir: dir });
    const app = openSettingsStore({ stateDir: dir });
    cli.update((c) => addRole(c, 'from-cli'));
    app.update((c) => addRole(c, 'from-app'));
    assert.deepEqual(Object.keys(cli.read().roles).sort(), ['from-app', 'from-cli']);
    assert.deepEqual(Object.keys(readJson(cli.path).roles).sort(), ['from-app', 'from-cli']);
  });

  test('the change function gets a copy: mutating it without returning does nothing', () => {
    const store = openSettingsStore({ stateDir: tempStateDir() });
    const before = store.read();
    store.update((c) => {
      const copy = structuredClone(c);
      c.settings.notifications = false;
      return copy;
    });
    assert.deepEqual(store.read(), before);
  });

  test('an invalid change is refused with the fields named, and the file is left as it was', () => {
    const store = openSettingsStore({ stateDir: tempStateDir() });
    const before = fs.readFileSync(store.path, 'utf8');
    assert.throws(
      () => store.update((c) => ({ ...c, roles: { dev: { ...devRole, ttl: 9e9 } } })),
      (e: unknown) => e instanceof KeyfobError && e.kind === 'validation' && e.fields.some((f) => f.field === 'roles.dev.ttl'),
    );
    assert.throws(
      () => store.update((c) => ({ ...c, settings: { ...c.settings, request_timeout_seconds: -1 } })),
      (e: unknown) => e instanceof KeyfobError && e.fields.some((f) => f.field === 'settings.request_timeout_seconds'),
    );
    assert.equal(fs.readFileSync(store.path, 'utf8'), before);
  });
});

describe('migration', () => {
  test('a version-0 (unversioned, hand-written) file is migrated in place, with a notice', () => {
    const dir = tempStateDir();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ settings: { litellm_url: 'http://localhost:4000/v1' }, roles: { Dev: { ttl: '15m', max_ttl: '8h', models: ['gpt-4o'] } } }), { mode: 0o644 });
    const store = openSettingsStore({ stateDir: dir });
    const expected: StoredConfig = { schema_version: 1, settings: { ...defaultSettings(), litellm_url: 'http://localhost:4000/v1' }, roles: { dev: devRole } };
    assert.deepEqual(store.read(), expected);
    assert.deepEqual(readJson(file), expected);
    assert.equal(mode(file), 0o600);
    assert.equal(store.notices.length, 1);
    assert.match(store.notices[0]!, /upgraded from schema version 0 to 1/);
    assert.deepEqual(fs.readdirSync(dir), ['config.json'], 'a migration is not a corruption: no backup');
  });

  test('a file from a newer Keyfob is refused and left untouched', () => {
    const dir = tempStateDir();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'config.json');
    const text = JSON.stringify({ ...defaultConfig(), schema_version: 7 });
    fs.writeFileSync(file, text);
    assert.throws(() => openSettingsStore({ stateDir: dir }), (e: unknown) => e instanceof KeyfobError && e.kind === 'state-unavailable');
    assert.equal(fs.readFileSync(file, 'utf8'), text);
    assert.deepEqual(fs.readdirSync(dir), ['config.json']);
  });
});

describe('an unusable file is backed up, never wiped', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unparseable JSON', '{"schema_version": 1, "settings": {', /not valid JSON/],
    ['an empty file', '', /empty/],
    ['a schema violation', JSON.stringify({ ...defaultConfig(), settings: { ...defaultSettings(), request_timeout_seconds: 'soon' } }), /settings\.request_timeout_seconds/],
    ['a role that breaks the rules', JSON.stringify({ ...defaultConfig(), roles: { dev: { ...devRole, ttl: 7200, max_ttl: 3600 } } }), /roles\.dev\.ttl/],
    ['a JSON array', '[1,2,3]', /JSON object/],
  ];
  for (const [what, content, reason] of cases) {
    test(`${what}: moved to config.json.corrupt-<date>, a notice names it, defaults start`, () => {
      const dir = tempStateDir();
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, 'config.json');
      fs.writeFileSync(file, content);
      const store = openSettingsStore({ stateDir: dir, clock: clock() });
      const backup = path.join(dir, 'config.json.corrupt-20260412-042303');
      assert.equal(fs.readFileSync(backup, 'utf8'), content, 'the backup holds the original bytes');
      assert.deepEqual(store.read(), defaultConfig());
      assert.deepEqual(readJson(file), defaultConfig());
      assert.equal(mode(file), 0o600);
      assert.equal(store.notices.length, 1);
      assert.ok(store.notices[0]!.includes(backup), store.notices[0]);
      assert.match(store.notices[0]!, reason);
      assert.match(store.notices[0]!, /default settings/);
    });
  }

  test('a file that goes bad while Keyfob runs is backed up on the next read', () => {
    const dir = tempStateDir();
    const c = clock();
    const store = openSettingsStore({ stateDir: dir, clock: c });
    store.update((cfg) => addRole(cfg, 'dev'));
    fs.writeFileSync(store.path, '{ broken');
    c.jump(61_000);
    assert.deepEqual(store.read(), defaultConfig());
    const backup = path.join(dir, 'config.json.corrupt-20260412-042404');
    assert.equal(fs.readFileSync(backup, 'utf8'), '{ broken');
    assert.equal(store.notices.length, 1);
    assert.ok(store.notices[0]!.includes(backup), 'store.notices[0]!.includes(backup) is set');
  });

  test('update after the file went bad backs it up first, then applies the change to defaults', () => {
    const dir = tempStateDir();
    const store = openSettingsStore({ stateDir: dir, clock: clock() });
    fs.writeFileSync(store.path, JSON.stringify({ schema_version: 1, settings: 5, roles: {} }));
    const result = store.update((cfg) => addRole(cfg, 'ops'));
    assert.deepEqual(Object.keys(result.roles), ['ops']);
    assert.ok(fs.existsSync(path.join(dir, 'config.json.corrupt-20260412-042303')));
  });

  test('two backups in the same second get distinct names', () => {
    const dir = tempStateDir();
    const c = clock();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), 'one');
    const store = openSettingsStore({ stateDir: dir, clock: c });
    fs.writeFileSync(store.path, 'two');
    store.read();
    assert.equal(fs.readFileSync(path.join(dir, 'config.json.corrupt-20260412-042303'), 'utf8'), 'one');
    assert.equal(fs.readFileSync(path.join(dir, 'config.json.corrupt-20260412-042303-2'), 'utf8'), 'two');
    assert.equal(store.notices.length, 2);
  });

  test("the notice never quotes the file's content (it could hold anything, keys included)", () => {
    const dir = tempStateDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), '{"oops": "sk-live-abcdefghijkl1234", ');
    const store = openSettingsStore({ stateDir: dir, clock: clock() });
    assert.doesNotMatch(store.notices.join('\n'), /abcdefghijkl/);
  });
});

describe('the store class is injectable (the app passes ElectronStore)', () => {
  test("conf's options reach the class: cwd, the file name (conf's configName, electron-store's name), mode — no schema", () => {
    const seen: ConfStoreOptions[] = [];
    class RecordingConf extends Conf<Record<string, unknown>> {
      constructor(options: ConfStoreOptions) {
        seen.push(options);
        super(options as never);
      }
    }
    const dir = tempStateDir();
    const store = openSettingsStore({ stateDir: dir, storeClass: RecordingConf });
    store.update((c) => addRole(c, 'dev'));
    assert.equal(seen.length, 1);
    const options = seen[0]!;
    assert.equal(options.cwd, dir);
    assert.equal(options.configName, 'config');
    assert.equal(options.name, 'config');
    assert.equal(options.configFileMode, 0o600);
    assert.equal(options.clearInvalidConfig, false);
    assert.equal(options.schema, undefined, 'nothing for ajv to compile: the store checks the schema itself');
    assert.equal(options.rootSchema, undefined);
    assert.deepEqual(Object.keys(readJson(store.path).roles), ['dev']);
  });
});
