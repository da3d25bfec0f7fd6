import path from 'node:path';
import { buildAndServe, launchBrowser, WindowSession } from '../bridge.js';
import { fakeMain } from './fake.js';
const start = Date.now();
const files = await buildAndServe(path.resolve('test/window/_standin/preload.ts'));
const browser = await launchBrowser();
const main = fakeMain(start, { connected: true, leases: Number(process.env.N ?? 1000) });
main.handlers.keyInfo = async (id) => ({ ok: true, value: { lease_id: id, spend: 0, max_budget: null } });
const w = await WindowSession.open(browser, files, { handlers: main.handlers, initScripts: [`
  window.__durations = [];
  const orig = window.setTimeout.bind(window);
  window.setTimeout = (fn, ms, ...a) => orig(() => { const t0 = performance.now(); fn(...a); window.__durations.push([ms, performance.now() - t0]); }, ms);
`] });
await w.page.waitForSelector('li.lease');
await new Promise((r) => setTimeout(r, 6000));
console.log(await w.page.evaluate(() => (window as any).__durations.map(([ms, d]: [number, number]) => `${ms.toFixed(0)}:${d.toFixed(2)}`).join(' ')));
console.log('rows', await w.page.locator('li.lease').count());
await w.close(); await browser.close(); await files.close();
