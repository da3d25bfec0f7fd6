// "Sign in with SSO" in the window: main runs the sign-in and opens the proxy's page through its openExternal port;
// the real Chromium signs in on the simulator's IdP and approves on its consent page. The header and Settings then
// say who is signed in, Sign out revokes and ends the session, and no token ever reaches the page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeSessionRecord } from '../../main/core/sso/index.js';
import { eventually } from './bridge.js';
import { WindowSuite } from './harness.js';

let suite: WindowSuite;
before(async () => {
  suite = await WindowSuite.start();
});
after(() => suite.close());

/** A person in their browser: the IdP's sign-in form, then Approve on the consent page, then the loopback's answer. */
async function approveInBrowser(url: string): Promise<string> {
  const context = await suite.browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(url);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.getByRole('button', { name: 'Approve' }).click();
    await tab.getByText('Signed in to LiteLLM').waitFor();
    return tab.url();
  } finally {
    await context.close();
  }
}

test('first run: Sign in with SSO in the real browser, the window says who is signed in, and Sign out ends the session', async () => {
  const opened: string[] = [];
  let browsing: Promise<string> | null = null;
  await suite.withApp({
    connected: false,
    openExternal: async (url) => {
      opened.push(url);
      browsing = approveInBrowser(url);
      browsing.catch(() => undefined);
    },
  }, async (app) => {
    const { page, sim } = app;
    sim.sso.release = '1.100.4';
    sim.addUser({ user_id: 'alice', user_role: 'internal_user' });

    await page.getByRole('heading', { name: 'Connect to your LiteLLM proxy' }).waitFor();
    await page.getByLabel('LiteLLM proxy URL').fill(sim.url);
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    await page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
    assert.ok(browsing, 'main opened the sign-in page');
    assert.match(await (browsing as Promise<string>), /^http:\/\/127\.0\.0\.1:\d+\/callback\?/, 'the browser ended on the loopback callback');
    assert.equal(opened.length, 1);
    assert.equal(new URL(opened[0] ?? '').origin, new URL(sim.url).origin, 'main opened the proxy’s own page');

    const host = new URL(sim.url).host;
    const conn = page.locator('.conn');
    await eventually(async () => assert.match(await conn.innerText(), new RegExp(`^Connected to ${host.replace(/[.]/g, '\\.')} · signed in with SSO as alice · `)));
    await page.getByRole('tab', { name: 'Settings' }).click();
    const form = page.locator('.connect-form.settings');
    await eventually(async () => assert.equal(await form.locator('[data-role="identity"]').innerText(), 'Signed in with SSO as alice: keys are created for alice.'));
    assert.match(await form.locator('.storage').innerText(), /Signed in with SSO as alice\./);
    await app.screenshot('settings-sso-light');

    const record = decodeSessionRecord(await app.storedSession());
    assert.ok(record, 'the session is in the keychain');
    for (const token of [record.accessToken, record.refreshToken]) assert.equal(app.window.sentToPage().includes(token), false, 'no token reached the page');

    await form.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out' }).click();
    await eventually(async () => assert.equal(await form.locator('.probe-result').innerText(), 'Signed out: 0 keys revoked.'));
    assert.equal(await app.storedSession(), null, 'the session is gone from the keychain');
    assert.equal(sim.sso.refreshRecord(record.refreshToken)?.used, true, 'the refresh token is burned on the proxy');
  });
});
