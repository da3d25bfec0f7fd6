// Boots the real composition root (main/app.ts) in plain Node: `electron` is the recording fake, HTTP goes to the
// simulator over real sockets, secrets to the real (throw-away) keyring, and time is a FakeClock that the tests
// move together with the simulator's clock. Import this module before anything that imports main/app.ts.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { FakeClock, flush } from '../support/fake-clock.js';
import { startSimulator } from '../sim/index.js';
import type { SimOptions, Simulator } from '../sim/index.js';
import type { KeyfobAppOptions, RunningApp } from '../../main/app.js';
import { keychainServiceFor } from '../../main/core/settings/paths.js';
import { KeytarSecretStore } from '../../main/core/keychain/secret-store.js';
import type { IpcResult } from '../../preload/api.js';

await import('../support/fake-electron/register.js');
export const electron = await import('../support/fake-electron/index.js');
export const { fake } = electron;
const { startKeyfobApp } = await import('../../main/app.js');

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const START = Date.parse('2026-03-02T09:00:00.000Z');
export const ADMIN_KEY = 'sk-app-test-master-3f9a1c';

export interface TestEnv {
  root: string;
  stateDir: string;
  autostartDir: string;
  sim: Simulator;
  clock: FakeClock;
  /** Run last-in first-out when the test ends (node:test runs `after` hooks in registration order). */
  cleanups: Array<() => Promise<void> | void>;
}

export async function createEnv(t: TestContext, simOptions: SimOptions = {}): Promise<TestEnv> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'keyfob-app-'));
  const stateDir = path.join(root, 'state');
  await mkdir(stateDir, { recursive: true });
  const sim = await startSimulator({ masterKey: ADMIN_KEY, startTime: START, ...simOptions });
  const env: TestEnv = { root, stateDir, autostartDir: path.join(root, 'autostart'), sim, clock: new FakeClock(START), cleanups: [] };
  env.cleanups.push(() => rm(root, { recursive: true, force: true, maxRetries: 5 }), () => sim.close());
  t.after(async () => {
    for (const cleanup of env.cleanups.splice(0).reverse()) await cleanup();
  });
  return env;
}

/** A fresh fake Electron, ready, and the app started on it; disposed when the test ends. */
export async function boot(env: TestEnv, options: KeyfobAppOptions = {}): Promise<RunningApp> {
  fake.reset({ appPath: REPO_ROOT, userData: path.join(env.root, 'userData') });
  electron.app.makeReady();
  // The keychain service is derived from the state directory per platform: keep the Linux one when a test plays
  // another platform, so the admin key stored by `seedState` is found.
  const secretStore = options.platform && options.platform !== 'linux' ? new KeytarSecretStore({ service: keychainServiceFor(env.stateDir, 'linux') }) : undefined;
  const running = await startKeyfobApp({
    ...(secretStore ? { secretStore } : {}),
    stateDir: env.stateDir,
    clock: env.clock,
    platform: 'linux',
    argv: ['electron', '.'],
    env: { HOME: env.root, XDG_CONFIG_HOME: path.join(env.root, 'config') },
    appRoot: REPO_ROOT,
    autostartDir: env.autostartDir,
    ...options,
  });
  env.cleanups.push(() => running.dispose());
  await running.settled();
  return running;
}

/** The value of a successful IpcResult; fails the test with the error otherwise. */
export function ok<T>(result: IpcResult<T>): T {
  if (!result.ok) assert.fail(`expected success, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

/** Connects the app to the simulator and creates two roles, `dev` and `review`. */
export async function connectAndCreateRoles(running: RunningApp, env: TestEnv): Promise<void> {
  const h = running.handlers;
  ok(await h.connect({ url: env.sim.url, adminKey: ADMIN_KEY }));
  ok(await h.saveRole({ name: 'dev', models: ['gpt-4o-mini'], ttl: '15m', max_ttl: '2h' }));
  ok(await h.saveRole({ name: 'review', models: ['gpt-4o'], ttl: '1h', max_ttl: '8h' }));
  await running.settled();
}

/** A state directory that is connected and has the two roles, left by an app that has quit since. */
export async function seedState(env: TestEnv): Promise<void> {
  const running = await boot(env);
  await connectAndCreateRoles(running, env);
  await running.dispose();
}

/**
 * Waits for I/O (HTTP round trips to the simulator, keyring calls) to deliver `condition`. Time does not move:
 * this only lets the event loop run, with a generous real-time cap so a broken test fails instead of hanging.
 */
export async function until(condition: () => boolean | Promise<boolean>, what: string, capMs = 5_000): Promise<void> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > capMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Moves the app's and the simulator's clocks together, letting HTTP calls that timers start finish. */
export async function advance(env: TestEnv, ms: number): Promise<void> {
  env.sim.clock.advance(ms);
  await env.clock.advance(ms, () => flush(20));
}

/** How many calls the simulator saw on `path` (e.g. '/key/generate'). */
export function requestsTo(env: TestEnv, route: string): number {
  return env.sim.requests.filter((r) => r.path === route).length;
}

/** The tray's current menu. */
export function trayMenu(): InstanceType<typeof electron.FakeMenu> {
  const menu = fake.tray.contextMenu;
  assert.ok(menu, 'the tray has a context menu');
  return menu;
}

/** Opens the window from the tray's menu, as a person would, and returns it. */
export function openWindowFromTray(): InstanceType<typeof electron.BrowserWindow> {
  trayMenu().find('Open Keyfob').click();
  const win = fake.windows[0];
  assert.ok(win, 'the tray opened a window');
  return win;
}

/** What the trusted window's renderer would send: the app's own window, its main frame. */
export function fromWindow(running: RunningApp): { webContents: InstanceType<typeof electron.FakeWebContents> } {
  const win = running.window.browserWindow;
  assert.ok(win, 'the window exists');
  return { webContents: (win as unknown as InstanceType<typeof electron.BrowserWindow>).webContents };
}
