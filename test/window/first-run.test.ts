// First run in a real browser: connecting to the simulator with a good key, a wrong key and an unreachable URL.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { eventually } from './bridge.js';
import { WindowSuite } from './harness.js';
import type { AppUnderTest } from './harness.js';

let suite: WindowSuite;
before(async () => {
  suite = await WindowSuite.start();
});
after(() => suite.close());

async function withApp(run: (app: AppUnderTest) => Promise<void>): Promise<void> {
  await suite.withApp({ connected: false }, run);
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('first run: a good admin key tests fine, connects, lands in the keychain and opens the Keys screen', async () => {
  await withApp(async (app) => {
    const { page } = app;
    await page.getByRole('heading', { name: 'Connect to your LiteLLM proxy' }).waitFor();
    assert.match(await page.locator('.storage').innerText(), /keep your LiteLLM key in Secret Service/);
    await app.screenshot('first-run-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('first-run-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByLabel('LiteLLM proxy URL').fill(app.sim.url);
    await page.getByLabel('Your LiteLLM key').fill(app.adminKey);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await eventually(async () => assert.match(await page.locator('.probe-result').innerText(), /Connection works/));

    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
    // The header's indicator: connected, to which host (the connect call just reached the proxy).
    await eventually(async () => assert.match(await page.locator('.conn').innerText(), new RegExp(`^Connected to ${new URL(app.sim.url).host.replace(/[.]/g, '\\.')} · `)));
    assert.equal(await page.locator('.conn').getAttribute('data-health'), 'ok');
    assert.equal(await app.core.secretStore.get('admin-key'), app.adminKey);
    assert.equal((await app.core.connectionStatus()).admin_key_stored, true);
    // Focus moved to the new screen's heading, for keyboard and screen-reader users.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'keys-heading');
  });
});

test('first run: a wrong admin key is reported as rejected next to the key field, and the field is emptied', async () => {
  await withApp(async (app) => {
    const { page } = app;
    await page.getByLabel('LiteLLM proxy URL').fill(app.sim.url);
    await page.getByLabel('Your LiteLLM key').fill('sk-not-the-master-key');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();

    const error = page.locator('[data-field="adminKey"] .field-error');
    await error.waitFor();
    assert.equal(await error.getAttribute('data-error-kind'), 'admin-key-rejected');
    // One line with the kind, not the proxy's raw answer (that stays in the audit log).
    assert.equal(await error.innerText(), 'LiteLLM key rejected: the proxy does not accept this key. Enter a LiteLLM key the proxy accepts (your personal or team key, or its master key) and connect again.');
    assert.equal(await page.getByLabel('Your LiteLLM key').inputValue(), '', 'the write-only field is cleared after submit');
    assert.equal(await page.getByLabel('Your LiteLLM key').getAttribute('aria-invalid'), 'true');
    assert.equal(await app.core.secretStore.get('admin-key'), null, 'nothing stored');
    assert.ok(await page.getByRole('heading', { name: 'Connect to your LiteLLM proxy' }).isVisible(), 'still on first run');
    await app.screenshot('first-run-wrong-key-light');
  });
});

test('first run: an unreachable URL says nothing answers, next to the URL field, for both test and connect', async () => {
  await withApp(async (app) => {
    const { page } = app;
    const url = `http://127.0.0.1:${await closedPort()}`;
    await page.getByLabel('LiteLLM proxy URL').fill(url);
    await page.getByLabel('Your LiteLLM key').fill(app.adminKey);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const error = page.locator('[data-field="url"] .field-error');
    await eventually(async () => assert.equal(await error.getAttribute('data-error-kind'), 'unreachable'));
    assert.match(await error.innerText(), /Nothing answers at/);
    // Testing does not consume the key; connecting does.
    assert.equal(await page.getByLabel('Your LiteLLM key').inputValue(), app.adminKey);

    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await eventually(async () => assert.equal(await page.getByLabel('Your LiteLLM key').inputValue(), ''));
    await eventually(async () => assert.equal(await error.getAttribute('data-error-kind'), 'unreachable'));
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'url', 'focus goes to the field at fault');
  });
});
