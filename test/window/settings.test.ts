// Settings and Activity in a real browser over the real core: preferences saved to main, validation next to the
// field, replacing / testing / forgetting the admin key, the session-only choice, and the audit log.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { PUSH_CHANNELS } from '../../preload/api.js';
import { eventually } from './bridge.js';
import { WindowSuite } from './harness.js';
import type { AppOptions, AppUnderTest } from './harness.js';

let suite: WindowSuite;
before(async () => {
  suite = await WindowSuite.start();
});
after(() => suite.close());

async function withApp(run: (app: AppUnderTest) => Promise<void>, opts: AppOptions = {}): Promise<void> {
  await suite.withApp(opts, run);
}

async function openSettings(app: AppUnderTest): Promise<void> {
  await app.page.getByRole('tab', { name: 'Settings' }).click();
  await app.page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
}

test('settings show main’s values; saving sends every preference to main', async () => {
  await withApp(async (app) => {
    const { page } = app;
    await openSettings(app);
    const prefs = page.locator('form.prefs-form');
    assert.equal(await prefs.getByLabel('Default lease TTL').inputValue(), '1h');
    assert.equal(await prefs.getByLabel('Max lease TTL').inputValue(), '1d');
    assert.equal(await prefs.getByLabel('Clear copied keys after').inputValue(), '30s');
    assert.equal(await prefs.getByLabel('Idle after').inputValue(), '10m');
    assert.equal(await prefs.getByLabel('Keyfob quits').isChecked(), true);
    assert.equal(await prefs.getByLabel('the screen locks').isChecked(), false);
    await app.settled();
    await app.screenshot('settings-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('settings-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Durations as people type them, read by the core with the CLI's rules.
    await prefs.getByLabel('Default lease TTL').fill('1.5h');
    await prefs.getByLabel('Max lease TTL').fill('12h');
    await prefs.getByLabel('Clear copied keys after').fill('45s');
    await prefs.getByLabel('Idle after').fill('5min');
    await prefs.getByLabel('the screen locks').check();
    await prefs.getByLabel('Start Keyfob when I log in').check();
    await prefs.getByLabel('Notifications').uncheck();
    await prefs.getByRole('button', { name: 'Save settings' }).click();
    await eventually(async () => assert.match(await prefs.locator('.status').innerText(), /Settings saved/));
    const s = app.core.getSettings();
    assert.deepEqual(
      [s.default_lease_ttl_seconds, s.max_lease_ttl_seconds, s.clipboard_clear_seconds, s.idle_threshold_seconds, s.launch_at_login, s.notifications],
      [5400, 43200, 45, 300, true, false],
    );
    assert.deepEqual(s.revoke_on, { quit: true, logout: true, lock: true, suspend: false });
  });
});

test('a duration main cannot read, and one out of range, are each reported next to their field', async () => {
  await withApp(async (app) => {
    const { page } = app;
    await openSettings(app);
    const prefs = page.locator('form.prefs-form');
    await prefs.getByLabel('Max lease TTL').fill('forever');
    await prefs.getByRole('button', { name: 'Save settings' }).click();
    const local = prefs.locator('[data-field="max_lease_ttl_seconds"] .field-error');
    await local.waitFor();
    assert.match(await local.innerText(), /^"forever" is not a duration: write it like "90s", "5min", "1h30m", "1.5h"/);
    assert.equal(app.core.getSettings().max_lease_ttl_seconds, 86400, 'nothing saved');

    await prefs.getByLabel('Max lease TTL').fill('1d');
    await prefs.getByLabel('Clear copied keys after').fill('3d');
    await prefs.getByRole('button', { name: 'Save settings' }).click();
    const fromMain = prefs.locator('[data-field="clipboard_clear_seconds"] .field-error');
    await fromMain.waitFor();
    assert.match(await fromMain.innerText(), /^Clear copied keys after must be between/);
    assert.equal(await local.isVisible(), false, 'the fixed field is clear');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'clipboard_clear_seconds');
    assert.equal(app.core.getSettings().clipboard_clear_seconds, 30);
  });
});

test('replace your LiteLLM key: test the new one, save it; neither key ever reaches the page', async () => {
  await withApp(async (app) => {
    const { page } = app;
    await openSettings(app);
    const rotated = `sk-rotated-${randomBytes(12).toString('hex')}`;
    app.sim.masterKey = rotated; // the proxy's master key was rotated
    const form = page.locator('form.connect-form');
    assert.equal(await form.getByLabel('LiteLLM proxy URL').inputValue(), app.sim.url);
    assert.equal(await form.getByLabel('New LiteLLM key').inputValue(), '', 'the stored key is never shown');

    await form.getByRole('button', { name: 'Test connection' }).click();
    const keyError = form.locator('[data-field="adminKey"] .field-error');
    await eventually(async () => assert.equal(await keyError.getAttribute('data-error-kind'), 'admin-key-rejected'));

    await form.getByLabel('New LiteLLM key').fill(rotated);
    await form.getByRole('button', { name: 'Test connection' }).click();
    await eventually(async () => assert.match(await form.locator('.probe-result').innerText(), /Connection works/));
    await form.getByRole('button', { name: 'Save and connect' }).click();
    await eventually(async () => assert.match(await form.locator('.probe-result').innerText(), /^Connected to /));
    // One word for the credential, and a note when it is the master key.
    assert.match(await form.locator('.probe-result').innerText(), /Your LiteLLM key is stored in .*This is the proxy’s master key: a personal or team key is safer\./s);
    assert.equal(await form.getByLabel('New LiteLLM key').inputValue(), '');
    assert.equal(await app.core.secretStore.get('admin-key'), rotated);
    assert.ok(!app.window.sentToPage().includes(rotated), 'the new admin key never reached the page');
  });
});

test('forget the admin key asks first, then the window goes back to first run', async () => {
  await withApp(async (app) => {
    const { page } = app;
    await openSettings(app);
    await page.getByRole('button', { name: 'Forget LiteLLM key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Forget your LiteLLM key?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await app.core.secretStore.get('admin-key'), app.adminKey);
    await page.getByRole('button', { name: 'Forget LiteLLM key' }).click();
    await dialog.getByRole('button', { name: 'Forget LiteLLM key' }).click();
    await page.getByRole('heading', { name: 'Connect to your LiteLLM proxy' }).waitFor();
    assert.equal(await app.core.secretStore.get('admin-key'), null);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'first-run-heading');
  });
});

test('no keychain: the error says why, and the person can choose session-only storage explicitly', async () => {
  await withApp(
    async (app) => {
      const { page } = app;
      await page.getByLabel('LiteLLM proxy URL').fill(app.sim.url);
      await page.getByLabel('Your LiteLLM key').fill(app.adminKey);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      const error = page.locator('.connect-form .form-error');
      await eventually(async () => assert.equal(await error.getAttribute('data-error-kind'), 'keychain-unavailable'));
      assert.match(await error.innerText(), /no D-Bus session/);
      await app.screenshot('first-run-no-keychain-light');

      await page.getByRole('button', { name: 'Keep secrets for this session only' }).click();
      await eventually(async () => assert.match(await page.locator('.storage').innerText(), /^Session only/));
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'adminKey');
      await page.keyboard.type(app.adminKey);
      await page.keyboard.press('Enter');
      await page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
      assert.match(await page.locator('.conn').innerText(), /session only/);
      assert.equal((await app.core.connectionStatus()).session_only, true);
    },
    { connected: false, keychain: 'broken' },
  );
});

test('activity: the audit log, newest first', async () => {
  await withApp(
    async (app) => {
      const { page } = app;
      const { lease } = await app.core.leases.issue('dev');
      await app.core.leases.revoke(lease.lease_id);
      await page.getByRole('tab', { name: 'Activity' }).click();
      const rows = page.locator('table.audit tbody tr');
      await eventually(async () => assert.ok((await rows.count()) >= 3));
      const actions = await rows.locator('td:nth-child(2)').allInnerTexts();
      assert.deepEqual(actions.slice(0, 2), ['revoke', 'issue']);
      assert.equal(actions.at(-1), 'connect');
      assert.match(await rows.first().innerText(), new RegExp(lease.key_alias));
      await app.settled();
      await app.screenshot('activity-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await app.screenshot('activity-dark');
    },
    { roles: [{ name: 'dev', ttl: '1h' }] },
  );
});

test('main can open a screen (tray "Settings…"): the window switches and focuses its heading', async () => {
  await withApp(async (app) => {
    const { page } = app;
    await page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
    await app.window.push(PUSH_CHANNELS.navigate, 'settings');
    await page.getByRole('tab', { name: 'Settings', selected: true }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'settings-heading');
    await app.window.push(PUSH_CHANNELS.navigate, 'connect');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'connection-heading');
    await app.window.push(PUSH_CHANNELS.navigate, 'activity');
    await page.getByRole('tab', { name: 'Activity', selected: true }).waitFor();
  });
});
