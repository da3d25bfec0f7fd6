// The connect form in a real browser follows the admin key's binding: Test with an empty key field and a changed URL
// (or weaker TLS) asks for the key instead of testing with the stored one, and a hostile second server on 127.0.0.2
// receives nothing that carries the stored key.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '../window/bridge.js';
import { WindowSuite } from '../window/harness.js';
import { startHostileServer, type HostileServer } from './hostile-server.js';

let suite: WindowSuite;
let hostile: HostileServer;
before(async () => {
  suite = await WindowSuite.start();
  hostile = await startHostileServer();
});
after(async () => {
  await hostile?.close();
  await suite?.close();
});

test('Settings → Connection: Test with a changed URL and no key asks for the key; the stored key stays home', async () => {
  await suite.withApp({}, async (app) => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Settings' }).click();
    const form = page.locator('form.connect-form');
    await form.getByLabel('LiteLLM proxy URL').fill(hostile.url);
    await form.getByRole('button', { name: 'Test connection' }).click();
    const keyError = form.locator('[data-field="adminKey"] .field-error');
    await eventually(async () => assert.match(await keyError.innerText(), /Enter your LiteLLM key/));
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'password', 'focus is on the key field');

    // The same with the TLS checks switched off on the stored URL.
    await form.getByLabel('LiteLLM proxy URL').fill(app.sim.url);
    await form.locator('summary', { hasText: 'TLS options' }).click();
    await form.getByLabel('Skip TLS certificate checks').check();
    await form.getByRole('button', { name: 'Test connection' }).click();
    await eventually(async () => assert.match(await keyError.innerText(), /Enter your LiteLLM key/));
    assert.deepEqual(hostile.carrying(app.adminKey), []);

    // Back to what the key was stored with: Test uses the stored key.
    await form.getByLabel('Skip TLS certificate checks').uncheck();
    await form.getByRole('button', { name: 'Test connection' }).click();
    await eventually(async () => assert.match(await form.locator('.probe-result').innerText(), /Connection works/));
  });
});
