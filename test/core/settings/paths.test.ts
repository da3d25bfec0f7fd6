import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  AUDIT_FILE, CONFIG_FILE, DEFAULT_KEYCHAIN_SERVICE, LEDGER_FILE, LOCK_FILE, defaultStateDir, keychainServiceFor, resolveStateDir,
} from '../../../main/core/settings/paths.js';

describe('defaultStateDir: Electron userData for "Keyfob"', () => {
  test('Linux uses XDG_CONFIG_HOME when absolute', () => {
    assert.equal(defaultStateDir('linux', { HOME: '/home/ann', XDG_CONFIG_HOME: '/cfg' }), '/cfg/Keyfob');
  });
  test('Linux falls back to ~/.config (relative XDG_CONFIG_HOME is ignored, as the spec says)', () => {
    assert.equal(defaultStateDir('linux', { HOME: '/home/ann' }), '/home/ann/.config/Keyfob');
    assert.equal(defaultStateDir('linux', { HOME: '/home/ann', XDG_CONFIG_HOME: 'rel/cfg' }), '/home/ann/.config/Keyfob');
  });
  test('macOS uses Application Support', () => {
    assert.equal(defaultStateDir('darwin', { HOME: '/Users/ann' }), '/Users/ann/Library/Application Support/Keyfob');
  });
  test('Windows uses %APPDATA%', () => {
    assert.equal(defaultStateDir('win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }), 'C:\\Users\\ann\\AppData\\Roaming\\Keyfob');
    assert.equal(defaultStateDir('win32', { USERPROFILE: 'C:\\Users\\bob' }), 'C:\\Users\\bob\\AppData\\Roaming\\Keyfob');
  });
});

describe('resolveStateDir', () => {
  const env = { HOME: '/home/ann', KEYFOB_HOME: '/srv/keyfob' };
  test('--home wins over KEYFOB_HOME', () => {
    assert.equal(resolveStateDir({ home: '/tmp/kf', env, platform: 'linux' }), '/tmp/kf');
  });
  test('KEYFOB_HOME wins over the default', () => {
    assert.equal(resolveStateDir({ env, platform: 'linux' }), '/srv/keyfob');
  });
  test('the default when neither is given (empty values ignored)', () => {
    assert.equal(resolveStateDir({ home: '', env: { HOME: '/home/ann', KEYFOB_HOME: ' ' }, platform: 'linux' }), '/home/ann/.config/Keyfob');
  });
  test('relative paths become absolute', () => {
    assert.equal(resolveStateDir({ home: 'rel/dir', env: {}, platform: 'linux' }), path.resolve('rel/dir'));
  });
});

describe('keychainServiceFor', () => {
  const env = { HOME: '/home/ann' };
  test('"Keyfob" for the default state directory (also with a trailing slash)', () => {
    assert.equal(keychainServiceFor('/home/ann/.config/Keyfob', 'linux', env), DEFAULT_KEYCHAIN_SERVICE);
    assert.equal(keychainServiceFor('/home/ann/.config/Keyfob/', 'linux', env), 'Keyfob');
  });
  test('"Keyfob:<dir>" for any other, so separate homes never share entries', () => {
    assert.equal(keychainServiceFor('/tmp/a', 'linux', env), 'Keyfob:/tmp/a');
    assert.notEqual(keychainServiceFor('/tmp/a', 'linux', env), keychainServiceFor('/tmp/b', 'linux', env));
  });
  test('case-insensitive file systems compare without case', () => {
    assert.equal(keychainServiceFor('c:\\users\\ann\\appdata\\roaming\\keyfob', 'win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }), 'Keyfob');
  });
});

test('file names', () => {
  assert.deepEqual([CONFIG_FILE, LEDGER_FILE, AUDIT_FILE, LOCK_FILE], ['config.json', 'leases.json', 'audit.log', 'state.lock']);
});
