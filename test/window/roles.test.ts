// The Roles screen in a real browser over the real core: create with every field, a rejected role with messages
// beside its fields, edit, delete with confirmation, and issuing a key from a role.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from './bridge.js';
import { WindowSuite } from './harness.js';
import type { AppOptions, AppUnderTest } from './harness.js';

let suite: WindowSuite;
before(async () => {
  suite = await WindowSuite.start();
});
after(() => suite.close());

async function withRoles(run: (app: AppUnderTest) => Promise<void>, opts: AppOptions = {}): Promise<void> {
  await suite.withApp(opts, async (app) => {
    await app.page.getByRole('tab', { name: 'Roles' }).click();
    await app.page.getByRole('heading', { name: 'Roles', exact: true }).waitFor();
    await run(app);
  });
}

test('create a role with every field: models from the proxy and typed, durations, limits, metadata', async () => {
  await withRoles(async (app) => {
    const { page } = app;
    assert.match(await page.locator('.roles-screen .empty').innerText(), /No roles yet/);
    await page.getByRole('button', { name: 'New role' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'name', 'focus moves into the form');
    const form = page.locator('form.role-form');
    // The proxy's models feed the picker; any other name can be typed.
    await eventually(async () => assert.match(await form.locator('.models-field').innerText(), /The proxy offers gpt-4o, gpt-4o-mini and claude-sonnet-4\./));
    assert.deepEqual(await form.locator('datalist option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)), ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4']);

    await form.getByLabel('Name').fill('research');
    await form.getByLabel('Models', { exact: true }).fill('gpt-4o');
    await form.getByRole('button', { name: 'Add model' }).click();
    await form.getByLabel('Models', { exact: true }).fill('my-private-model');
    await form.getByLabel('Models', { exact: true }).press('Enter');
    assert.deepEqual(await form.locator('.chip span').allInnerTexts(), ['gpt-4o', 'my-private-model']);
    await form.getByLabel('Lease TTL').fill('30m');
    await form.getByLabel('Max TTL').fill('4h');
    await form.getByLabel('Max budget (USD)').fill('12.5');
    await form.getByLabel('Budget resets every').fill('30d');
    await form.getByLabel('Tokens per minute').fill('1000');
    await form.getByLabel('Requests per minute').fill('60');
    await form.getByLabel('Parallel requests').fill('2');
    await form.getByLabel('Team ID').fill('team-a');
    await form.getByLabel('User ID').fill('alice');
    await form.getByLabel('Key alias prefix').fill('kf');
    await form.getByLabel('Metadata').fill('owner=alice\nproject=search');
    await app.screenshot('role-form-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('role-form-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await form.getByRole('button', { name: 'Create role' }).click();

    const item = page.locator('li.role[data-role="research"]');
    await item.waitFor();
    assert.equal(await form.count(), 0, 'the form closes');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-role')), 'research');
    assert.deepEqual(app.core.getRole('research'), {
      name: 'research',
      models: ['gpt-4o', 'my-private-model'],
      max_budget: 12.5,
      budget_duration: '30d',
      tpm_limit: 1000,
      rpm_limit: 60,
      max_parallel_requests: 2,
      team_id: 'team-a',
      user_id: 'alice',
      key_alias_prefix: 'kf',
      metadata: { owner: 'alice', project: 'search' },
      ttl: 1800,
      max_ttl: 14400,
    });
    assert.match(await item.innerText(), /TTL 30m · max TTL 4h · budget \$12\.50 per 30d · 60 rpm · 1000 tpm · 2 parallel · team team-a · user alice/);
  });
});

test('a rejected role: main’s messages appear next to each field at fault, and nothing is saved', async () => {
  await withRoles(async (app) => {
    const { page } = app;
    await page.getByRole('button', { name: 'New role' }).click();
    const form = page.locator('form.role-form');
    await form.getByLabel('Name').fill('Not A Name!');
    await form.getByLabel('Lease TTL').fill('2h');
    await form.getByLabel('Max TTL').fill('1h');
    await form.getByLabel('Requests per minute').fill('-5');
    await form.getByRole('button', { name: 'Create role' }).click();

    const nameError = form.locator('[data-field="name"] .field-error');
    await nameError.waitFor();
    assert.match(await nameError.innerText(), /^Name /);
    // The form's labels, not the data's field names.
    assert.match(await form.locator('[data-field="ttl"] .field-error').innerText(), /^Lease TTL must not exceed Max TTL/);
    assert.doesNotMatch(await form.innerText(), /max_ttl|rpm_limit/);
    assert.ok(await form.locator('[data-field="rpm_limit"] .field-error').isVisible());
    assert.equal(await form.locator('[data-field="max_ttl"] .field-error').isVisible(), false, 'only fields at fault');
    assert.equal(await form.getByLabel('Name').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'name', 'focus on the first field at fault');
    // The message is part of the field's description for screen readers.
    const describedBy = (await form.getByLabel('Name').getAttribute('aria-describedby')) ?? '';
    assert.ok(describedBy.split(' ').includes((await nameError.getAttribute('id')) ?? '-'));
    assert.deepEqual(app.core.listRoles(), []);
    await app.screenshot('role-form-rejected-light');

    // Fixing the fields clears the messages on the next save.
    await form.getByLabel('Name').fill('fixed');
    await form.getByLabel('Lease TTL').fill('30m');
    await form.getByLabel('Requests per minute').fill('');
    await form.getByRole('button', { name: 'Create role' }).click();
    await page.locator('li.role[data-role="fixed"]').waitFor();
    assert.equal(app.core.getRole('fixed').ttl, 1800);
  });
});

test('edit a role: the form is filled from main, and saving changes main', async () => {
  await withRoles(
    async (app) => {
      const { page } = app;
      const item = page.locator('li.role[data-role="dev"]');
      await item.getByRole('button', { name: 'Edit' }).click();
      const form = page.locator('form.role-form');
      assert.equal(await form.getByLabel('Name').inputValue(), 'dev');
      assert.equal(await form.getByLabel('Name').getAttribute('readonly'), '');
      assert.equal(await form.getByLabel('Lease TTL').inputValue(), '1h');
      assert.equal(await form.getByLabel('Metadata').inputValue(), 'team=search');
      assert.deepEqual(await form.locator('.chip span').allInnerTexts(), ['gpt-4o']);
      await form.getByRole('button', { name: 'Remove gpt-4o' }).click();
      assert.match(await form.locator('.chips').innerText(), /All models/);
      await form.getByLabel('Lease TTL').fill('45m');
      await form.getByRole('button', { name: 'Save role' }).click();
      await form.waitFor({ state: 'detached' });
      const role = app.core.getRole('dev');
      assert.equal(role.ttl, 2700);
      assert.deepEqual(role.models, []);
      assert.deepEqual(role.metadata, { team: 'search' });
      await eventually(async () => assert.match(await item.innerText(), /All models/));
    },
    { roles: [{ name: 'dev', models: ['gpt-4o'], ttl: '1h', metadata: { team: 'search' } }] },
  );
});

test('delete asks first: Cancel keeps the role, confirming deletes it', async () => {
  await withRoles(
    async (app) => {
      const { page } = app;
      const item = page.locator('li.role[data-role="ci"]');
      await item.getByRole('button', { name: 'Delete' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete role ci?' });
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(app.core.listRoles().length, 2);
      await item.getByRole('button', { name: 'Delete' }).click();
      await dialog.getByRole('button', { name: 'Delete role' }).click();
      await item.waitFor({ state: 'detached' });
      assert.deepEqual(app.core.listRoles().map((r) => r.name), ['dev']);
      assert.match(await page.locator('.roles-screen > .status').innerText(), /Deleted role ci/);
    },
    { roles: [{ name: 'dev' }, { name: 'ci' }] },
  );
});

test('Issue key on a role opens the Keys screen on the new key; Copy key copies that role’s live key', async () => {
  await withRoles(
    async (app) => {
      const { page } = app;
      await app.settled();
      await app.screenshot('roles-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await app.screenshot('roles-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      await page.locator('li.role[data-role="dev"]').getByRole('button', { name: 'Issue key' }).click();
      await page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
      const [lease] = app.liveLeases();
      assert.ok(lease, 'lease is set');
      assert.equal(lease.role, 'dev');
      assert.equal(await page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-lease-id')), lease.lease_id);

      await page.getByRole('tab', { name: 'Roles' }).click();
      await page.locator('li.role[data-role="dev"]').getByRole('button', { name: 'Copy key' }).click();
      await eventually(async () => assert.match(await page.locator('.roles-screen > .status').innerText(), new RegExp(`Copied ${lease.key_alias}`)));
      assert.equal(app.liveLeases().length, 1, 'the live key was copied, no new one issued');
      assert.match(await app.readClipboard(), /^sk-/);
      assert.equal(app.clipboardWrites.length, 1);
    },
    { roles: [{ name: 'dev', models: ['gpt-4o'], ttl: '1h', max_budget: 5, budget_duration: '30d' }, { name: 'ci', ttl: '15m', rpm_limit: 60 }] },
  );
});
