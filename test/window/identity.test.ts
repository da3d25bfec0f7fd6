// Who is connected, in the window: an internal user's personal key (no master key on the laptop) is tested and
// connected from the first-run form, and the window says whose key it is and for whom keys are made — in the test
// and connect results, the header's indicator and Settings → Connection. The role comes from the simulator's
// /key/info and /user/info, nothing stubbed.
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

const ALICE = 'Connected as alice, internal user: keys are created for alice; team keys for Platform (team admin).';

/** The text of the hint a control's aria-describedby points at (what a screen reader reads with it). */
async function hintOf(page: Page, label: string): Promise<string> {
  const ids = (await page.getByLabel(label).getAttribute('aria-describedby')) ?? '';
  const hint = ids.split(' ').find((id) => id.endsWith('-hint'));
  assert.ok(hint, `${label} has a hint`);
  return page.locator(`[id="${hint}"]`).innerText();
}

async function openSettings(app: AppUnderTest): Promise<void> {
  await app.page.getByRole('tab', { name: 'Settings' }).click();
  await app.page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
}

test('first run with an internal user’s key: the window says who is connected and for whom keys are made', async () => {
  await suite.withApp({ connected: false }, async (app) => {
    const { page, sim } = app;
    sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
    sim.addTeam({ team_id: 'platform', team_alias: 'Platform', members: [{ user_id: 'alice', role: 'admin' }] });
    const aliceKey = sim.addKey({ user_id: 'alice', key_alias: 'alice-laptop' }).key;

    await page.getByRole('heading', { name: 'Connect to your LiteLLM proxy' }).waitFor();
    // Not a master-key-only form: the hint and the page say a personal or team key does.
    assert.match(await hintOf(page, 'Your LiteLLM key'), /^A personal or team key \(the proxy’s master key works too, but is riskier\)/);
    assert.match(await page.locator('.first-run .welcome').innerText(), /your LiteLLM key: a personal or team key, or the proxy’s master key/);

    await page.getByLabel('LiteLLM proxy URL').fill(sim.url);
    await page.getByLabel('Your LiteLLM key').fill(aliceKey);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await eventually(async () => assert.equal(await page.locator('.probe-result').innerText(),
      `Connection works: the proxy answers, accepts your LiteLLM key and has a database. ${ALICE}`));

    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
    const conn = page.locator('.conn');
    const host = new URL(sim.url).host;
    await eventually(async () => assert.equal(await conn.getAttribute('data-health'), 'ok'));
    assert.match(await conn.innerText(), new RegExp(`^Connected to ${host.replace(/[.]/g, '\\.')} as alice · `));
    assert.equal(await conn.getAttribute('title'), `${sim.url}\n${ALICE}`);

    await openSettings(app);
    const line = page.locator('.connect-form.settings [data-role="identity"]');
    assert.equal(await line.isVisible(), true);
    assert.equal(await line.innerText(), ALICE);
    await app.screenshot('settings-identity-internal-user');
    assert.equal(app.window.sentToPage().includes(aliceKey), false, 'alice’s key never reached the page');
  });
});

test('connected with the master key: Settings says so, and the header keeps its short form', async () => {
  await suite.withApp({}, async (app) => {
    const { page } = app;
    await openSettings(app);
    const line = page.locator('.connect-form.settings [data-role="identity"]');
    await eventually(async () => assert.equal(await line.innerText(), "Connected with the proxy's master key: keys can be created for anyone."));
    assert.doesNotMatch(await page.locator('.conn-text').innerText(), / as /);
  });
});

test('a view-only user’s key: Settings says it cannot issue keys, and why', async () => {
  await suite.withApp({}, async (app) => {
    const { page, sim } = app;
    sim.addUser({ user_id: 'vera', user_role: 'internal_user_viewer' });
    const veraKey = sim.addKey({ user_id: 'vera' }).key;
    await openSettings(app);
    await page.getByLabel('LiteLLM proxy URL').fill(sim.url);
    await page.getByLabel('New LiteLLM key').fill(veraKey);
    await page.getByRole('button', { name: 'Save and connect' }).click();
    const line = page.locator('.connect-form.settings [data-role="identity"]');
    await eventually(async () => assert.equal(await line.innerText(),
      'Connected as vera, view-only (internal_user_viewer): Keyfob cannot issue keys with this credential.'));
    assert.equal(app.window.sentToPage().includes(veraKey), false);
  });
});
