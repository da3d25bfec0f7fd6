// The clipboard as the person sees it: a copied key is marked secret, cleared after the delay only if it is still
// there, cleared when its lease is revoked, and cleared at quit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advance, boot, createEnv, electron, ok, seedState, until } from './harness.js';

// After the harness: modules that import `electron` must load once the fake is registered.
const { secretMarkers } = await import('../../main/electron/clipboard.js');

const KDE_HINT = 'electron application/osclipboard;format="x-kde-passwordManagerHint"';

test('a copied key carries the secret marker and is cleared after the delay', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  const lease = ok(await running.handlers.copyRoleKey('dev'));
  const key = await running.core?.leases.revealKey(lease.lease_id);

  const write = electron.clipboard.writes.at(-1);
  assert.deepEqual(write, { 'text/plain': key, [KDE_HINT]: 'secret' }, 'one atomic write: the key and the KDE hint');
  assert.equal(await electron.clipboard.readText(), key);

  await advance(env, 29_000);
  assert.equal(await electron.clipboard.readText(), key, 'still there before the delay');
  await advance(env, 1_000);
  await until(async () => (await electron.clipboard.readText()) === '', 'the clipboard to be cleared');
  assert.equal(electron.clipboard.clears, 1);
});

test('the clipboard is left alone when the person copied something else meanwhile', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  ok(await running.handlers.copyRoleKey('dev'));

  await advance(env, 10_000);
  electron.clipboard.copyFromElsewhere('the person’s own text');
  await advance(env, 30_000);
  await running.settled();
  assert.equal(await electron.clipboard.readText(), 'the person’s own text');
  assert.equal(electron.clipboard.clears, 0);
});

test('revoking the copied key clears it at once; so does quitting', async (t) => {
  const env = await createEnv(t);
  await seedState(env);
  const running = await boot(env);
  const dev = ok(await running.handlers.copyRoleKey('dev'));
  ok(await running.handlers.revoke(dev.lease_id));
  await until(async () => (await electron.clipboard.readText()) === '', 'the clipboard to be cleared on revoke');

  ok(await running.handlers.updateSettings({ revoke_on: { quit: false, logout: true, lock: false, suspend: false } }));
  const review = ok(await running.handlers.copyRoleKey('review'));
  assert.equal(await electron.clipboard.readText(), await running.core?.leases.revealKey(review.lease_id));
  await running.quit();
  assert.equal(electron.app.quitCompleted, true);
  assert.equal(await electron.clipboard.readText(), '', 'quitting clears the key even when it is not revoked');
  assert.equal(env.sim.liveKeys().length, 1, 'revoke on quit is off: the key stays live');
});

test('each platform gets its own secret marker', () => {
  assert.deepEqual(Object.keys(secretMarkers('darwin')), ['electron application/osclipboard;format="org.nspasteboard.ConcealedType"']);
  assert.deepEqual(Object.keys(secretMarkers('win32')), [
    'electron application/osclipboard;format="ExcludeClipboardContentFromMonitorProcessing"',
    'electron application/osclipboard;format="CanIncludeInClipboardHistory"',
    'electron application/osclipboard;format="CanUploadToCloudClipboard"',
  ]);
  assert.deepEqual(secretMarkers('linux'), { [KDE_HINT]: 'secret' });
});
