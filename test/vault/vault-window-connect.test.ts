// "Connect to Vault" in the window: the real renderer in Chromium, on first run, signs in to the Vault simulator
// through the Team Vault part of the connect form (userpass, token, OIDC in a real browser tab that main opens). The
// window then shows Vault mode and Vault's roles read-only; the typed secret is emptied from its field and reaches
// neither the page nor the state directory; a wrong password, a bad Vault URL or a bad proxy URL leave nothing stored.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ElementHandle } from 'playwright-core';
import { eventually } from '../window/bridge.js';
import { WindowSuite, type AppUnderTest } from '../window/harness.js';
import { VaultSimulator } from '../vault-sim/index.js';
import { freePort, holdPort } from '../support/ports.js';

const PASSWORD = 'alice-Vault-pw-7731';

let suite: WindowSuite;
before(async () => {
  suite = await WindowSuite.start();
});
after(() => suite.close());

/** A Vault simulator whose engine issues keys on the app's LiteLLM simulator, on the app's clock. */
async function vaultFor(app: AppUnderTest): Promise<VaultSimulator> {
  const vault = await VaultSimulator.start({
    litellmUrl: app.sim.url, litellmAdminKey: app.adminKey, startMs: app.clock.now(),
    roles: { dev: { models: ['gpt-4o'], max_budget: 5, ttl: 900, max_ttl: 7200, key_alias_prefix: 'acme', metadata: {} } },
  });
  vault.clock.now = () => app.clock.now();
  vault.addUser('alice', { password: PASSWORD, ttl: 8 * 3600, max_ttl: 24 * 3600 });
  return vault;
}

/** First run: the proxy URL in the connect form, the Team Vault part opened and filled for `method`. */
async function fillVaultForm(app: AppUnderTest, vaultUrl: string, method: 'token' | 'userpass' | 'oidc'): Promise<void> {
  const { page } = app;
  await page.getByRole('heading', { name: 'Connect to your LiteLLM proxy' }).waitFor();
  await page.getByLabel('LiteLLM proxy URL').fill(app.sim.url);
  await page.getByText('Team Vault', { exact: true }).click();
  await page.getByLabel('Vault URL', { exact: true }).fill(vaultUrl);
  await page.getByLabel('Sign-in method').selectOption(method);
}

/** The form's own field, kept as a handle: it still answers once first run has left the page. */
async function handle(app: AppUnderTest, label: string): Promise<ElementHandle<HTMLInputElement>> {
  return (await app.page.getByLabel(label, { exact: true }).elementHandle()) as ElementHandle<HTMLInputElement>;
}

/** Every text a person could see or a script could read back: the page's text and every field's value. */
async function everythingOnPage(app: AppUnderTest): Promise<string> {
  return app.page.evaluate(() => [document.body.innerText, ...[...document.querySelectorAll('input, textarea, select')].map((el) => (el as HTMLInputElement).value)].join('\n'));
}

/** Vault mode as the window shows it: the header, the Roles screen's read-only roles from Vault, Settings. */
async function assertVaultModeShown(app: AppUnderTest, vault: VaultSimulator): Promise<void> {
  const { page } = app;
  await page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
  await eventually(async () => assert.match(await page.locator('.conn').innerText(), new RegExp(`keys from Vault at ${vault.url.replace(/[.]/g, '\\.')}`)));
  await page.getByRole('tab', { name: 'Roles' }).click();
  await page.locator('[data-role="dev"]').waitFor();
  await eventually(async () => assert.match(await page.locator('#roles-read-only').innerText(), /roles are defined in Vault: ask your platform team/));
  assert.equal(await page.getByRole('button', { name: 'New role' }).isVisible(), false, 'no New role in Vault mode');
  await page.getByRole('tab', { name: 'Settings' }).click();
  await eventually(async () => assert.match(await page.locator('.connect-form.settings .storage').innerText(), /Signed in to Vault at /));
}

/** Neither the typed secret nor the Vault token reached the page, its fields or the state directory. */
async function assertSecretsKept(app: AppUnderTest, secret: string): Promise<void> {
  const stored = JSON.parse((await app.storedVaultToken()) ?? '{}') as { token?: string };
  assert.ok(stored.token, 'the Vault token is in the keychain');
  const onPage = await everythingOnPage(app);
  const onDisk = await app.stateDirText();
  for (const value of [secret, stored.token]) {
    assert.equal(onPage.includes(value), false, 'a secret is on the page');
    assert.equal(app.window.sentToPage().includes(value), false, 'a secret was sent to the page');
    assert.equal(onDisk.includes(value), false, 'a secret is in the state directory');
  }
}

test('first run: Team Vault with a user name and password connects; the window shows Vault mode and Vault\'s roles read-only, and the password is gone', async () => {
  await suite.withApp({ connected: false }, async (app) => {
    const vault = await vaultFor(app);
    try {
      await fillVaultForm(app, vault.url, 'userpass');
      await app.page.getByLabel('Vault user name').fill('alice');
      await app.page.getByLabel('Vault password').fill(PASSWORD);
      const password = await handle(app, 'Vault password');
      const outcome = await app.page.locator('.connect-form.first-run .probe-result').elementHandle();
      await app.screenshot('first-run-vault-light');
      await app.page.getByRole('button', { name: 'Connect to Vault' }).click();

      await assertVaultModeShown(app, vault);
      assert.equal(await password.inputValue(), '', 'the password field is empty');
      assert.match(await outcome?.innerText() ?? '', new RegExp(`^Connected to Vault at ${vault.url.replace(/[.]/g, '\\.')}: signed in with userpass as alice; your Vault token is kept in .+\\. Roles from Vault: dev\\.$`));
      assert.equal(app.core.vault.active(), true, 'main is in Vault mode');
      // Settings → Connection: the Team Vault part open on this sign-in, ready to sign in again.
      const settingsVault = app.page.locator('.connect-form.settings [data-part="vault"]');
      await eventually(async () => assert.equal(await settingsVault.getByLabel('Vault URL', { exact: true }).inputValue(), vault.url, 'the Vault URL is filled in'));
      assert.equal(await settingsVault.getByLabel('Sign-in method').inputValue(), 'userpass', 'the method is filled in');
      assert.equal(await settingsVault.getByRole('button', { name: 'Sign in to Vault again' }).isVisible(), true, 'Sign in to Vault again is offered');
      assert.equal((await app.core.vault.status())?.proxy_url, app.sim.url, 'keys are for the proxy in the form');
      await assertSecretsKept(app, PASSWORD);
    } finally {
      await vault.close();
    }
  });
});

test('a wrong password: a clear error in the Team Vault part, the field emptied, nothing stored and still first run', async () => {
  await suite.withApp({ connected: false }, async (app) => {
    const vault = await vaultFor(app);
    try {
      await fillVaultForm(app, vault.url, 'userpass');
      await app.page.getByLabel('Vault user name').fill('alice');
      await app.page.getByLabel('Vault password').fill('Wrong-Pass-123');
      await app.page.getByRole('button', { name: 'Connect to Vault' }).click();

      const part = app.page.locator('[data-part="vault"]');
      await eventually(async () => assert.match(await part.locator('.vault-error').innerText(), /invalid username or password/));
      assert.equal(await app.page.getByLabel('Vault password').inputValue(), '', 'the password field is empty');
      assert.equal(await app.storedVaultToken(), null, 'no Vault token is stored');
      assert.equal(app.core.vault.active(), false, 'not in Vault mode');
      assert.equal(await app.page.getByRole('heading', { name: 'Connect to your LiteLLM proxy' }).isVisible(), true, 'still first run');
      assert.equal((await everythingOnPage(app)).includes('Wrong-Pass-123'), false, 'the password is not on the page');
      assert.equal((await app.stateDirText()).includes('Wrong-Pass-123'), false, 'the password is not in the state directory (audit log)');
    } finally {
      await vault.close();
    }
  });
});

test('a bad Vault URL or proxy URL: the error on its own field, and no request reaches Vault', async () => {
  await suite.withApp({ connected: false }, async (app) => {
    const vault = await vaultFor(app);
    try {
      const { page } = app;
      await fillVaultForm(app, 'vault.example:8200', 'token');
      await page.getByLabel('Vault token').fill(vault.createToken(['keyfob-developer']));
      await page.getByRole('button', { name: 'Connect to Vault' }).click();
      const vaultUrl = page.getByLabel('Vault URL', { exact: true });
      await eventually(async () => assert.equal(await vaultUrl.getAttribute('aria-invalid'), 'true', 'the Vault URL field is marked invalid'));
      assert.match(await page.locator('[data-field="vaultUrl"] .field-error').innerText(), /^Vault URL must be (an )?http/);
      assert.equal(await page.getByLabel('Vault token').inputValue(), '', 'the token field is empty');

      // The proxy URL is the connect form's own field: its problem is shown there.
      await vaultUrl.fill(vault.url);
      await page.getByLabel('LiteLLM proxy URL').fill('ftp://litellm.example.com');
      await page.getByLabel('Vault token').fill(vault.createToken(['keyfob-developer']));
      await page.getByRole('button', { name: 'Connect to Vault' }).click();
      const proxyUrl = page.getByLabel('LiteLLM proxy URL');
      await eventually(async () => assert.equal(await proxyUrl.getAttribute('aria-invalid'), 'true', 'the proxy URL field is marked invalid'));
      assert.match(await page.locator('.connect-form.first-run > [data-field="url"] .field-error').innerText(), /^LiteLLM proxy URL must start with http:\/\/ or https:\/\//);
      assert.equal(await vaultUrl.getAttribute('aria-invalid'), null, 'the Vault URL is fine now');

      assert.deepEqual(vault.requestLog, [], 'no request reached Vault');
      assert.equal(app.core.vault.active(), false, 'not in Vault mode');
    } finally {
      await vault.close();
    }
  });
});

test('a Vault token connects, and the token is kept from the page', async () => {
  await suite.withApp({ connected: false }, async (app) => {
    const vault = await vaultFor(app);
    try {
      const token = vault.createToken(['keyfob-developer'], 3600, 7200);
      await fillVaultForm(app, vault.url, 'token');
      await app.page.getByLabel('Vault token').fill(token);
      const field = await handle(app, 'Vault token');
      await app.page.getByLabel('Vault token').press('Enter');

      await assertVaultModeShown(app, vault);
      assert.equal(await field.inputValue(), '', 'the token field is empty');
      assert.equal((await app.core.vault.status())?.method, 'token');
      await assertSecretsKept(app, token);
    } finally {
      await vault.close();
    }
  });
});

/** A person's browser: the IdP signs them in and sends the tab back to Keyfob's loopback callback; its last URL. */
async function signInInBrowser(url: string): Promise<string> {
  const context = await suite.browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(url);
    await tab.getByText('Signed in to Vault').waitFor();
    return tab.url();
  } finally {
    await context.close();
  }
}

/** Main's opener in an OIDC test: every page it opens is recorded and signed in by a person's browser. */
function personsBrowser(): { opened: string[]; openExternal(url: string): Promise<void>; visit(): Promise<string> | null } {
  const opened: string[] = [];
  let browsing: Promise<string> | null = null;
  return {
    opened,
    openExternal: async (url) => {
      opened.push(url);
      browsing = signInInBrowser(url);
      browsing.catch(() => undefined);
    },
    visit: () => browsing,
  };
}

test('OIDC: main opens Vault\'s sign-in page in the browser, the identity provider sends it back, and the window is in Vault mode', async () => {
  const { opened, openExternal, visit } = personsBrowser();
  await suite.withApp({ connected: false, vaultOidcPort: 0, openExternal }, async (app) => {
    const vault = await vaultFor(app);
    try {
      vault.addOidcRole('keyfob', {});
      await fillVaultForm(app, vault.url, 'oidc');
      assert.equal(await app.page.getByLabel('Vault token').isVisible(), false, 'no secret to type for OIDC');
      await app.page.getByLabel('OIDC role (optional)').fill('keyfob');
      await app.page.getByRole('button', { name: 'Connect to Vault' }).click();

      await assertVaultModeShown(app, vault);
      const browsing = visit();
      assert.ok(browsing, 'main opened the sign-in page');
      assert.match(await browsing, /^http:\/\/localhost:\d+\/oidc\/callback\?/, 'the browser ended on the loopback callback');
      assert.equal(opened.length, 1, 'the page was opened once');
      assert.equal(new URL(opened[0] ?? '').pathname, '/idp/authorize', 'main opened the identity provider\'s page');
      assert.equal(app.window.sentToPage().includes(opened[0] ?? 'x'), false, 'the sign-in page stays in main');
      assert.equal((await app.core.vault.status())?.method, 'oidc');
      const stored = JSON.parse((await app.storedVaultToken()) ?? '{}') as { token?: string };
      assert.ok(stored.token, 'the Vault token is in the keychain');
      assert.equal(app.window.sentToPage().includes(stored.token), false, 'the token was not sent to the page');
    } finally {
      await vault.close();
    }
  });
});

test('OIDC when Vault\'s usual callback port is taken: the error is on the Callback port field, and another port signs in', async () => {
  // Another program on the port Keyfob would use by default (8250 for a person; a chosen one here).
  const { port: taken, release } = await holdPort();
  const { opened, openExternal, visit } = personsBrowser();
  try {
    await suite.withApp({ connected: false, vaultOidcPort: taken, openExternal }, async (app) => {
      const vault = await vaultFor(app);
      try {
        const { page } = app;
        vault.addOidcRole('keyfob', {});
        await fillVaultForm(app, vault.url, 'oidc');
        await page.getByLabel('OIDC role (optional)').fill('keyfob');
        const port = page.getByLabel('Callback port', { exact: true });
        const portError = page.locator('[data-field="oidcPort"] .field-error');
        const connect = page.getByRole('button', { name: 'Connect to Vault' });

        await connect.click();
        await eventually(async () => assert.equal(await port.getAttribute('aria-invalid'), 'true', 'the port field is marked invalid'));
        assert.equal(await portError.innerText(), `Callback port is taken: another program listens on localhost:${taken}`);
        assert.equal(opened.length, 0, 'no sign-in page was opened');

        await port.fill('eighty');
        await connect.click();
        await eventually(async () => assert.match(await portError.innerText(), /^Enter a port number from 1 to 65535, or leave it empty for 8250\.$/));
        await port.fill('70000');
        await connect.click();
        await eventually(async () => assert.equal(await portError.innerText(), 'Callback port must be a port number from 1 to 65535'));
        assert.equal(opened.length, 0, 'still no sign-in page');

        const chosen = await freePort();
        await port.fill(String(chosen));
        await connect.click();
        await assertVaultModeShown(app, vault);
        assert.equal(opened.length, 1, 'the page was opened once');
        assert.equal(new URL(opened[0] ?? '').searchParams.get('redirect_uri'), `http://localhost:${chosen}/oidc/callback`, 'Vault was given the chosen port');
        const browsing = visit();
        assert.ok(browsing, 'main opened the sign-in page');
        assert.match(await browsing, new RegExp(`^http://localhost:${chosen}/oidc/callback\\?`), 'the browser came back on the chosen port');
        assert.equal((await app.core.vault.status())?.method, 'oidc');
      } finally {
        await vault.close();
      }
    });
  } finally {
    await release();
  }
});
