// The tray after real lease changes: per-lease entries with time left, icon states, the tooltip and macOS title,
// "Copy key" with and without a live lease (HTTP calls counted at the simulator), refresh cadence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PUSH_CHANNELS } from '../../preload/api.js';
import { advance, boot, createEnv, electron, fake, ok, requestsTo, seedState, trayMenu, until } from './harness.js';

test('two keys for two roles: one tray entry each, with time left and copy/renew/revoke', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  const sets = fake.tray.contextMenuSets;

  const dev = ok(await running.handlers.issue('dev'));
  const review = ok(await running.handlers.issue('review'));
  await running.settled();

  assert.ok(fake.tray.contextMenuSets >= sets + 2, 'the menu is set again after every change (Linux needs it)');
  const labels = trayMenu().labels();
  assert.deepEqual(labels.slice(0, 8), [
    `Connected to ${new URL(env.sim.url).host}`, '---', 'Copy key: dev', 'Copy key: review', 'Copy shell exports: dev', 'Copy shell exports: review', '---', 'Live keys (2)',
  ]);
  const devEntry = trayMenu().find(`dev · ${dev.key_hint}`);
  const reviewEntry = trayMenu().find(`review · ${review.key_hint}`);
  assert.match(devEntry.label, /— 15m left$/);
  assert.match(reviewEntry.label, /— 1h left$/);
  assert.deepEqual(devEntry.submenu?.labels(), ['Copy', 'Renew', '---', 'Revoke']);
  assert.equal(trayMenu().find('Revoke all keys…').enabled, true);
  assert.equal(trayMenu().labels().at(-1), 'Quit (revokes 2 keys)');
  assert.match(fake.tray.image.path, /live-light\.png$/);
  assert.match(fake.tray.tooltip, /2 live keys; dev expires in 15m/);

  // The labels follow the clock once a minute, without any lease change.
  await advance(env, 60_000);
  await running.settled();
  assert.match(trayMenu().find(`dev · ${dev.key_hint}`).label, /— 14m left$/);

  // Revoke from the lease's submenu: gone from the menu and from the proxy.
  trayMenu().find(`review · ${review.key_hint}`).submenu?.find('Revoke').click();
  await until(() => env.sim.liveKeys().length === 1, 'the review key to be deleted');
  await running.settled();
  assert.equal(trayMenu().labels().some((l) => l.startsWith('review ·')), false);
  assert.equal(trayMenu().labels().at(-1), 'Quit (revokes 1 key)');
});

test('"Copy key" issues a key only when the role has none live', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  const generated = requestsTo(env, '/key/generate');

  trayMenu().find('Copy key: dev').click();
  await until(() => electron.clipboard.contents.size > 0, 'the key on the clipboard');
  await running.settled();
  assert.equal(requestsTo(env, '/key/generate'), generated + 1, 'no live key: one was issued');
  const [lease] = running.core?.leases.list() ?? [];
  assert.ok(lease, 'lease is set');
  const key = await electron.clipboard.readText();
  assert.equal(key, await running.core?.leases.revealKey(lease.lease_id));

  const requestsBefore = env.sim.requests.length;
  electron.clipboard.copyFromElsewhere('something else');
  trayMenu().find('Copy key: dev').click();
  await until(async () => (await electron.clipboard.readText()) === key, 'the same key copied again');
  await running.settled();
  assert.equal(env.sim.requests.length, requestsBefore, 'a live key: no HTTP call at all');
  assert.equal(running.core?.leases.list().length, 1);
});

test('a copy that fails says why in a notification', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  env.sim.fault('/key/generate', { kind: 'fail', status: 500, count: 1 });
  trayMenu().find('Copy key: dev').click();
  await until(() => fake.notifications.length > 0, 'a notification');
  await running.settled();
  assert.match(fake.notifications[0]?.title ?? '', /could not copy a key for dev/);
  assert.equal(trayMenu().find('Copy key: dev').enabled, true, 'the item is usable again');
});

test('a key about to expire turns the icon to "expiring"; macOS shows a template image and the countdown', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env, { platform: 'darwin' });
  assert.match(fake.tray.image.path, /idleTemplate\.png$/);
  assert.equal(fake.tray.image.isTemplateImage(), true);
  assert.equal(electron.app.dockHidden, true, 'a menu-bar app: no Dock icon');

  ok(await running.handlers.updateSettings({ idle_threshold_seconds: 60 }));
  ok(await running.handlers.issue('dev'));
  await running.settled();
  assert.equal(fake.tray.title, '15m');
  assert.match(fake.tray.image.path, /liveTemplate\.png$/);

  // The person is away: renewals are skipped, the key runs down towards its expiry.
  electron.powerMonitor.idleSeconds = 3_600;
  await advance(env, 11 * 60_000);
  await running.settled();
  assert.equal(fake.tray.title, '4m');
  assert.match(fake.tray.image.path, /expiringTemplate\.png$/);
  assert.match(fake.tray.tooltip, /dev expires in 4m/);
});

test('"Revoke all keys…" asks in a dialog first: Cancel keeps every key, "Revoke all" deletes them', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  ok(await running.handlers.issue('dev'));
  ok(await running.handlers.issue('review'));
  await running.settled();
  const labels = trayMenu().labels();
  const revokeAt = labels.indexOf('Revoke all keys…');
  assert.deepEqual([labels[revokeAt - 1], labels[revokeAt + 1]], ['---', '---'], 'set apart between separators');
  assert.ok(revokeAt > labels.indexOf('Open Keyfob') + 1, 'not beside Open Keyfob');

  trayMenu().find('Revoke all keys…').click(); // the fake dialog answers Cancel, as Escape would
  await running.settled();
  assert.equal(electron.dialog.shown.length, 1);
  const asked = electron.dialog.shown[0];
  assert.equal(asked?.message, 'Revoke all 2 keys?');
  assert.deepEqual([asked?.buttons, asked?.defaultId, asked?.cancelId], [['Cancel', 'Revoke all'], 0, 0], 'the safe choice is the default');
  assert.equal(env.sim.liveKeys().length, 2, 'cancelled: nothing revoked');

  electron.dialog.responses.push(1);
  trayMenu().find('Revoke all keys…').click();
  await until(() => env.sim.liveKeys().length === 0, 'every key deleted on the proxy');
  await running.settled();
  assert.equal(electron.dialog.shown.length, 2);
  assert.equal(trayMenu().labels().includes('Revoke all keys…'), false, 'no keys: the item is gone, not disabled');
});

test('the status line names the proxy host, and "Settings…" opens the window on Settings', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  await running.settled();
  assert.equal(trayMenu().labels()[0], `Connected to ${new URL(env.sim.url).host}`);
  assert.equal(trayMenu().items[0]?.enabled, false);
  trayMenu().find('Settings…').click();
  const win = fake.windows[0];
  assert.ok(win, 'the window opened');
  await until(() => win.webContents.sentOn(PUSH_CHANNELS.navigate).length > 0, 'the window told which screen to show');
  assert.deepEqual(win.webContents.sentOn(PUSH_CHANNELS.navigate).at(-1), ['settings']);
});
