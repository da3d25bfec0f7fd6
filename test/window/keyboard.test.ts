// Keyboard only: no mouse anywhere in these tests. Tab, arrows, Enter, Space and Escape reach every action, focus
// is always visible, and it lands somewhere sensible after each action.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually } from './bridge.js';
import { WindowSuite } from './harness.js';
import type { AppUnderTest } from './harness.js';

let suite: WindowSuite;
before(async () => {
  suite = await WindowSuite.start();
});
after(() => suite.close());

async function withApp(run: (app: AppUnderTest) => Promise<void>): Promise<void> {
  await suite.withApp({ roles: [{ name: 'ci', ttl: '15m' }, { name: 'dev', models: ['gpt-4o'], ttl: '1h' }] }, async (app) => {
    await app.page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
    await run(app);
  });
}

/** Presses Tab until the focused element matches `selector`; fails if it takes more than `max` presses. */
async function tabTo(page: Page, selector: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

const focused = (page: Page): Promise<{ id: string; action: string | null; lease: string | null; text: string; outline: string }> =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    return {
      id: el.id,
      action: el.getAttribute('data-action'),
      lease: el.closest('li.lease')?.getAttribute('data-lease-id') ?? null,
      text: el.textContent ?? '',
      outline: getComputedStyle(el).outlineStyle,
    };
  });

test('keyboard only: issue a key from the Keys screen, then revoke it', async () => {
  await withApp(async (app) => {
    const { page } = app;
    await tabTo(page, '#issue-role');
    await page.keyboard.press('ArrowDown'); // ci → dev
    assert.equal(await page.locator('#issue-role').inputValue(), 'dev');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'issue-button');
    assert.notEqual((await focused(page)).outline, 'none', 'focus is visible');
    await page.keyboard.press('Enter');

    const lease = await eventually(() => {
      const [live] = app.liveLeases();
      assert.ok(live, 'live is set');
      return live;
    });
    assert.equal(lease.role, 'dev');
    await eventually(async () => assert.deepEqual([(await focused(page)).lease, (await focused(page)).action], [lease.lease_id, 'copy']));

    // Copy → Reveal → Renew → Revoke.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).action, 'revoke');
    assert.notEqual((await focused(page)).outline, 'none', 'focus is visible');
    await app.screenshot('keys-keyboard-focus-light');
    await page.keyboard.press('Space');
    await eventually(async () => assert.equal(await app.row(lease.lease_id).count(), 0));
    assert.equal(app.sim.liveKeys().length, 0);
    assert.equal((await focused(page)).id, 'keys-heading', 'focus moves to the heading when the last row goes');
  });
});

test('keyboard only: arrows move between screens; Issue key on a role, Revoke all through the dialog', async () => {
  await withApp(async (app) => {
    const { page } = app;
    await tabTo(page, '[role="tab"][aria-selected="true"]');
    assert.equal((await focused(page)).id, 'tab-keys');
    await page.keyboard.press('ArrowRight');
    assert.equal((await focused(page)).id, 'tab-roles');
    assert.equal(await page.locator('#panel-roles').isVisible(), true);
    await page.keyboard.press('End');
    assert.equal((await focused(page)).id, 'tab-activity');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    assert.equal((await focused(page)).id, 'tab-roles');

    await tabTo(page, 'li[data-role="dev"] [data-action="issue"]');
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
    const first = await eventually(() => {
      const [live] = app.liveLeases();
      assert.ok(live, 'live is set');
      return live;
    });
    await eventually(async () => assert.equal((await focused(page)).lease, first.lease_id));
    await tabTo(page, '#issue-button', 40);
    await page.keyboard.press('Enter');
    await eventually(async () => assert.equal(await page.locator('li.lease').count(), 2));

    await tabTo(page, '#revoke-all');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Revoke all 2 keys?' });
    await dialog.waitFor();
    assert.equal((await focused(page)).action, 'cancel', 'the safe choice has focus');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await focused(page)).id, 'revoke-all');
    assert.equal(app.sim.liveKeys().length, 2);

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).action, 'confirm');
    await page.keyboard.press('Enter');
    await eventually(async () => assert.equal(await page.locator('li.lease').count(), 0));
    assert.equal(app.sim.liveKeys().length, 0);
    // The pushed snapshot can empty the list before revokeAll's own answer returns and moves the focus.
    await eventually(async () => assert.equal((await focused(page)).id, 'keys-heading'));
  });
});

test('keyboard only: create a role, picking a model with the keyboard, and see a field error', async () => {
  await withApp(async (app) => {
    const { page } = app;
    await tabTo(page, '[role="tab"][aria-selected="true"]');
    await page.keyboard.press('ArrowRight');
    await tabTo(page, '#new-role');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'name');
    await page.keyboard.type('Bad name');
    await page.keyboard.press('Tab'); // the models input
    await page.keyboard.type('gpt-4o-mini');
    await page.keyboard.press('Enter'); // adds the model, does not submit
    assert.deepEqual(await page.locator('.chip span').allInnerTexts(), ['gpt-4o-mini']);
    await tabTo(page, 'form.role-form [data-action="save"]');
    await page.keyboard.press('Enter');
    await eventually(async () => assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'name'));
    assert.ok(await page.locator('[data-field="name"] .field-error').isVisible());
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('search');
    await tabTo(page, 'form.role-form [data-action="save"]');
    await page.keyboard.press('Enter');
    await page.locator('li.role[data-role="search"]').waitFor();
    assert.deepEqual(app.core.getRole('search').models, ['gpt-4o-mini']);
    // Escape closes an open form without saving and returns focus to the button that opened it.
    await tabTo(page, 'li.role[data-role="search"] [data-action="edit"]');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('form.role-form').count(), 0);
    assert.equal((await focused(page)).action, 'edit');
  });
});
