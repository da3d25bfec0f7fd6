// The revoke triggers, each on and off: screen lock, suspend, quit, logout (Linux/macOS `shutdown`, Windows
// session end); a quit against a dead proxy that ends within its bound and leaves `revoking` leases for the next
// start; resume; launch at login.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { advance, boot, createEnv, electron, fake, ok, seedState, until } from './harness.js';
import type { TestEnv } from './harness.js';
import type { RunningApp } from '../../main/app.js';
import type { RevokeTrigger } from '../../main/core/types.js';

const ALL_OFF: Record<RevokeTrigger, boolean> = { quit: false, logout: false, lock: false, suspend: false };

/** A booted app with one live key per role and only `on` triggers enabled. */
async function withTwoKeys(env: TestEnv, on: Partial<Record<RevokeTrigger, boolean>>, platform: NodeJS.Platform = 'linux'): Promise<RunningApp> {
  await seedState(env);
  const running = await boot(env, { platform });
  ok(await running.handlers.updateSettings({ revoke_on: { ...ALL_OFF, ...on } }));
  ok(await running.handlers.issue('dev'));
  ok(await running.handlers.issue('review'));
  await running.settled();
  assert.equal(env.sim.liveKeys().length, 2);
  return running;
}

const liveLeases = (running: RunningApp): number => running.core?.leases.list().filter((l) => l.state === 'active').length ?? -1;

for (const enabled of [true, false]) {
  test(`screen lock ${enabled ? 'revokes' : 'does not revoke'} when "revoke on lock" is ${enabled ? 'on' : 'off'} (Linux: seen by polling)`, async (t) => {
    const env = await createEnv(t);
    const running = await withTwoKeys(env, { lock: enabled });
    electron.powerMonitor.locked = true;
    await advance(env, 30_000); // the next activity poll sees "locked"
    await running.settled();
    if (enabled) await until(() => env.sim.liveKeys().length === 0, 'both keys to be deleted');
    assert.equal(env.sim.liveKeys().length, enabled ? 0 : 2);
    assert.equal(liveLeases(running), enabled ? 0 : 2);
    if (enabled) assert.equal(running.core?.leases.list({ all: true })[0]?.ended_reason, 'revoked on screen lock');
  });

  test(`suspend ${enabled ? 'revokes' : 'does not revoke'} when "revoke on suspend" is ${enabled ? 'on' : 'off'}`, async (t) => {
    const env = await createEnv(t);
    const running = await withTwoKeys(env, { suspend: enabled, lock: true });
    electron.powerMonitor.emit('suspend');
    await running.settled();
    if (enabled) await until(() => env.sim.liveKeys().length === 0, 'both keys to be deleted');
    assert.equal(env.sim.liveKeys().length, enabled ? 0 : 2);
    assert.equal(liveLeases(running), enabled ? 0 : 2);
  });

  test(`quit ${enabled ? 'revokes' : 'does not revoke'} when "revoke on quit" is ${enabled ? 'on' : 'off'}`, async (t) => {
    const env = await createEnv(t);
    const running = await withTwoKeys(env, { quit: enabled, logout: true });
    electron.app.quit(); // what the OS menu, Cmd-Q or the tray's Quit do
    assert.equal(electron.app.quitCompleted, false, 'the first before-quit is held back');
    await running.lifecycle?.quitSequenceDone;
    assert.equal(electron.app.quitCompleted, true, 'then the app quits for real');
    assert.equal(env.sim.liveKeys().length, enabled ? 0 : 2);
    assert.equal(fake.trays.every((tray) => tray.destroyed), true);
    assert.equal(electron.ipcMain.handlers.size, 0, 'IPC handlers removed');
  });

  test(`logout/shutdown ${enabled ? 'revokes' : 'does not revoke'} when "revoke on logout" is ${enabled ? 'on' : 'off'} (quit stays on)`, async (t) => {
    const env = await createEnv(t);
    const running = await withTwoKeys(env, { logout: enabled, quit: true });
    const shutdown = electron.fakeEvent();
    electron.powerMonitor.emit('shutdown', shutdown);
    assert.equal(shutdown.defaultPrevented, enabled, 'the session end is delayed only to revoke');
    if (!enabled) electron.app.quit(); // the system ends the app itself
    await running.lifecycle?.quitSequenceDone;
    assert.equal(electron.app.quitCompleted, true);
    assert.equal(env.sim.liveKeys().length, enabled ? 0 : 2, 'at logout the logout setting decides, not the quit one');
  });
}

test('macOS and Windows: the lock-screen event revokes at once, without waiting for a poll', async (t) => {
  const env = await createEnv(t);
  const running = await withTwoKeys(env, { lock: true }, 'darwin');
  electron.powerMonitor.emit('lock-screen');
  await until(() => env.sim.liveKeys().length === 0, 'both keys to be deleted');
  await running.settled();
  assert.equal(liveLeases(running), 0);
});

test('Windows: the hidden window hears the session end; revocation starts at query-session-end', async (t) => {
  const env = await createEnv(t);
  const running = await withTwoKeys(env, { logout: true }, 'win32');
  const win = fake.windows[0];
  assert.ok(win, 'a window exists from the start on Windows');
  assert.equal(win.visible, false, 'but it is not shown');
  win.emit('query-session-end', electron.fakeEvent({ reasons: ['logoff'] }));
  await until(() => env.sim.liveKeys().length === 0, 'the keys to be deleted');
  win.emit('session-end', electron.fakeEvent({ reasons: ['logoff'] }));
  await running.lifecycle?.quitSequenceDone;
  assert.equal(electron.app.quitCompleted, true);
  assert.equal(env.sim.requests.filter((r) => r.path === '/key/delete').length, 2, 'one delete per key: the quit did not revoke again');
});

test('a quit with the proxy down ends within its bound; the leases stay "revoking" and the next start finishes them', async (t) => {
  const env = await createEnv(t);
  const running = await withTwoKeys(env, { quit: true });
  // The hung requests are abandoned by the client after 1 s of real time (the quit itself does not wait for that).
  ok(await running.handlers.updateSettings({ request_timeout_seconds: 1 }));
  env.sim.fault('*', { kind: 'hang', count: Infinity });

  electron.app.quit();
  await until(() => env.sim.requests.some((r) => r.path === '/key/delete'), 'the revocation to be attempted');
  assert.equal(electron.app.quitCompleted, false);
  await advance(env, 4_999);
  assert.equal(electron.app.quitCompleted, false, 'still within the 5 s bound');
  await advance(env, 1);
  await running.lifecycle?.quitSequenceDone;
  assert.equal(electron.app.quitCompleted, true, 'quit at the bound, not when the proxy answers');

  const ledgerStates = async (): Promise<Array<{ state: string; last_error: unknown }>> => {
    const ledger = JSON.parse(await readFile(path.join(env.stateDir, 'leases.json'), 'utf8')) as { leases: Record<string, { state: string; last_error: unknown }> };
    return Object.values(ledger.leases);
  };
  assert.deepEqual((await ledgerStates()).map((l) => l.state), ['revoking', 'revoking']);
  assert.equal(env.sim.liveKeys().length, 2);
  // Let the abandoned attempts record their failure (as they would, or not, in a process that has exited).
  await until(async () => (await ledgerStates()).every((l) => l.last_error !== null) && env.sim.openConnections === 0, 'the hung calls to time out', 8_000);
  assert.deepEqual((await ledgerStates()).map((l) => l.state), ['revoking', 'revoking']);

  // The proxy is back, and Keyfob starts again a minute later (past the retry back-off): the start revokes them.
  env.sim.clearFaults();
  env.clock.jump(60_000);
  env.sim.clock.advance(60_000);
  const next = await boot(env);
  assert.equal(next.core?.lastReconcile?.revoked, 2, 'the next start finished both');
  assert.equal(env.sim.liveKeys().length, 0);
  assert.equal(next.core?.leases.list().length, 0);
});

test('a second Quit while revoking does not start a second revocation', async (t) => {
  const env = await createEnv(t);
  const running = await withTwoKeys(env, { quit: true });
  electron.app.quit();
  electron.app.quit();
  await running.lifecycle?.quitSequenceDone;
  assert.equal(electron.app.quitCompleted, true);
  assert.equal(env.sim.requests.filter((r) => r.path === '/key/delete').length, 2, 'one delete per key');
});

test('resume and unlock re-read the ledger and re-arm the timers from the clock', async (t) => {
  const env = await createEnv(t);
  const running = await withTwoKeys(env, {});
  const leases = running.core?.leases;
  assert.ok(leases, 'leases is set');
  let refreshed = 0;
  const original = leases.refresh.bind(leases);
  leases.refresh = () => {
    refreshed++;
    original();
  };
  electron.powerMonitor.emit('resume');
  assert.equal(refreshed, 1, 'resume');
  electron.powerMonitor.emit('lock-screen');
  electron.powerMonitor.emit('unlock-screen');
  await running.settled();
  assert.equal(refreshed, 2, 'unlock: the person is back');
  assert.equal(liveLeases(running), 2, 'revoke on lock is off');
});

test('launch at login writes and removes the XDG autostart entry (Linux) and the login item (macOS)', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const linux = await boot(env);
  const entry = path.join(env.autostartDir, 'keyfob.desktop');
  ok(await linux.handlers.updateSettings({ launch_at_login: true }));
  const text = await readFile(entry, 'utf8');
  assert.match(text, /^\[Desktop Entry\]$/m);
  assert.match(text, /^Type=Application$/m);
  assert.match(text, new RegExp(`^Exec=${escapeRegExp(process.execPath)} `, 'm'), 'unpackaged: electron plus the app directory');
  ok(await linux.handlers.updateSettings({ launch_at_login: false }));
  await assert.rejects(stat(entry), { code: 'ENOENT' });
  await linux.dispose();

  const mac = await boot(env, { platform: 'darwin' });
  ok(await mac.handlers.updateSettings({ launch_at_login: true }));
  assert.deepEqual(electron.app.loginItemSettings, { openAtLogin: true });
  await assert.rejects(stat(entry), { code: 'ENOENT' }, 'no autostart file on macOS');
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
