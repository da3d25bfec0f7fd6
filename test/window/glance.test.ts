// A window that reads at a glance (issue 15): messages that go away, a connection indicator, one error per row,
// a progress bar of the current TTL, no bad wrapping, the locale's own times, a quiet "Revoke all", empty states
// that point somewhere, copy fixes, amber only for keys that will not be renewed — and the "Use with…" panel and
// helper activity of issue 14.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { eventually } from './bridge.js';
import { START, WindowSuite, issueFromKeys as issue } from './harness.js';
import type { AppOptions, AppUnderTest } from './harness.js';

const ROLES = [
  { name: 'dev', models: ['gpt-4o', 'gpt-4o-mini'], ttl: '1h', max_ttl: '8h', max_budget: 5 },
  { name: 'ci', ttl: '10m' },
];

let suite: WindowSuite;
before(async () => {
  suite = await WindowSuite.start();
});
after(() => suite.close());

async function withApp(opts: AppOptions, run: (app: AppUnderTest) => Promise<void>): Promise<void> {
  await suite.withApp({ roles: ROLES, ...opts }, async (app) => {
    await app.page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
    await run(app);
  });
}

/** The horizontal scale of a bar's fill, from its transform. */
const fillOf = (bar: Locator): Promise<number> =>
  bar.locator('.bar-fill').evaluate((el) => {
    const m = /scaleX\(([\d.]+)\)/.exec((el as HTMLElement).style.transform);
    return m ? Number(m[1]) : NaN;
  });

test('row messages have a lifetime: "Copied" goes when the clipboard is cleared, "Renewed" after a few seconds', async () => {
  await withApp({}, async (app) => {
    const id = await issue(app, 'dev');
    const message = app.row(id).locator('.lease-msg');
    await app.row(id).getByRole('button', { name: 'Copy' }).click();
    await eventually(async () => assert.equal(await message.innerText(), 'Copied. The clipboard is cleared in 30s.'));
    // Time moves for main and the page together (they share one clock in the app).
    await app.advance(29_000);
    assert.equal(await message.isVisible(), true, 'still true after 29 s');
    await app.advance(2_000);
    assert.equal(await message.isVisible(), false, 'gone once the clipboard is cleared');

    await app.row(id).getByRole('button', { name: 'Renew' }).click();
    await eventually(async () => assert.match(await message.innerText(), /^Renewed/));
    await app.advance(9_000);
    assert.equal(await message.isVisible(), true);
    await app.advance(2_000);
    assert.equal(await message.isVisible(), false);
  });
});

test('the connection indicator: connected, unreachable since …, admin key rejected; and one error per row', async () => {
  await withApp({ locale: 'en-US', timezoneId: 'UTC' }, async (app) => {
    const { page } = app;
    const conn = page.locator('.conn');
    const host = new URL(app.sim.url).host;
    const id = await issue(app, 'dev');
    await eventually(async () => assert.equal(await conn.getAttribute('data-health'), 'ok'));
    assert.match(await conn.innerText(), new RegExp(`^Connected to ${host.replace(/\./g, '\\.')} · `));

    // The proxy's admin key changes under Keyfob: the next call says so, in the header and once in the row.
    const master = app.sim.masterKey;
    app.sim.masterKey = 'sk-rotated-elsewhere';
    await app.row(id).getByRole('button', { name: 'Renew' }).click();
    await eventually(async () => assert.equal(await conn.getAttribute('data-health'), 'admin-key-rejected'));
    assert.equal(await conn.locator('.conn-text').innerText(), `LiteLLM key rejected by ${host}`);
    assert.equal(await conn.getByRole('button', { name: 'Enter your LiteLLM key' }).isVisible(), true);
    app.sim.masterKey = master;

    await app.advance(2 * 60_000); // 09:02
    await app.sim.close();
    await app.row(id).getByRole('button', { name: 'Revoke' }).click();
    await eventually(async () => assert.equal(await conn.getAttribute('data-health'), 'unreachable'));
    assert.equal(await conn.locator('.conn-text').innerText(), `${host} unreachable since 9:02 AM`);
    await eventually(async () => assert.equal(await app.row(id).getAttribute('data-state'), 'revoking'));
    const lease = app.core.leases.get(id);
    assert.ok(lease.last_error, 'main recorded why');
    const rowText = await app.row(id).innerText();
    assert.equal(rowText.split(lease.last_error.message).length - 1, 1, `the error once in the row:\n${rowText}`);
    assert.equal(await app.row(id).locator('.lease-msg').isVisible(), false, 'no second message in another colour');
    assert.match(await app.row(id).locator('.lease-note').innerText(), /^Revoke failing \(1 attempt\); Keyfob keeps retrying\./);
    assert.match(await page.locator('.summary').innerText(), /^0 live keys · 1 needs attention$/);
  });
});

test('the bar is the time left of the current TTL; the max TTL is a second, quieter line', async () => {
  await withApp({}, async (app) => {
    const id = await issue(app, 'dev'); // 1h TTL, 8h max
    const row = app.row(id);
    assert.equal(await fillOf(row.locator('.bar-ttl')), 1);
    assert.equal(await fillOf(row.locator('.bar-max')), 1);
    await app.advance(30 * 60_000);
    assert.equal(await fillOf(row.locator('.bar-ttl')), 0.5, 'half of the 1h TTL left');
    assert.ok(Math.abs((await fillOf(row.locator('.bar-max'))) - 7.5 / 8) < 0.002, '7h 30m of the 8h max left');
    const [ttlHeight, maxHeight] = await Promise.all([row.locator('.bar-ttl').evaluate((e) => e.getBoundingClientRect().height), row.locator('.bar-max').evaluate((e) => e.getBoundingClientRect().height)]);
    assert.ok(maxHeight < ttlHeight, 'the max TTL line is the quieter one');
  });
});

test('no bad wrapping: the key hint stays by the role, times and spend never break inside, at 960 and 320 px', async () => {
  for (const width of [960, 320]) {
    await withApp({ viewport: { width, height: 700 }, locale: 'en-US', timezoneId: 'America/New_York' }, async (app) => {
      const id = await issue(app, 'dev');
      const row = app.row(id);
      await eventually(async () => assert.match(await row.locator('.lease-spend').innerText(), /\$0\.00 of \$5\.00/));
      const unbroken = await row.locator('.hint-key, .lease-when .nowrap, .lease-spend .nowrap').evaluateAll((els) => els.map((el) => [el.textContent, el.getClientRects().length]));
      assert.ok(unbroken.length >= 3);
      for (const [text, lines] of unbroken) assert.equal(lines, 1, `"${text}" is broken over ${lines} lines at ${width}px`);
      const [tagTop, hintTop] = await Promise.all([row.locator('.role-tag').evaluate((e) => e.getBoundingClientRect().top), row.locator('.hint-key').evaluate((e) => e.getBoundingClientRect().top)]);
      assert.ok(Math.abs(tagTop - hintTop) < 4, `the sk- hint sits beside the role (${tagTop} vs ${hintTop})`);
    });
  }
});

test('times in the locale’s own format: "6:00 AM" in en-US (no leading zero), "06:00" in de-DE', async () => {
  // START is 09:00 UTC: 05:00 at UTC−4, so a 1h key expires at 6:00 there.
  for (const [locale, expected] of [['en-US', 'Expires 6:00 AM'], ['de-DE', 'Expires 06:00']] as const) {
    await withApp({ locale, timezoneId: 'Etc/GMT+4' }, async (app) => {
      const id = await issue(app, 'dev');
      assert.equal(await app.row(id).locator('.lease-when .nowrap').first().innerText(), expected);
      assert.equal(app.clock.now(), START);
    });
  }
});

test('"Revoke all…" is secondary, apart from Issue, hidden without keys; an empty Keys screen without roles points to Roles', async () => {
  await withApp({ roles: [] }, async (app) => {
    const { page } = app;
    assert.equal(await page.locator('#revoke-all').isVisible(), false, 'no keys: no Revoke all');
    const empty = page.locator('.keys-screen .empty');
    assert.match(await empty.innerText(), /create one on the Roles screen/);
    assert.doesNotMatch(await empty.innerText(), /above/);
    await empty.getByRole('button', { name: 'Go to Roles' }).click();
    await page.getByRole('tab', { name: 'Roles', selected: true }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'roles-heading');
  });
  await withApp({}, async (app) => {
    const { page } = app;
    assert.match(await page.locator('.keys-screen .empty').innerText(), /Issue one with the form above/);
    await issue(app, 'dev');
    const revokeAll = page.locator('#revoke-all');
    assert.equal(await revokeAll.isVisible(), true);
    assert.equal(await revokeAll.getAttribute('class'), 'danger-quiet', 'secondary, not a filled red button');
    assert.equal(await page.locator('.toolbar-actions #revoke-all').count(), 0, 'not beside the primary action');
  });
});

test('copy: capitals in the revoke checkboxes, role cards show the values, the proxy’s models are named', async () => {
  await withApp({}, async (app) => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Settings' }).click();
    const labels = await page.locator('fieldset:has(legend:text("Revoke every key when")) label').allInnerTexts();
    assert.deepEqual(labels, ['Keyfob quits', 'I log out or shut down', 'The screen locks', 'The computer sleeps']);

    await page.getByRole('tab', { name: 'Roles' }).click();
    assert.match(await page.locator('li.role[data-role="ci"] .role-info').innerText(), /TTL 10m · max TTL 1d \(default\) · no budget/);
    assert.match(await page.locator('li.role[data-role="dev"] .role-info').innerText(), /TTL 1h · max TTL 8h · budget \$5\.00/);
    assert.doesNotMatch(await page.locator('.roles').innerText(), /max default/);
  });
});

test('"Use with…": the exact command per tool, each copied as shown; "Set up" only when main offers it', async () => {
  await withApp({}, async (app) => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Roles' }).click();
    const card = page.locator('li.role[data-role="dev"]');
    await card.getByText('Use with…').click();
    const panel = card.locator('details.use-with');
    assert.deepEqual(await panel.locator('code.snippet').allInnerTexts(), [
      'keyfob setup claude-code dev',
      'keyfob setup codex dev',
      'codex --profile keyfob-dev',
      'eval "$(keyfob env dev --for-shell)"',
      'keyfob env dev --for-shell --format fish | source',
      'keyfob token dev',
      `${app.sim.url}/v1`,
      app.sim.url,
    ]);
    assert.deepEqual(await panel.locator('h3').allInnerTexts(), ['Claude Code', 'Codex', 'Shell', 'Any other tool']);
    assert.equal(await panel.getByRole('button', { name: /^Set up/ }).count(), 0, 'main does not offer setup: no button');

    await panel.getByRole('button', { name: 'Copy: eval "$(keyfob env dev --for-shell)"' }).click();
    await eventually(async () => assert.equal(await app.readClipboard(), 'eval "$(keyfob env dev --for-shell)"'));
    const shell = panel.locator('[data-tool="shell"] .snippet-msg');
    assert.equal(await shell.innerText(), 'Copied “eval "$(keyfob env dev --for-shell)"”.');
    await page.clock.runFor(11_000);
    assert.equal(await shell.isVisible(), false, 'the message goes');
    assert.equal(await panel.evaluate((d) => (d as HTMLDetailsElement).open), true, 'the panel stays open across snapshots');

    await app.pushSnapshot((s) => ({ ...s, features: { tool_setup: true } }));
    await card.locator('details.use-with').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await card.getByRole('button', { name: 'Set up Claude Code' }).click();
    const error = card.locator('[data-tool="claude-code"] .snippet-error');
    await eventually(async () => assert.match(await error.innerText(), /not available here\.\s*Run the command shown in a terminal\./));
  });
});

test('Keys shows which leases a tool’s helper keeps alive and when it last asked, when main says so', async () => {
  await withApp({ locale: 'en-US', timezoneId: 'UTC' }, async (app) => {
    const id = await issue(app, 'dev');
    const helper = app.row(id).locator('.lease-helper');
    assert.equal(await helper.isVisible(), false, 'no helper: nothing shown');
    await app.pushSnapshot((s) => ({
      ...s,
      leases: s.leases.map((l) => (l.lease_id === id ? { ...l, helper_tool: 'claude-code', helper_last_used_at: new Date(START - 4 * 60_000).toISOString() } : l)),
    }));
    await eventually(async () => assert.equal(await helper.innerText(), 'kept alive by claude-code last asked 8:56 AM'));
  });
});

test('amber and "5 minutes left" only for a key that will not be renewed: a renewing 10-minute key stays calm', async () => {
  await withApp({}, async (app) => {
    const id = await issue(app, 'ci'); // 10m TTL: renewed 5 minutes before expiry, while the person works
    const row = app.row(id);
    const announcer = app.page.locator('#announcer');
    for (let i = 0; i < 3; i++) {
      await app.advance(5 * 60_000 + 1000);
      assert.equal(await row.getAttribute('class'), 'lease lvl-ok', `renewal ${i + 1}: no amber`);
      assert.doesNotMatch(await announcer.innerText(), /minutes? left/);
    }
    assert.ok(Date.parse(app.core.leases.get(id).expires_at ?? '') - app.clock.now() > 5 * 60_000, 'it was renewed');

    // Main says this one will not be renewed (e.g. renewals failing): now 5 minutes left is worth a word.
    await app.pushSnapshot((s) => ({ ...s, leases: s.leases.map((l) => (l.lease_id === id ? { ...l, will_auto_renew: false, expires_at: new Date(app.clock.now() + 4 * 60_000).toISOString() } : l)) }));
    await eventually(async () => assert.equal(await row.getAttribute('class'), 'lease lvl-warn'));
    assert.match(await announcer.innerText(), /^ci key …[\w-]{4}: 5 minutes left\.$/);
  });
});

test('deleting a role with live keys says how many stay, in good grammar', async () => {
  await withApp({}, async (app) => {
    const { page } = app;
    await issue(app, 'dev');
    await page.getByRole('tab', { name: 'Roles' }).click();
    const body = (): Promise<string> => page.locator('dialog #confirm-body').innerText();
    await page.locator('li.role[data-role="dev"] [data-action="delete"]').click();
    assert.equal(await body(), 'Its live key stays until it expires or you revoke it.');
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: /^Keys/ }).click();
    await issue(app, 'dev');
    await page.getByRole('tab', { name: 'Roles' }).click();
    await page.locator('li.role[data-role="dev"] [data-action="delete"]').click();
    assert.equal(await body(), 'Its 2 live keys stay until they expire or you revoke them.');
    await page.keyboard.press('Escape');
    await page.locator('li.role[data-role="ci"] [data-action="delete"]').click();
    assert.equal(await body(), 'No key of this role is live.');
    await page.keyboard.press('Escape');
  });
});
