import path from 'node:path';
import { buildAndServe, launchBrowser, WindowSession } from '../bridge.js';
import { fakeMain } from './fake.js';
const start = Date.parse('2026-01-01T09:00:00Z');
const files = await buildAndServe(path.resolve('test/window/_standin/preload.ts'));
const browser = await launchBrowser();
const out = '/tmp/standin-shots';
for (const scheme of ['light', 'dark'] as const) {
  for (const connected of [false, true]) {
    const main = fakeMain(start, { connected, leases: Number(process.env.N ?? 6) });
    const w = await WindowSession.open(browser, files, { handlers: main.handlers, startTime: start, colorScheme: scheme });
    await w.page.waitForSelector(connected ? '#tab-keys' : '.first-run');
    await w.page.clock.runFor(2000);
    if (!connected) { await w.page.screenshot({ path: `${out}/first-run-${scheme}.png`, fullPage: true }); }
    else {
      await w.page.screenshot({ path: `${out}/keys-${scheme}.png`, fullPage: true });
      for (const t of ['roles', 'settings', 'activity']) { await w.page.click(`#tab-${t}`); await w.page.clock.runFor(100); await w.page.screenshot({ path: `${out}/${t}-${scheme}.png`, fullPage: true }); }
      await w.page.click('#tab-roles'); await w.page.click('#new-role'); await w.page.fill('input[name=name]', 'Bad Name'); await w.page.click('[data-action=save]'); await w.page.clock.runFor(100);
      await w.page.screenshot({ path: `${out}/role-form-${scheme}.png`, fullPage: true });
    }
    console.log(scheme, connected, w.pageErrors);
    await w.close();
  }
}
await browser.close(); await files.close();
