// The app's side of "keys go where they are used": the window's Set up buttons write Claude Code's and Codex's
// configuration with a helper command that reaches this app's state; the tray copies shell exports from the lease
// the tools share; the snapshot says which leases a helper asked for; the tray's status line says when the proxy
// stopped answering.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, advance, boot, createEnv, electron, fake, fromWindow, ok, openWindowFromTray, requestsTo, seedState, trayMenu, until } from './harness.js';
import type { TestEnv } from './harness.js';
import { formatEnvironment, recordToolAsk, shellCommandLine, toolBaseUrls, toolEnvironment } from '../../main/core/tools/index.js';
import { appKeyfobInvocation } from '../../main/electron/tool-setup.js';
import type { AppSnapshot, IpcResult, ToolSetupResult } from '../../preload/api.js';

const KDE_HINT = 'electron application/osclipboard;format="x-kde-passwordManagerHint"';

function toolEnv(env: TestEnv): Record<string, string> {
  return {
    HOME: env.root,
    XDG_CONFIG_HOME: path.join(env.root, 'config'),
    CLAUDE_CONFIG_DIR: path.join(env.root, 'claude'),
    CODEX_HOME: path.join(env.root, 'codex'),
    PATH: process.env.PATH ?? '',
  };
}

test('Set up Claude Code / Codex from the window writes their files with a helper that reaches this app’s state', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env, { env: toolEnv(env) });
  openWindowFromTray();
  const call = async <T>(channel: string, ...args: unknown[]): Promise<T> => ok((await electron.ipcMain.invoke(fromWindow(running), `keyfob:${channel}`, ...args)) as IpcResult<T>);

  assert.equal((await call<AppSnapshot>('getSnapshot')).features?.tool_setup, true, 'the window offers the buttons');

  // Unpackaged: this Node and the checkout's bin/keyfob.js, with the app's (non-default) state directory.
  const helper = [process.execPath, path.join(REPO_ROOT, 'bin', 'keyfob.js'), '--home', env.stateDir, 'token', 'dev'];
  const claude = await call<ToolSetupResult>('runToolSetup', 'dev', 'claude-code');
  // Role dev allows only gpt-4o-mini: no model Claude Code speaks, so none is written, and the window is told why.
  assert.deepEqual(claude, { tool: 'claude-code', path: path.join(env.root, 'claude', 'settings.json'), changed: true, model: null, model_note: 'No model written: Claude Code asks for its own default.' });
  assert.ok((await call<AppSnapshot>('getSnapshot')).notices.some((n) => /role dev allows gpt-4o-mini: none is a model Claude Code can speak/.test(n)), 'the warning names the role\'s models');
  const settings = JSON.parse(readFileSync(claude.path, 'utf8')) as { apiKeyHelper: string; env: Record<string, string> };
  assert.equal(settings.apiKeyHelper, shellCommandLine(helper));
  assert.equal(settings.env.ANTHROPIC_BASE_URL, env.sim.url);
  assert.match(settings.env.CLAUDE_CODE_API_KEY_HELPER_TTL_MS ?? '', /^\d+$/);
  assert.deepEqual(await call<ToolSetupResult>('runToolSetup', 'dev', 'claude-code'), { ...claude, changed: false }, 'twice changes nothing');

  const codex = await call<ToolSetupResult>('runToolSetup', 'review', 'codex');
  assert.deepEqual(codex, { tool: 'codex', path: path.join(env.root, 'codex', 'config.toml'), changed: true, model: 'gpt-4o', model_note: 'Codex will use gpt-4o, a model role review allows; change it with `keyfob setup codex review --model MODEL`.' });
  assert.match(readFileSync(path.join(env.root, 'codex', 'keyfob-review.config.toml'), 'utf8'), /^model = "gpt-4o"$/m, 'the same model planner as the CLI');
  const toml = readFileSync(codex.path, 'utf8');
  assert.match(toml, /\[model_providers\.keyfob-review\]/);
  assert.ok(toml.includes(`base_url = "${env.sim.url}/v1"`), toml);
  assert.ok(toml.includes(JSON.stringify(process.execPath)) && toml.includes(JSON.stringify(env.stateDir)) && toml.includes('"review"'), toml);
  assert.ok(existsSync(path.join(env.root, 'codex', 'keyfob-review.config.toml')), 'the profile selecting it');

  // The helper's invocation really reaches the app's state directory: the same CLI lists the app's roles.
  const listed = execFileSync(helper[0] as string, [...helper.slice(1, 4), 'role', 'list', '--json'], { env: { ...process.env, KEYFOB_HOME: '' }, encoding: 'utf8' });
  assert.deepEqual((JSON.parse(listed) as Array<{ name: string }>).map((r) => r.name).sort(), ['dev', 'review']);

  // An unknown role is refused with the core's error, and nothing is written for it.
  const refused = (await electron.ipcMain.invoke(fromWindow(running), 'keyfob:runToolSetup', 'nope', 'claude-code')) as IpcResult<unknown>;
  assert.equal(refused.ok, false);
  assert.equal(!refused.ok && refused.error.kind, 'role-not-found');
});

test('a packaged app names its launcher in the resources (the AppImage itself when it is one)', () => {
  const base = { appRoot: '/checkout', nodePath: '/usr/bin/node' };
  assert.deepEqual(appKeyfobInvocation({ ...base, platform: 'linux', resourcesPath: '/opt/Keyfob/resources', appImage: null }), ['/opt/Keyfob/resources/keyfob']);
  assert.deepEqual(appKeyfobInvocation({ ...base, platform: 'darwin', resourcesPath: '/Applications/Keyfob.app/Contents/Resources', appImage: null }), [
    '/Applications/Keyfob.app/Contents/Resources/keyfob',
  ]);
  assert.deepEqual(appKeyfobInvocation({ ...base, platform: 'win32', resourcesPath: 'C:\\Keyfob\\resources', appImage: null }).at(0)?.endsWith('keyfob.cmd'), true);
  assert.deepEqual(appKeyfobInvocation({ ...base, platform: 'linux', resourcesPath: '/tmp/.mount_Keyfob/resources', appImage: '/home/me/Keyfob.AppImage' }), [
    '/home/me/Keyfob.AppImage', '--ozone-platform=headless', '--disable-gpu', '--cli', '--',
  ]);
  assert.deepEqual(appKeyfobInvocation({ ...base, platform: 'linux', resourcesPath: null, appImage: null }), ['/usr/bin/node', '/checkout/bin/keyfob.js']);
});

test('"Copy shell exports" copies what `keyfob env` prints, from the lease the tools share, as a secret cleared later', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  const generated = requestsTo(env, '/key/generate');

  assert.ok(trayMenu().labels().includes('Copy shell exports: review'));
  trayMenu().find('Copy shell exports: dev').click();
  await until(() => electron.clipboard.contents.size > 0, 'the exports on the clipboard');
  await running.settled();
  assert.equal(requestsTo(env, '/key/generate'), generated + 1, 'no live lease: one issued');
  const [lease] = running.core?.leases.list() ?? [];
  assert.ok(lease);
  const key = await running.core?.leases.revealKey(lease.lease_id);
  assert.ok(key);
  const expected = formatEnvironment(toolEnvironment(lease, key, toolBaseUrls(env.sim.url, null)), 'sh').join('\n');
  assert.deepEqual(electron.clipboard.writes.at(-1), { 'text/plain': expected, [KDE_HINT]: 'secret' }, 'marked secret, in one write');
  assert.match(expected, /^export OPENAI_API_KEY='sk-/);

  // The tools' helpers now find that lease: the snapshot says one asked (via `keyfob env`), and a second copy
  // makes no request at all.
  const snapshot = ok(await running.handlers.getSnapshot());
  const view = snapshot.leases.find((l) => l.lease_id === lease.lease_id);
  assert.equal(view?.helper_tool, 'keyfob env');
  assert.equal(view?.helper_last_used_at, new Date(env.clock.now()).toISOString());
  const requests = env.sim.requests.length;
  electron.clipboard.copyFromElsewhere('other');
  trayMenu().find('Copy shell exports: dev').click();
  await until(async () => (await electron.clipboard.readText()) === expected, 'the same exports again');
  await running.settled();
  assert.equal(env.sim.requests.length, requests, 'a live lease: no HTTP call');

  // Cleared like a key, after the clipboard delay (30 s by default).
  await advance(env, 30_000);
  await until(async () => (await electron.clipboard.readText()) === '', 'the exports to be cleared');
});

test('the snapshot says when a tool’s key helper last asked for a lease', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  const dev = ok(await running.handlers.issue('dev'));
  const review = ok(await running.handlers.issue('review'));
  const before = ok(await running.handlers.getSnapshot()).leases.find((l) => l.lease_id === dev.lease_id);
  assert.equal(before?.helper_last_used_at, undefined, 'no helper asked yet');

  // What `keyfob token dev` (another process) leaves behind.
  recordToolAsk(env.stateDir, { lease_id: dev.lease_id, role: 'dev', last_asked_at: '2026-03-02T09:00:05.000Z', via: 'token' });
  const leases = ok(await running.handlers.getSnapshot()).leases;
  const seen = leases.find((l) => l.lease_id === dev.lease_id);
  assert.equal(seen?.helper_last_used_at, '2026-03-02T09:00:05.000Z');
  assert.equal(seen?.helper_tool, null, '`keyfob token` does not say which tool ran it');
  assert.equal(leases.find((l) => l.lease_id === review.lease_id)?.helper_last_used_at, undefined);
});

test('the tray’s status line says when the proxy stopped answering or rejected the admin key, until a call succeeds', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  const host = new URL(env.sim.url).host;
  assert.equal(trayMenu().labels()[0], `Connected to ${host}`);

  env.sim.fault('/key/generate', { kind: 'reset', count: 1 });
  const failed = await running.handlers.issue('dev');
  assert.equal(failed.ok, false);
  await running.settled();
  const at = new Date(env.clock.now());
  const hhmm = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  assert.equal(trayMenu().labels()[0], `${host}: unreachable since ${hhmm}`);
  assert.match(fake.tray.image.path, /error/);
  assert.deepEqual(ok(await running.handlers.getSnapshot()).proxy_health, { state: 'unreachable', since: at.toISOString() });

  ok(await running.handlers.issue('dev'));
  await running.settled();
  assert.equal(trayMenu().labels()[0], `Connected to ${host}`, 'the next call that reaches the proxy clears it');
  assert.equal(ok(await running.handlers.getSnapshot()).proxy_health, null);

  // From a tray click too, which reports to nobody but the notification and the status line.
  env.sim.fault('/key/generate', { kind: 'fail', status: 401, count: 1 });
  trayMenu().find('Copy key: review').click();
  await until(() => fake.notifications.length > 0, 'the failure notified');
  await running.settled();
  assert.equal(trayMenu().labels()[0], `${host}: your LiteLLM key was rejected`);

  // Errors that say nothing about the proxy leave the line alone.
  const unknownRole = await running.handlers.issue('nope');
  assert.equal(unknownRole.ok, false);
  await running.settled();
  assert.equal(trayMenu().labels()[0], `${host}: your LiteLLM key was rejected`);
});
