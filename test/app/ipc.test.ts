// The IPC boundary through Electron's own path (ipcMain.handle): who may call, what they may send, what the window
// gets back — and the preload that the window actually uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_KEY, boot, createEnv, electron, fromWindow, ok, openWindowFromTray, seedState, trayMenu } from './harness.js';
import { INVOKE_CHANNELS, PUSH_CHANNELS, channelName } from '../../preload/api.js';
import type { AppSnapshot, IpcResult, KeyfobApi } from '../../preload/api.js';
import { REFUSED_SENDER_MESSAGE } from '../../main/ipc/register.js';

test('every API channel is registered, and answers the app’s own window', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  assert.deepEqual([...electron.ipcMain.handlers.keys()].filter((c) => c.startsWith('keyfob:')).sort(), INVOKE_CHANNELS.map(channelName).sort());

  trayMenu().find('Open Keyfob').click();
  const result = (await electron.ipcMain.invoke(fromWindow(running), 'keyfob:getSnapshot')) as IpcResult<AppSnapshot>;
  assert.deepEqual(ok(result).roles.map((r) => r.name), ['dev', 'review']);
});

test('calls from anything but the app’s window are refused before they reach the core', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  trayMenu().find('Open Keyfob').click();
  const own = fromWindow(running);
  const generated = () => env.sim.requests.filter((r) => r.path === '/key/generate').length;

  // Another window (say, one a compromised page managed to open).
  const stranger = new electron.BrowserWindow({});
  await stranger.loadFile(running.window.rendererUrl.replace('file://', ''));
  await assert.rejects(electron.ipcMain.invoke({ webContents: stranger.webContents }, 'keyfob:issue', 'dev'), { message: REFUSED_SENDER_MESSAGE });

  // An iframe inside the app's window.
  const iframe = own.webContents.mainFrame.child(running.window.rendererUrl);
  await assert.rejects(electron.ipcMain.invoke({ webContents: own.webContents, frame: iframe }, 'keyfob:issue', 'dev'), { message: REFUSED_SENDER_MESSAGE });

  // The app's window showing some other page.
  const rendererUrl = own.webContents.mainFrame.url;
  own.webContents.mainFrame.url = 'https://evil.example/index.html';
  await assert.rejects(electron.ipcMain.invoke(own, 'keyfob:revealKey', 'whatever'), { message: REFUSED_SENDER_MESSAGE });
  own.webContents.mainFrame.url = 'file:///tmp/other/index.html';
  await assert.rejects(electron.ipcMain.invoke(own, 'keyfob:getSnapshot'), { message: REFUSED_SENDER_MESSAGE });

  // A frame that has gone away.
  await assert.rejects(electron.ipcMain.invoke({ webContents: own.webContents, frame: null }, 'keyfob:getSnapshot'), { message: REFUSED_SENDER_MESSAGE });

  own.webContents.mainFrame.url = `${rendererUrl}#/keys`;
  ok((await electron.ipcMain.invoke(own, 'keyfob:issue', 'dev')) as IpcResult<unknown>);
  assert.equal(generated(), 1, 'only the trusted call issued a key');
});

test('malformed payloads get a validation error and never reach the core', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  trayMenu().find('Open Keyfob').click();
  const call = async (channel: string, ...args: unknown[]) => (await electron.ipcMain.invoke(fromWindow(running), `keyfob:${channel}`, ...args)) as IpcResult<unknown>;
  const refusal = async (channel: string, ...args: unknown[]): Promise<string> => {
    const result = await call(channel, ...args);
    assert.equal(result.ok, false, `${channel}(${JSON.stringify(args).slice(0, 80)}) was accepted`);
    assert.equal(!result.ok && result.error.kind, 'validation');
    return !result.ok ? result.error.message : '';
  };

  assert.match(await refusal('issue', 42), /issue must be a string, not number/);
  assert.match(await refusal('issue'), /expects 1 argument, got 0/);
  assert.match(await refusal('issue', 'dev', 'extra'), /at most 1 argument/);
  assert.match(await refusal('revealKey', 'x'.repeat(10_000)), /longer than 128/);
  assert.match(await refusal('connect', { url: env.sim.url }), /adminKey is required/);
  assert.match(await refusal('connect', { url: env.sim.url, adminKey: ADMIN_KEY, evil: true }), /unknown field "evil"/);
  const vault = { vaultUrl: 'https://vault.example:8200', proxyUrl: env.sim.url, method: 'userpass', username: 'alice', secret: 'pw' };
  assert.match(await refusal('connectVault', { ...vault, evil: true }), /connectVault has an unknown field "evil"/);
  assert.match(await refusal('connectVault', { ...vault, method: 'ldap' }), /connectVault\.method must be token, userpass or oidc/);
  assert.match(await refusal('connectVault', { vaultUrl: vault.vaultUrl, method: 'token' }), /connectVault\.proxyUrl is required/);
  assert.match(await refusal('connectVault', { ...vault, vaultUrl: 42 }), /connectVault\.vaultUrl must be a string, not number/);
  assert.match(await refusal('connectVault', { ...vault, secret: 'x'.repeat(5000) }), /connectVault\.secret is longer than 4096/);
  assert.match(await refusal('connectVault', { ...vault, namespace: 'n'.repeat(300) }), /connectVault\.namespace is longer than 256/);
  assert.match(await refusal('connectVault', { ...vault, method: 'oidc', oidcPort: '8250' }), /connectVault\.oidcPort must be a finite number, not string/);
  // A port's shape passes the gate; its range is the request's own check, named on the window's field.
  const outOfRange = await call('connectVault', { ...vault, method: 'oidc', oidcPort: 70000 });
  assert.deepEqual(!outOfRange.ok && outOfRange.error.fields, [{ field: 'oidcPort', message: 'must be a port number from 1 to 65535' }]);
  assert.match(await refusal('updateSettings', { revoke_on: { quit: 'yes' } }), /revoke_on\.quit must be true or false/);
  assert.match(await refusal('updateSettings', [1, 2]), /must be an object, not an array/);
  assert.match(await refusal('saveRole', { name: 'r', metadata: { a: 1 } }), /metadata\.a must be a string/);
  assert.match(await refusal('saveRole', { name: 'r', models: 'gpt-4o' }), /models must be a list/);
  assert.match(await refusal('auditLog', 0), /whole number from 1 to 10000/);
  assert.match(await refusal('getSnapshot', 'unexpected'), /at most 0 arguments/);

  assert.equal(env.sim.requests.filter((r) => r.path === '/key/generate').length, 0);
  ok(await call('auditLog'));
  ok(await call('auditLog', 5));
});

test('the window never receives the admin key, and a virtual key only when it asks to reveal one', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  trayMenu().find('Open Keyfob').click();
  const own = fromWindow(running);
  const invoke = async <T>(channel: string, ...args: unknown[]) => ok((await electron.ipcMain.invoke(own, `keyfob:${channel}`, ...args)) as IpcResult<T>);

  const lease = await invoke<{ lease_id: string }>('issue', 'dev');
  await invoke('copyRoleKey', 'review');
  await invoke('getSnapshot');
  await running.settled();
  const key = await running.core?.leases.revealKey(lease.lease_id);
  assert.ok(key?.startsWith('sk-'));

  const everythingSent = JSON.stringify(own.webContents.sent);
  assert.ok(own.webContents.sentOn(PUSH_CHANNELS.snapshot).length > 0, 'snapshots were pushed');
  assert.equal(everythingSent.includes(ADMIN_KEY), false, 'no admin key in any message to the window');
  assert.equal(everythingSent.includes(key ?? '?'), false, 'no virtual key pushed to the window');
  const status = (own.webContents.sentOn(PUSH_CHANNELS.snapshot).at(-1)?.[0] as AppSnapshot).connection;
  assert.deepEqual(Object.keys(status).sort(), ['admin_key_stored', 'identity', 'keychain_backend', 'session_only', 'sso', 'url']);

  assert.equal(await invoke<string>('revealKey', lease.lease_id), key, 'revealed on request');
});

test('the preload exposes exactly window.keyfob, and it round-trips through IPC', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  const win = openWindowFromTray();
  electron.ipcRenderer.window = win;
  await import('../../preload/preload.js');

  assert.deepEqual([...electron.contextBridge.exposed.keys()], ['keyfob']);
  const api = electron.contextBridge.exposed.get('keyfob') as KeyfobApi;
  assert.deepEqual(Object.keys(api).sort(), [...INVOKE_CHANNELS, 'onNavigate', 'onSnapshot'].sort());

  const snapshots: AppSnapshot[] = [];
  const unsubscribe = api.onSnapshot((s) => snapshots.push(s));
  const issued = await api.issue('dev');
  assert.equal(issued.ok, true);
  await running.settled();
  assert.equal(snapshots.at(-1)?.leases.length, 1, 'a snapshot arrived after the change');
  unsubscribe();
  ok(await api.revokeAll());
  await running.settled();
  assert.equal(snapshots.at(-1)?.leases.length, 1, 'no snapshot after unsubscribing');
});
