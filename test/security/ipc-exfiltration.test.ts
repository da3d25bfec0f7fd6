// The IPC exfiltration suite: a compromised renderer holds every channel of window.keyfob. Whatever it sends, the
// stored LiteLLM key must never reach another host, nor the same host over weaker TLS, and no tool is pointed at
// another host (a lease key would follow). Every call goes through
// Electron's own path (ipcMain.handle with the trusted window as sender), against a hostile second server on
// 127.0.0.2 that answers like a healthy proxy and records everything.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ADMIN_KEY, advance, boot, createEnv, electron, fromWindow, ok, seedState, trayMenu } from '../app/harness.js';
import type { TestEnv } from '../app/harness.js';
import { INVOKE_CHANNELS } from '../../preload/api.js';
import type { InvokeChannel, IpcResult, LeaseView } from '../../preload/api.js';
import type { RunningApp } from '../../main/app.js';
import { startHostileServer } from './hostile-server.js';
import { KeytarSecretStore } from '../../main/core/keychain/index.js';
import { keychainServiceFor } from '../../main/core/settings/index.js';
import { decodeSessionRecord } from '../../main/core/sso/index.js';
import { ScriptedBrowser } from '../sim/sso-browser.js';
import type { HostileServer } from './hostile-server.js';

type Invoke = (channel: InvokeChannel, ...args: unknown[]) => Promise<IpcResult<unknown>>;

async function appWithLease(t: Parameters<typeof createEnv>[0]): Promise<{ env: TestEnv; running: RunningApp; invoke: Invoke; lease: LeaseView; hostile: HostileServer }> {
  const env = await createEnv(t);
  const hostile = await startHostileServer();
  env.cleanups.push(() => hostile.close());
  await seedState(env);
  const running = await boot(env);
  trayMenu().find('Open Keyfob').click();
  const invoke: Invoke = async (channel, ...args) => (await electron.ipcMain.invoke(fromWindow(running), `keyfob:${channel}`, ...args)) as IpcResult<unknown>;
  const lease = ok(await invoke('issue', 'dev')) as LeaseView;
  return { env, running, invoke, lease, hostile };
}

/**
 * One call per channel, with the arguments a hostile renderer would pick. The order keeps the state-changing
 * channels last (forgetting the key, switching to session-only storage), so every other channel still finds a
 * stored key to leak.
 */
function everyChannel(hostileUrl: string, leaseId: string): Array<[InvokeChannel, unknown[]]> {
  return [
    ['getSnapshot', []],
    ['testConnection', [{ url: hostileUrl }]],
    ['testConnection', [{}]],
    ['testConnection', [{ url: hostileUrl, allowInsecureTls: true }]],
    ['listModels', []],
    ['saveRole', [{ name: 'ops', models: ['gpt-4o'], ttl: '15m', max_ttl: '1h' }]],
    ['issue', ['ops']],
    ['copyRoleKey', ['dev']],
    ['copyLeaseKey', [leaseId]],
    ['revealKey', [leaseId]],
    ['renew', [leaseId]],
    ['keyInfo', [leaseId]],
    ['revoke', [leaseId]],
    ['revokeAll', []],
    ['deleteRole', ['review']],
    ['updateSettings', [{ allow_insecure_tls: true }]],
    ['auditLog', []],
    ['runToolSetup', ['dev', 'claude-code']],
    ['commandLineTool', ['status']],
    ['signInWithSso', [{ url: hostileUrl }]],
    ['connectVault', [{ vaultUrl: hostileUrl, proxyUrl: hostileUrl, method: 'token', secret: 'hvs.typed-by-the-renderer' }]],
    ['connect', [{ url: hostileUrl, adminKey: '' }]],
    ['signOut', []],
    ['forgetAdminKey', []],
    ['useSessionOnlyStore', []],
  ];
}

test('the suite calls every channel of window.keyfob', () => {
  const called = new Set(everyChannel('http://127.0.0.2:1', 'x').map(([channel]) => channel));
  assert.deepEqual([...called].sort(), [...INVOKE_CHANNELS].sort(), 'a new channel needs its line in everyChannel');
});

test('updateSettings({litellm_url}) to another host is refused: the URL moves only through connect, and every channel keeps the stored key home', async (t) => {
  const { env, invoke, lease, hostile } = await appWithLease(t);
  const moved = await invoke('updateSettings', { litellm_url: hostile.url });
  assert.equal(!moved.ok && moved.error.kind, 'validation', 'the window cannot move the URL');
  assert.deepEqual(!moved.ok ? moved.error.fields?.map((f) => f.field) : [], ['litellm_url']);
  const snapshot = ok(await invoke('getSnapshot')) as { settings: { litellm_url: string | null } };
  assert.equal(snapshot.settings.litellm_url, env.sim.url, 'the settings still name the proxy the key was entered for');
  ok(await invoke('updateSettings', { litellm_url: env.sim.url, clipboard_clear_seconds: 30 })); // the same URL in a patch is no change

  for (const [channel, args] of everyChannel(hostile.url, lease.lease_id)) {
    await invoke(channel, ...args);
    assert.deepEqual(hostile.carrying(ADMIN_KEY).map((r) => `${r.method} ${r.url}`), [], `after ${channel}: no request carried the admin key`);
  }
  // The scheduler's own calls (renewals, revocation at expiry) follow the same rule.
  await advance(env, 3 * 60 * 60 * 1000);
  assert.deepEqual(hostile.carrying(ADMIN_KEY), [], 'no background call carried the admin key');
});

test('updateSettings(hostile URL) then runToolSetup: the tools are set up for the proxy the key is bound to, and the hostile host hears nothing', async (t) => {
  const { env, running, invoke, hostile } = await appWithLease(t);
  await invoke('updateSettings', { litellm_url: hostile.url });
  // Even a settings file changed behind the app (another process, a hand edit) does not aim the tools.
  running.core?.settingsStore.update((c) => ({ ...c, settings: { ...c.settings, litellm_url: hostile.url } }));
  const hostilePort = new URL(hostile.url).port;
  for (const tool of ['claude-code', 'codex'] as const) {
    const setup = ok(await invoke('runToolSetup', 'dev', tool)) as { path: string };
    const dir = path.dirname(setup.path);
    const written = (await readdir(dir, { recursive: true })).map((f) => path.join(dir, String(f)));
    const texts = await Promise.all(written.map((f) => readFile(f, 'utf8').catch(() => '')));
    assert.ok(texts.some((text) => text.includes(env.sim.url)), `${tool}: set up for the bound proxy ${env.sim.url}`);
    for (const [i, text] of texts.entries()) {
      assert.equal(text.includes('127.0.0.2') || text.includes(`:${hostilePort}`), false, `${written[i]} names the hostile host`);
    }
  }
  assert.deepEqual(hostile.requests, [], 'the hostile host received nothing');
});

test('testConnection({url}) without an adminKey probes another host without the stored key, and asks for it', async (t) => {
  const { env, invoke, hostile } = await appWithLease(t);
  const probe = ok(await invoke('testConnection', { url: hostile.url })) as { reachable: boolean; admin_ok: boolean; error: { kind: string; fields?: Array<{ field: string }> } | null };
  assert.equal(probe.reachable, true, 'the host itself may be probed');
  assert.equal(probe.admin_ok, false);
  assert.equal(probe.error?.kind, 'validation');
  assert.deepEqual(probe.error?.fields?.map((f) => f.field), ['adminKey'], 'the window is told to ask for the key');
  assert.deepEqual(hostile.carrying(ADMIN_KEY), []);

  // The same URL it was stored for still tests with the stored key.
  const home = ok(await invoke('testConnection', { url: env.sim.url })) as { admin_ok: boolean };
  assert.equal(home.admin_ok, true);
  // A key typed into the same call is the person's choice: it is the one sent.
  const typed = 'sk-typed-for-the-other-host-77';
  ok(await invoke('testConnection', { url: hostile.url, adminKey: typed }));
  assert.ok(hostile.carrying(typed).length > 0, 'the typed key was used');
  assert.deepEqual(hostile.carrying(ADMIN_KEY), []);
});

test('weaker TLS on the same URL needs the key again: insecure TLS or another CA file never carries the stored key', async (t) => {
  const { env, invoke } = await appWithLease(t);
  const root = env.root;
  const masterCalls = () => env.sim.requests.filter((r) => r.auth === 'master').length;
  const before = masterCalls();

  const caFile = path.join(root, 'attacker-ca.pem');
  await writeFile(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  for (const req of [{ url: env.sim.url, allowInsecureTls: true }, { allowInsecureTls: true }, { url: env.sim.url, caFile }]) {
    const probe = ok(await invoke('testConnection', req)) as { admin_ok: boolean; error: { kind: string } | null };
    assert.equal(probe.admin_ok, false, JSON.stringify(req));
    assert.equal(probe.error?.kind, 'validation', JSON.stringify(req));
  }
  assert.equal(masterCalls(), before, 'no probe carried the admin key');

  ok(await invoke('updateSettings', { allow_insecure_tls: true }));
  const listed = await invoke('listModels');
  assert.equal(!listed.ok && listed.error.kind, 'not-connected');
  assert.match(!listed.ok ? listed.error.message : '', /with TLS certificate checks on/);
  assert.equal(masterCalls(), before, 'listModels sent nothing');

  // Entering the key again, in the same call, binds it to the new options.
  ok(await invoke('connect', { url: env.sim.url, adminKey: ADMIN_KEY, allowInsecureTls: true }));
  assert.ok(Array.isArray(ok(await invoke('listModels'))));
  // Stricter TLS than the key was entered with is fine.
  ok(await invoke('updateSettings', { allow_insecure_tls: false }));
  assert.ok(Array.isArray(ok(await invoke('listModels'))));
});

test('a settings file changed behind the app (another process, a hand edit) cannot move the stored key either', async (t) => {
  const { running, invoke, hostile } = await appWithLease(t);
  const core = running.core;
  assert.ok(core, 'core is set');
  core.settingsStore.update((c) => ({ ...c, settings: { ...c.settings, litellm_url: hostile.url } }));
  const listed = await invoke('listModels');
  assert.equal(!listed.ok && listed.error.kind, 'not-connected');
  await invoke('revokeAll');
  assert.deepEqual(hostile.carrying(ADMIN_KEY), []);
});

test('signed in with SSO from the window: main opens only the proxy\'s own sign-in page, and no channel carries the session to another host', async (t) => {
  const { env, running, invoke, hostile } = await appWithLease(t);
  env.sim.sso.release = '1.100.4';
  env.sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
  // The fake shell records the page; the scripted browser then signs in there as a person would.
  const opened: string[] = [];
  const original = electron.shell.openExternal;
  electron.shell.openExternal = async (url: string) => {
    opened.push(url);
    void new ScriptedBrowser().open(url, { decision: 'approve' });
  };
  t.after(() => { electron.shell.openExternal = original; });

  const status = ok(await invoke('signInWithSso', { url: env.sim.url })) as { sso: { user: string } | null };
  assert.equal(status.sso?.user, 'alice');
  assert.equal(opened.length, 1);
  assert.equal(new URL(opened[0] ?? '').origin, new URL(env.sim.url).origin, 'only the proxy\'s own page is opened');
  const record = decodeSessionRecord(await new KeytarSecretStore({ service: keychainServiceFor(env.stateDir) }).get('sso-session'));
  assert.ok(record, 'the session is in the keychain');
  const snapshot = JSON.stringify(ok(await invoke('getSnapshot')));
  assert.match(snapshot, /signed in with SSO as alice/);
  for (const token of [record.accessToken, record.refreshToken]) assert.equal(snapshot.includes(token), false, 'no token reaches the window');

  for (const [channel, args] of everyChannel(hostile.url, 'x')) {
    if (channel === 'signOut' || channel === 'forgetAdminKey' || channel === 'useSessionOnlyStore') continue;
    const answer = await invoke(channel, ...args);
    assert.equal(JSON.stringify(answer).includes(record.accessToken) || JSON.stringify(answer).includes(record.refreshToken), false, `${channel} answered with a token`);
    for (const token of [record.accessToken, record.refreshToken]) assert.deepEqual(hostile.carrying(token), [], `after ${channel}: no request carried a token`);
  }
  assert.equal(opened.length, 1, 'the hostile URL opened no page');
  assert.ok(running.core, 'running.core is set');
});
