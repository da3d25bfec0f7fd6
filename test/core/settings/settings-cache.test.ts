// The settings store parses config.json again only when the file changed. The CLI and the app share the file, so
// every read must still see another process's write at once — whatever the write looks like.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { validateRole } from '../../../main/core/roles/roles.js';
import { openSettingsStore, readSettingsShared } from '../../../main/core/settings/settings-store.js';
import type { StoredConfig } from '../../../main/core/types.js';

function tempStateDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-settings-cache-')), 'state');
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as StoredConfig;

/** Rewrites the file in place (same inode), as conf does under a Snap or after EXDEV, or an editor might. */
function rewriteInPlace(file: string, change: (c: StoredConfig) => void): void {
  const config = readJson(file);
  change(config);
  fs.writeFileSync(file, JSON.stringify(config, undefined, '\t'));
}

describe('the settings cache stays fresh across processes', () => {
  test('a write by another process (temp file and rename) is seen by the next read', () => {
    const store = openSettingsStore({ stateDir: tempStateDir() });
    assert.notEqual(store.read().settings.request_timeout_seconds, 45);
    // A real second process, as the CLI beside the app would be.
    const script = `
      const fs = require('node:fs');
      const file = process.argv[1];
      const c = JSON.parse(fs.readFileSync(file, 'utf8'));
      c.settings.request_timeout_seconds = 45;
      fs.writeFileSync(file + '.tmp', JSON.stringify(c, undefined, '\\t'));
      fs.renameSync(file + '.tmp', file);`;
    const child = spawnSync(process.execPath, ['-e', script, store.path], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(store.read().settings.request_timeout_seconds, 45);
  });

  test('same-size in-place rewrites in quick succession are each seen (bytes decide while timestamps cannot)', () => {
    const store = openSettingsStore({ stateDir: tempStateDir() });
    const sizes = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const seconds = i % 2 === 0 ? 45 : 30; // two digits either way: the file keeps its size and inode
      rewriteInPlace(store.path, (c) => {
        c.settings.request_timeout_seconds = seconds;
      });
      sizes.add(fs.statSync(store.path).size);
      assert.equal(store.read().settings.request_timeout_seconds, seconds, `rewrite ${i}`);
      assert.equal(readSettingsShared(store).settings.request_timeout_seconds, seconds, `rewrite ${i} (shared)`);
    }
    assert.equal(sizes.size, 1, 'the test rewrites the file without changing its size');
  });

  test('a rewrite that restores the old mtime is still seen (the change time cannot be set back)', () => {
    const store = openSettingsStore({ stateDir: tempStateDir() });
    store.read();
    const { atime, mtime } = fs.statSync(store.path);
    rewriteInPlace(store.path, (c) => {
      c.settings.request_timeout_seconds = 45;
    });
    fs.utimesSync(store.path, atime, mtime);
    assert.equal(store.read().settings.request_timeout_seconds, 45);
  });

  test("update is a read-modify-write of the file as it is now: another process's change is kept", () => {
    const dir = tempStateDir();
    const app = openSettingsStore({ stateDir: dir });
    const cli = openSettingsStore({ stateDir: dir });
    app.read(); // the app's cache holds the file as it was
    cli.update((c) => ({ ...c, roles: { ...c.roles, 'from-cli': validateRole({ name: 'from-cli' }) } }));
    app.update((c) => ({ ...c, roles: { ...c.roles, 'from-app': validateRole({ name: 'from-app' }) } }));
    assert.deepEqual(Object.keys(readJson(app.path).roles).sort(), ['from-app', 'from-cli']);
    assert.deepEqual(Object.keys(cli.read().roles).sort(), ['from-app', 'from-cli']);
  });

  test('a file deleted or corrupted after it was cached is dealt with as before (defaults; backed up)', () => {
    const dir = tempStateDir();
    const store = openSettingsStore({ stateDir: dir });
    store.update((c) => ({ ...c, settings: { ...c.settings, notifications: false } }));
    assert.equal(store.read().settings.notifications, false);
    fs.rmSync(store.path);
    assert.equal(store.read().settings.notifications, true);
    assert.ok(fs.existsSync(store.path), 'the defaults were written back');
    store.update((c) => ({ ...c, settings: { ...c.settings, notifications: false } }));
    store.read();
    fs.writeFileSync(store.path, '{ broken');
    assert.equal(store.read().settings.notifications, true);
    assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('config.json.corrupt-')), 'the broken file was backed up');
  });
});

describe('what the cache hands out', () => {
  test('read() returns a copy each time: changing it changes neither the cache nor the file', () => {
    const store = openSettingsStore({ stateDir: tempStateDir() });
    const first = store.read();
    first.settings.notifications = false;
    first.roles.injected = validateRole({ name: 'injected' });
    const second = store.read();
    assert.notEqual(second, first);
    assert.equal(second.settings.notifications, true);
    assert.equal(second.roles.injected, undefined);
  });

  test('the shared read is frozen, the same object while the file is unchanged, and a new one after a change', () => {
    const store = openSettingsStore({ stateDir: tempStateDir() });
    const a = readSettingsShared(store);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.settings) && Object.isFrozen(a.settings.revoke_on));
    assert.equal(readSettingsShared(store), a);
    assert.throws(() => {
      (a.settings as { notifications: boolean }).notifications = false;
    }, TypeError);
    store.update((c) => ({ ...c, settings: { ...c.settings, notifications: false } }));
    const b = readSettingsShared(store);
    assert.notEqual(b, a);
    assert.equal(b.settings.notifications, false);
    assert.deepEqual(store.read(), structuredClone(b));
  });
});
