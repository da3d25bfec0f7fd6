// The Keys screen in a real browser over the real core and the simulator: issue, the live countdown, copy,
// reveal, renew, revoke and revoke all.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashKey } from '../sim/index.js';
import { eventually } from './bridge.js';
import { START, WindowSuite } from './harness.js';
import type { AppOptions, AppUnderTest } from './harness.js';

const DEV_ROLE = { name: 'dev', models: ['gpt-4o', 'gpt-4o-mini'], ttl: '1h', max_ttl: '8h', max_budget: 5 };
const CI_ROLE = { name: 'ci', ttl: '15m' };

let suite: WindowSuite;
before(async () => {
  suite = await WindowSuite.start();
});
after(() => suite.close());

async function withApp(run: (app: AppUnderTest) => Promise<void>, opts: AppOptions = {}): Promise<void> {
  await suite.withApp({ roles: [DEV_ROLE, CI_ROLE], ...opts }, async (app) => {
    await app.page.getByRole('tab', { name: /Keys/, selected: true }).waitFor();
    await run(app);
  });
}

/** Issues a key of `role` through the window's issue form and returns main's lease for it. */
async function issueFromKeys(app: AppUnderTest, role: string): Promise<string> {
  const before = new Set(app.liveLeases().map((l) => l.lease_id));
  await app.page.getByLabel('Role', { exact: true }).selectOption(role);
  await app.page.getByRole('button', { name: 'Issue key', exact: true }).click();
  const lease = await eventually(() => {
    const fresh = app.liveLeases().find((l) => !before.has(l.lease_id));
    assert.ok(fresh, 'main has the new lease');
    return fresh;
  });
  await app.row(lease.lease_id).waitFor();
  return lease.lease_id;
}

test('issue: the new row shows role, alias, models and a countdown; focus lands on its Copy button', async () => {
  await withApp(async (app) => {
    const id = await issueFromKeys(app, 'dev');
    const lease = app.core.leases.get(id);
    const row = app.row(id);
    assert.equal(await row.locator('.lease-alias').innerText(), lease.key_alias);
    assert.equal(await row.locator('.role-tag').innerText(), 'dev');
    assert.equal(await row.locator('.models').innerText(), 'gpt-4o, gpt-4o-mini');
    assert.equal(await app.countdown(id), '1h');
    assert.equal(await row.locator('.badge').innerText(), 'renewing');
    assert.equal(await row.getAttribute('id'), `lease-${id}`);
    assert.equal(await app.page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'copy');
    assert.equal(app.sim.liveKeys().length, 1, 'the proxy has the key');
    assert.equal(await app.page.locator('#announcer').innerText(), `Issued dev key …${lease.key_hint?.slice(-4)}. It expires in 1 hour.`);
    // Spend comes from /key/info through keyInfo, shown against the role's budget.
    await eventually(async () => assert.equal(await row.locator('.lease-spend').innerText(), '$0.00 of $5.00'));

    await issueFromKeys(app, 'ci');
    await app.settled();
    await app.screenshot('keys-light');
    await app.page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('keys-dark');
  });
});

test('countdown: it goes down as main’s, the proxy’s and the page’s clocks move, with no IPC per tick', async () => {
  await withApp(async (app) => {
    const id = await issueFromKeys(app, 'dev');
    assert.equal(await app.countdown(id), '1h');
    await app.advance(2 * 60_000 + 15_000);
    assert.equal(await app.countdown(id), '57m 45s');
    assert.equal(app.clock.now(), START + 135_000);
    assert.equal(app.sim.clock.now(), START + 135_000);

    // The page's one timer ticks alone: seconds pass without a single call to main.
    await app.settled();
    const calls = app.window.invoked.length;
    await app.page.clock.runFor(30_000 + 10); // the timer wakes just after each of main's whole seconds
    assert.equal(await app.countdown(id), '57m 15s');
    assert.equal(app.window.invoked.length, calls, 'no IPC while the countdown ticks');
  });
});

test('countdown: the one timer stops while the window is hidden and catches up when it shows again', async () => {
  await withApp(async (app) => {
    const id = await issueFromKeys(app, 'dev');
    await app.settled();
    const setHidden = (hidden: boolean): Promise<void> =>
      app.page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    const calls = app.window.invoked.length;
    await app.page.clock.runFor(5 * 60_000);
    assert.equal(await app.countdown(id), '1h', 'nothing ticks while hidden');
    assert.equal(app.window.invoked.length, calls, 'and nothing is asked of main (no spend refresh)');
    await setHidden(false);
    assert.equal(await app.countdown(id), '55m', 'shown again: the countdown is right at once');
    await app.page.clock.runFor(1010);
    assert.equal(await app.countdown(id), '54m 59s');
  });
});

test('countdown: colours change and a screen reader hears 5 minutes, 1 minute and expired — not every second', async () => {
  await withApp(async (app) => {
    app.idleSeconds = 3600; // idle: main will not renew, so the lease runs out
    const id = await issueFromKeys(app, 'ci');
    const row = app.row(id);
    assert.equal(await row.getAttribute('class'), 'lease lvl-ok');
    const announcer = app.page.locator('#announcer');

    await app.advance(10 * 60_000 + 1000); // 4:59 left
    assert.equal(await app.countdown(id), '4m 59s');
    await eventually(async () => assert.equal(await row.getAttribute('class'), 'lease lvl-warn'));
    const lease = app.core.leases.get(id);
    assert.equal(await announcer.innerText(), `ci key …${lease.key_hint?.slice(-4)}: 5 minutes left.`, 'the role and the key’s last characters, in words');
    await eventually(async () => assert.match(await row.locator('.badge').innerText(), /idle — will expire/));
    await app.screenshot('keys-expiring-light');

    await app.page.clock.runFor(3010); // seconds tick: nothing new is announced
    assert.equal(await app.countdown(id), '4m 56s');
    assert.match(await announcer.innerText(), /5 minutes left/);

    await app.advance(4 * 60_000); // 0:56 left
    assert.equal(await row.getAttribute('class'), 'lease lvl-crit');
    assert.match(await announcer.innerText(), /1 minute left/);
    await app.screenshot('keys-last-minute-light');

    // Expiry is revocation: main revokes the key on the proxy and the row leaves.
    await app.advance(60_000);
    await eventually(async () => assert.equal(await row.count(), 0));
    assert.match(await announcer.innerText(), /expired/);
    assert.equal(app.sim.liveKeys().length, 0);
    assert.match(await app.page.locator('.empty').first().innerText(), /No live keys/);
  });
});

test('copy: the clipboard holds the key, and the key never travelled to the page over IPC', async () => {
  await withApp(async (app) => {
    const id = await issueFromKeys(app, 'dev');
    await app.row(id).getByRole('button', { name: 'Copy' }).click();
    const pasted = await eventually(async () => {
      const text = await app.readClipboard();
      assert.match(text, /^sk-/);
      return text;
    });
    const simKey = app.sim.liveKeys()[0];
    assert.equal(hashKey(pasted), simKey?.token, 'the clipboard holds the very key the proxy issued');
    await eventually(async () => assert.match(await app.row(id).locator('.lease-msg').innerText(), /^Copied\. The clipboard is cleared in 30s\.$/));
    assert.ok(!app.window.sentToPage().includes(pasted), 'copying happens in main');
  });
});

test('reveal shows the key on request and hides it again', async () => {
  await withApp(async (app) => {
    const id = await issueFromKeys(app, 'dev');
    const reveal = app.row(id).getByRole('button', { name: 'Reveal' });
    await reveal.click();
    const shown = app.row(id).getByLabel('Key', { exact: true });
    const key = await eventually(async () => {
      const value = await shown.inputValue();
      assert.match(value, /^sk-/);
      return value;
    });
    assert.equal(hashKey(key), app.sim.liveKeys()[0]?.token);
    assert.equal(await app.row(id).getByRole('button', { name: 'Hide' }).getAttribute('aria-expanded'), 'true');
    await app.row(id).getByRole('button', { name: 'Hide' }).click();
    assert.equal(await shown.count(), 0, 'the key left the page');
  });
});

test('renew: the expiry moves, on main, on the proxy and in the countdown', async () => {
  await withApp(async (app) => {
    const id = await issueFromKeys(app, 'dev');
    await app.advance(10 * 60_000);
    assert.equal(await app.countdown(id), '50m');
    const before = app.core.leases.get(id).expires_at;

    await app.row(id).getByRole('button', { name: 'Renew' }).click();
    await eventually(async () => assert.equal(await app.countdown(id), '1h'));
    const after = app.core.leases.get(id).expires_at;
    assert.ok(after && before && Date.parse(after) === Date.parse(before) + 10 * 60_000, `expiry moved by 10 minutes (${before} → ${after})`);
    assert.equal(Date.parse(app.sim.liveKeys()[0]?.expires ?? ''), Date.parse(after ?? ''));
    assert.match(await app.row(id).locator('.lease-msg').innerText(), /^Renewed: expires \d{1,2}:\d\d AM \(1h left\)\.$/);
  });
});

test('revoke: the row goes, the proxy no longer has the key, and focus moves to the next row', async () => {
  await withApp(async (app) => {
    const first = await issueFromKeys(app, 'dev');
    const second = await issueFromKeys(app, 'ci');
    await app.row(second).getByRole('button', { name: 'Revoke' }).click();
    await eventually(async () => assert.equal(await app.row(second).count(), 0));
    assert.deepEqual(app.sim.liveKeys().map((k) => k.key_alias), [app.core.leases.get(first).key_alias]);
    assert.equal(await app.page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-lease-id')), first);
    assert.equal(await app.page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'revoke');

    await app.row(first).getByRole('button', { name: 'Revoke' }).click();
    await eventually(async () => assert.equal(await app.row(first).count(), 0));
    assert.equal(app.sim.liveKeys().length, 0);
    assert.equal(await app.page.evaluate(() => document.activeElement?.id), 'keys-heading');
  });
});

test('revoke all asks first; Cancel keeps every key, confirming revokes them all', async () => {
  await withApp(async (app) => {
    await issueFromKeys(app, 'dev');
    await issueFromKeys(app, 'dev');
    await issueFromKeys(app, 'ci');
    await app.page.getByRole('button', { name: 'Revoke all…' }).click();
    const dialog = app.page.getByRole('dialog', { name: 'Revoke all 3 keys?' });
    await dialog.waitFor();
    await app.screenshot('keys-revoke-all-dialog-light');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(app.sim.liveKeys().length, 3);
    assert.equal(await app.page.evaluate(() => document.activeElement?.id), 'revoke-all', 'focus returns to the opener');

    await app.page.getByRole('button', { name: 'Revoke all…' }).click();
    await dialog.getByRole('button', { name: 'Revoke all' }).click();
    await eventually(async () => assert.equal(await app.page.locator('li.lease').count(), 0));
    assert.equal(app.sim.liveKeys().length, 0);
    assert.equal(app.liveLeases().length, 0);
    assert.match(await app.page.locator('.keys-screen .status').innerText(), /Revoked 3 keys\./);
  });
});

test('errors from main show next to the row that caused them', async () => {
  await withApp(async (app) => {
    const id = await issueFromKeys(app, 'dev');
    await app.sim.close(); // the proxy goes away
    await app.row(id).getByRole('button', { name: 'Renew' }).click();
    const message = app.row(id).locator('.lease-msg');
    await eventually(async () => assert.equal(await message.getAttribute('data-error-kind'), 'unreachable'));
    assert.equal(await message.getAttribute('role'), 'alert');
    assert.match(await message.innerText(), /Nothing answers at/);
  });
});
