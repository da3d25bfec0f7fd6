// Booting the desktop app for real (fake Electron, simulator, real keyring): the tray, the window's hardening, the
// first run, a start-up failure shown instead of a crash, single instance.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ADMIN_KEY, REPO_ROOT, boot, connectAndCreateRoles, createEnv, electron, fake, ok, openWindowFromTray, seedState, trayMenu } from './harness.js';
import { CONTENT_SECURITY_POLICY } from '../../main/electron/security.js';
import { KeyfobError } from '../../main/core/errors.js';
import { SESSION_ONLY_BACKEND } from '../../main/core/keychain/session-secret-store.js';
import type { SecretStore } from '../../main/core/ports.js';
import { PUSH_CHANNELS } from '../../preload/api.js';

test('a connected start shows a tray and no window, with a menu per role', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);

  assert.equal(running.primary, true);
  assert.equal(fake.windows.length, 0, 'no window at start');
  assert.equal(fake.trays.length, 1);
  assert.match(fake.tray.tooltip, /no live keys/);
  assert.match(fake.tray.image.path, /build\/tray\/idle-light\.png$/);
  const host = new URL(env.sim.url).host;
  assert.deepEqual(
    trayMenu().labels(),
    [`Connected to ${host}`, '---', 'Copy key: dev', 'Copy key: review', 'Copy shell exports: dev', 'Copy shell exports: review', '---', 'Open Keyfob', 'Settings…', '---', 'Quit'],
    'nothing to revoke: no Revoke all',
  );
  assert.equal(electron.app.sandboxEnabled, true, 'every renderer sandboxed');
});

test('the first run opens the window on the connect screen; the tray offers to connect', async (t) => {
  const env = await createEnv(t);
  const running = await boot(env);

  const win = fake.windows[0];
  assert.ok(win, 'a window was opened');
  assert.equal(win.visible, true);
  assert.deepEqual(win.webContents.sentOn(PUSH_CHANNELS.navigate), [['connect']]);
  assert.deepEqual(trayMenu().labels(), ['Not connected to a LiteLLM proxy', '---', 'Connect to a LiteLLM proxy…', '---', 'Open Keyfob', 'Settings…', '---', 'Quit']);

  await connectAndCreateRoles(running, env);
  assert.deepEqual(trayMenu().labels().slice(2, 4), ['Copy key: dev', 'Copy key: review']);
});

test('the window is hardened: isolation, sandbox, no node, CSP, no navigation, no new windows, no permissions', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  const win = openWindowFromTray();
  const prefs = win.options.webPreferences as Record<string, unknown>;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.preload, path.join(REPO_ROOT, 'dist', 'preload', 'preload.cjs'));
  assert.equal(win.loadedFile, path.join(REPO_ROOT, 'renderer', 'dist', 'index.html'));
  assert.equal(running.window.rendererUrl, win.webContents.getURL());

  const navigation = electron.fakeEvent({ url: 'https://evil.example/' });
  win.webContents.emit('will-navigate', navigation);
  assert.equal(navigation.defaultPrevented, true, 'navigation refused');
  const frameNavigation = electron.fakeEvent({ url: 'https://evil.example/' });
  win.webContents.emit('will-frame-navigate', frameNavigation);
  assert.equal(frameNavigation.defaultPrevented, true, 'sub-frame navigation refused');
  const webview = electron.fakeEvent();
  win.webContents.emit('will-attach-webview', webview);
  assert.equal(webview.defaultPrevented, true, 'webviews refused');
  assert.deepEqual(win.webContents.windowOpenHandler?.({ url: 'https://evil.example/' }), { action: 'deny' });

  const s = electron.session.defaultSession;
  let granted: boolean | null = null;
  s.permissionRequestHandler?.(win.webContents, 'clipboard-read', (g) => (granted = g), {});
  assert.equal(granted, false, 'permission requests denied');
  assert.equal(s.permissionCheckHandler?.(win.webContents, 'notifications', 'file://', {}), false);
  let headers: Record<string, string[]> | undefined;
  s.headersListener?.({ url: 'file:///x', responseHeaders: { 'X-A': ['1'] } }, (r) => (headers = r.responseHeaders));
  assert.deepEqual(headers, { 'X-A': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  assert.equal(
    CONTENT_SECURITY_POLICY,
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  );
});

test('closing the window hides it; a second launch shows and focuses the first', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  await boot(env);
  const win = openWindowFromTray();
  win.close();
  assert.equal(win.destroyed, false, 'closing only hides');
  assert.equal(win.visible, false);

  electron.app.emit('second-instance', electron.fakeEvent(), ['keyfob'], REPO_ROOT);
  assert.equal(win.visible, true);
  assert.equal(win.focused, true);
  assert.equal(fake.windows.length, 1, 'the same window, not a new one');
});

test('a second instance does not start: it quits and leaves the first alone', async (t) => {
  const env = await createEnv(t);
  fake.reset({ appPath: REPO_ROOT });
  electron.app.singleInstanceLockAvailable = false;
  const { startKeyfobApp } = await import('../../main/app.js');
  const running = await startKeyfobApp({ stateDir: env.stateDir, clock: env.clock, platform: 'linux', argv: [], appRoot: REPO_ROOT });
  assert.equal(running.primary, false);
  assert.equal(electron.app.quitCalls, 1);
  assert.equal(fake.trays.length, 0);
  assert.equal(electron.ipcMain.handlers.size, 0);
});

test('an unusable state directory is shown in the window and the tray, not a crash', async (t) => {
  const env = await createEnv(t);
  const notADirectory = path.join(env.root, 'file');
  await writeFile(notADirectory, 'not a directory');
  const running = await boot({ ...env, stateDir: path.join(notADirectory, 'state') });

  assert.equal(running.core, null);
  assert.equal(running.startError?.kind, 'state-unavailable');
  const win = fake.windows[0];
  assert.ok(win?.visible, 'the window opened');
  assert.deepEqual(win.webContents.sentOn(PUSH_CHANNELS.navigate), [['connect']]);
  const snapshot = ok(await running.handlers.getSnapshot());
  assert.match(snapshot.notices.join('\n'), /state directory|Cannot use/);
  assert.equal(fake.tray.image.path.endsWith('error-light.png'), true);
  assert.match(fake.tray.tooltip, /could not start/);
  const issued = await running.handlers.issue('dev');
  assert.equal(issued.ok, false);
  assert.equal(!issued.ok && issued.error.kind, 'state-unavailable');
});

test('a keychain that cannot be used opens the window with the reason; session-only storage then works', async (t) => {
  const env = await createEnv(t);
  const brokenKeychain: SecretStore & { probe(): Promise<void> } = {
    backend: 'Secret Service (test: broken)',
    sessionOnly: false,
    probe: async () => {
      throw new KeyfobError('keychain-unavailable', 'No Secret Service is running.', { hint: 'Start gnome-keyring.' });
    },
    get: async () => {
      throw new KeyfobError('keychain-unavailable', 'No Secret Service is running.');
    },
    set: async () => {
      throw new KeyfobError('keychain-unavailable', 'No Secret Service is running.');
    },
    delete: async () => {
      throw new KeyfobError('keychain-unavailable', 'No Secret Service is running.');
    },
  };
  const running = await boot(env, { secretStore: brokenKeychain });

  assert.ok(fake.windows[0]?.visible, 'the window opened');
  const before = ok(await running.handlers.getSnapshot());
  assert.match(before.notices.join('\n'), /keychain cannot be used: No Secret Service is running\. Start gnome-keyring\./);
  assert.match(fake.tray.tooltip, /keychain cannot be used/);
  const refused = await running.handlers.connect({ url: env.sim.url, adminKey: ADMIN_KEY });
  assert.equal(!refused.ok && refused.error.kind, 'keychain-unavailable');

  const status = ok(await running.handlers.useSessionOnlyStore());
  assert.equal(status.session_only, true);
  assert.equal(status.keychain_backend, SESSION_ONLY_BACKEND);
  ok(await running.handlers.connect({ url: env.sim.url, adminKey: ADMIN_KEY }));
  ok(await running.handlers.saveRole({ name: 'dev' }));
  const lease = ok(await running.handlers.issue('dev'));
  assert.equal(lease.state, 'active');
  await running.settled();
  assert.doesNotMatch(fake.tray.tooltip, /keychain/);
});

test('--demo runs the simulator in-process, connected, with two example roles and session-only secrets', async (t) => {
  const env = await createEnv(t);
  const running = await boot(env, { argv: ['electron', '.', '--demo'] });
  assert.ok(running.demo, 'the demo started');
  assert.notEqual(running.stateDir, env.stateDir, 'a throw-away state directory');
  const snapshot = ok(await running.handlers.getSnapshot());
  assert.equal(snapshot.connection.url, running.demo.simulator.url);
  assert.equal(snapshot.connection.session_only, true);
  assert.deepEqual(snapshot.roles.map((r) => r.name), ['dev', 'review']);
  assert.equal(fake.windows.length, 0, 'connected: no window at start');
  const lease = ok(await running.handlers.issue('dev'));
  assert.equal(lease.role, 'dev');
});
