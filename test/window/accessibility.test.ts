// Accessibility in a real browser: an axe-core scan of every screen and state, light and dark, with zero
// violations; reflow at 320 CSS px; and what a screen reader hears (once, in words) and where focus goes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations } from './axe.js';
import { eventually } from './bridge.js';
import { WindowSuite, issueFromKeys as issue } from './harness.js';
import type { AppOptions, AppUnderTest } from './harness.js';

const ROLES = [
  { name: 'ci', ttl: '15m' },
  { name: 'dev', models: ['gpt-4o', 'gpt-4o-mini'], ttl: '1h', max_ttl: '8h', max_budget: 5 },
];

let suite: WindowSuite;
before(async () => {
  suite = await WindowSuite.start();
});
after(() => suite.close());

async function withApp(opts: AppOptions, run: (app: AppUnderTest) => Promise<void>): Promise<void> {
  await suite.withApp(opts, async (app) => {
    await app.page.locator(opts.connected === false ? '#first-run-heading' : '[role="tab"][aria-selected="true"]').waitFor();
    await run(app);
  });
}

/** Scans the page as it is, in light and in dark; collects "state/scheme: violation" lines. */
async function scanBothSchemes(page: Page, state: string, found: string[]): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const v of await axeViolations(page)) found.push(`${state}/${scheme}: ${v}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

/** The text of every live region on the page (status, alert, aria-live), in document order. */
const liveRegionTexts = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[role="status"], [role="alert"], [aria-live]:not([aria-live="off"])')].filter((el) => !el.closest('[hidden]')).map((el) => el.textContent ?? ''),
  );

test('axe-core finds what it should: a canary image without alt text and grey-on-grey text are reported', async () => {
  await withApp({}, async (app) => {
    assert.deepEqual(await axeViolations(app.page), []);
    await app.page.evaluate(() => {
      const img = document.createElement('img');
      img.src = 'data:,';
      const faint = document.createElement('p');
      faint.textContent = 'hard to read';
      faint.style.color = '#8a8a8a';
      faint.style.background = '#999999';
      document.querySelector('main')?.append(img, faint);
    });
    const found = await axeViolations(app.page);
    assert.ok(found.some((v) => v.startsWith('image-alt')), found.join('\n'));
    assert.ok(found.some((v) => v.startsWith('color-contrast')), found.join('\n'));
  });
});

test('axe-core: first run, and the empty screens of a connected Keyfob without roles — light and dark, zero violations', async () => {
  const found: string[] = [];
  await withApp({ connected: false }, async (app) => {
    assert.equal(await app.page.locator('h1').count(), 1);
    await scanBothSchemes(app.page, 'first-run', found);
    await app.page.getByLabel('LiteLLM proxy URL').fill('http://127.0.0.1:9');
    await app.page.getByLabel('Your LiteLLM key').fill('sk-nothing');
    await app.page.getByRole('button', { name: 'Connect', exact: true }).click();
    await app.page.locator('[data-field="url"] .field-error').waitFor();
    await scanBothSchemes(app.page, 'first-run-error', found);
    await app.page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('first-run-error-dark');
  });
  await withApp({}, async (app) => {
    const { page } = app;
    for (const screen of ['Keys', 'Roles', 'Settings', 'Activity']) {
      await openTab(page, screen);
      assert.equal(await page.locator('h1:visible').count(), 1, `${screen}: one h1`);
      await scanBothSchemes(page, `${screen}-empty`, found);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
    await openTab(page, 'Keys');
    await app.screenshot('keys-empty-no-roles-dark');
    await openTab(page, 'Roles');
    await app.screenshot('roles-empty-dark');
  });
  assert.deepEqual(found, []);
});

test('axe-core: keys live, expiring and failing, a role form, "Use with…", the dialog — light and dark, zero violations', async () => {
  const found: string[] = [];
  await withApp({ roles: ROLES }, async (app) => {
    const { page } = app;
    app.idleSeconds = 3600; // nothing is renewed: the ci key runs into its last 5 minutes
    await issue(app, 'dev');
    const ci = await issue(app, 'ci');
    await app.advance(10 * 60_000 + 1000);
    await eventually(async () => assert.equal(await app.row(ci).getAttribute('class'), 'lease lvl-warn'));
    await scanBothSchemes(page, 'keys-warning', found);
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('keys-warning-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByRole('button', { name: 'Revoke all…' }).click();
    await page.getByRole('dialog').waitFor();
    await scanBothSchemes(page, 'dialog', found);
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('keys-revoke-all-dialog-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.keyboard.press('Escape');

    await app.sim.close(); // the proxy goes away: a renew fails in the row, and the indicator says so
    await app.row(ci).getByRole('button', { name: 'Renew' }).click();
    await app.row(ci).locator('.lease-msg[role="alert"]').waitFor();
    await scanBothSchemes(page, 'keys-error', found);
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('keys-error-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await openTab(page, 'Roles');
    await page.locator('li.role[data-role="dev"] summary').click();
    await scanBothSchemes(page, 'roles-use-with', found);
    await page.getByRole('button', { name: 'New role' }).click();
    await page.locator('form.role-form').waitFor();
    await scanBothSchemes(page, 'role-form', found);
    await openTab(page, 'Settings');
    await scanBothSchemes(page, 'settings', found);
    await openTab(page, 'Activity');
    await page.locator('table.audit tbody tr').first().waitFor();
    await scanBothSchemes(page, 'activity', found);
  });
  assert.deepEqual(found, []);
});

test('reflow at 320 CSS px: no screen scrolls sideways, and the tab bar shows every tab, Activity included', async () => {
  await withApp({ roles: ROLES, viewport: { width: 320, height: 640 } }, async (app) => {
    const { page } = app;
    await issue(app, 'dev');
    const sideways = (): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    for (const screen of ['Keys', 'Roles', 'Settings', 'Activity']) {
      await openTab(page, screen);
      if (screen === 'Roles') await page.locator('li.role[data-role="dev"] summary').click();
      assert.equal(await sideways(), 0, `${screen} scrolls sideways`);
      await app.screenshot(`reflow-320-${screen.toLowerCase()}`);
    }
    const tabs = await page.getByRole('tab').evaluateAll((els) => els.map((el) => ({ text: el.textContent, right: el.getBoundingClientRect().right, bottom: el.getBoundingClientRect().bottom })));
    for (const tab of tabs) assert.ok(tab.right <= 320, `tab ${tab.text} is cut off at ${tab.right}px`);
    assert.ok(tabs.some((t) => t.text === 'Activity'));
    await openTab(page, 'Roles');
    await page.getByRole('button', { name: 'New role' }).click();
    assert.equal(await sideways(), 0, 'the role form scrolls sideways');
  });
  await withApp({ connected: false, viewport: { width: 320, height: 640 } }, async (app) => {
    assert.equal(await app.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, 'first run scrolls sideways');
  });
});

test('a 640×480 window: everything still fits (screenshot)', async () => {
  await withApp({ roles: ROLES, viewport: { width: 640, height: 480 } }, async (app) => {
    await issue(app, 'dev');
    await issue(app, 'ci');
    assert.equal(await app.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
    await app.screenshot('keys-640x480-light');
  });
});

test('screen readers hear each action once, in words: the key’s role and last characters, durations spelled out', async () => {
  await withApp({ roles: ROLES }, async (app) => {
    const { page } = app;
    const id = await issue(app, 'ci');
    const hint = app.core.leases.get(id).key_hint?.slice(-4);
    await app.row(id).getByRole('button', { name: 'Copy' }).click();
    const said = `Copied ci key …${hint}. The clipboard is cleared in 30 seconds.`;
    await eventually(async () => assert.deepEqual((await liveRegionTexts(page)).filter((t) => t.includes('Copied')), [said]));

    await openTab(page, 'Settings');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await eventually(async () => assert.ok((await page.locator('.prefs-form .status').innerText()).includes('Settings saved.')));
    assert.deepEqual((await liveRegionTexts(page)).filter((t) => t.includes('Settings saved')), ['Settings saved.'], 'the visible status is not a second live region');

    await openTab(page, 'Roles');
    await page.locator('li.role[data-role="ci"] [data-action="copy"]').click();
    await eventually(async () => assert.match(await page.locator('.roles-screen > .status').innerText(), /^Copied /));
    assert.deepEqual((await liveRegionTexts(page)).filter((t) => t.includes('Copied')), [said], 'said once, in the announcer');
    assert.doesNotMatch((await liveRegionTexts(page)).join(' '), /[0-9a-f]{8}|\d+:\d\d/, 'no hex aliases, no clock-style durations');
  });
});

test('a revealed key: Escape hides it; when it hides itself, focus moves to Reveal and a screen reader hears it', async () => {
  await withApp({ roles: ROLES }, async (app) => {
    const { page } = app;
    const id = await issue(app, 'dev');
    const hint = app.core.leases.get(id).key_hint?.slice(-4);
    const row = app.row(id);
    const activeAction = (): Promise<string | null> => page.evaluate(() => document.activeElement?.getAttribute('data-action') ?? document.activeElement?.tagName ?? null);

    await row.getByRole('button', { name: 'Reveal' }).click();
    await row.getByLabel('Key', { exact: true }).focus();
    await page.keyboard.press('Escape');
    await eventually(async () => assert.equal(await row.getByLabel('Key', { exact: true }).count(), 0));
    assert.equal(await activeAction(), 'reveal');
    assert.equal(await page.locator('#announcer').innerText(), `dev key …${hint} hidden.`);
    assert.equal(await row.locator('.lease-msg').isVisible(), false, '"Shown for 1m." goes with the key');

    await row.getByRole('button', { name: 'Reveal' }).click();
    await row.getByLabel('Key', { exact: true }).focus();
    await page.clock.runFor(60_000 + 10);
    await eventually(async () => assert.equal(await row.getByLabel('Key', { exact: true }).count(), 0));
    assert.equal(await activeAction(), 'reveal', 'focus is on Reveal, not the page body');
    assert.equal(await page.locator('#announcer').innerText(), `dev key …${hint} hidden again.`);
  });
});

test('the dialog keeps Tab and Shift+Tab inside it', async () => {
  await withApp({ roles: ROLES }, async (app) => {
    const { page } = app;
    await issue(app, 'dev');
    await page.getByRole('button', { name: 'Revoke all…' }).click();
    await page.getByRole('dialog').waitFor();
    const inDialog = (): Promise<string | null> => page.evaluate(() => (document.activeElement?.closest('dialog') ? document.activeElement.getAttribute('data-action') : null));
    const seen: Array<string | null> = [await inDialog()];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      seen.push(await inDialog());
    }
    assert.deepEqual(seen, ['cancel', 'confirm', 'cancel', 'confirm', 'cancel']);
    await page.keyboard.press('Shift+Tab');
    assert.equal(await inDialog(), 'confirm');
    await page.keyboard.press('Escape');
    assert.equal(app.sim.liveKeys().length, 1);
  });
});
