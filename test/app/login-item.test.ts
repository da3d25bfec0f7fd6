// The Linux autostart entry: what it launches (an AppImage's own file, an unpackaged app's directory) and how the
// Exec line is quoted per the Desktop Entry Specification.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autostartEntry, defaultAutostartDir, launchCommand, quoteExecArg } from '../../main/electron/login-item.js';

test('the launch command: the AppImage itself, the packaged executable, or electron plus the app directory', () => {
  const base = { execPath: '/opt/Keyfob/keyfob', appPath: '/opt/Keyfob/resources/app.asar' };
  assert.deepEqual(launchCommand({ ...base, isPackaged: true, env: { APPIMAGE: '/home/a/Apps/Keyfob.AppImage' } }), ['/home/a/Apps/Keyfob.AppImage']);
  assert.deepEqual(launchCommand({ ...base, isPackaged: true, env: {} }), ['/opt/Keyfob/keyfob']);
  assert.deepEqual(launchCommand({ execPath: '/src/node_modules/electron/dist/electron', appPath: '/src/keyfob', isPackaged: false }), [
    '/src/node_modules/electron/dist/electron',
    '/src/keyfob',
  ]);
});

test('Exec arguments are quoted and escaped as the Desktop Entry Specification says', () => {
  assert.equal(quoteExecArg('/opt/Keyfob/keyfob'), '/opt/Keyfob/keyfob');
  assert.equal(quoteExecArg('/home/a b/Keyfob.AppImage'), '"/home/a b/Keyfob.AppImage"');
  assert.equal(quoteExecArg('/x/"$HOME`\\'), '"/x/\\"\\$HOME\\`\\\\"');
  assert.equal(quoteExecArg('/x/100%'), '/x/100%%', 'a literal % is doubled (field codes)');
  const entry = autostartEntry(['/home/a b/Keyfob.AppImage']);
  assert.match(entry, /^Exec="\/home\/a b\/Keyfob\.AppImage"$/m);
  assert.match(entry, /^X-GNOME-Autostart-enabled=true$/m);
});

test('the autostart directory follows XDG_CONFIG_HOME when it is absolute', () => {
  assert.equal(defaultAutostartDir({ XDG_CONFIG_HOME: '/cfg', HOME: '/home/a' }), '/cfg/autostart');
  assert.equal(defaultAutostartDir({ XDG_CONFIG_HOME: 'relative', HOME: '/home/a' }), '/home/a/.config/autostart');
  assert.equal(defaultAutostartDir({ HOME: '/home/a' }), '/home/a/.config/autostart');
});
