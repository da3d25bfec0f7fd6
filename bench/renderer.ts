// The window in Debian's Chromium: the renderer built by the project's vite.config.ts, given a stub `window.keyfob`
// that serves a snapshot of 1,000 live leases. Measured: the time of each countdown tick (the window's one timer,
// renderer/src/ticker.ts, fired by Playwright's page clock; timed with the page's real performance.now, once as script
// alone and once with the style and layout it causes), first paint, and the gzipped size of the JavaScript.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { defaultSettings } from '../main/core/settings/index.js';
import type { LeaseView } from '../main/core/types.js';
import type { AppSnapshot } from '../preload/api.js';
import { leaseView } from '../test/support/lease-builder.js';
import { bytes, median, ms, percentile } from './lib/stats.js';
import type { BenchContext, Row, Section } from './lib/report.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ORIGIN = 'http://keyfob.bench';
const ROWS = 1000;
const TICKS = 60;
const PAINT_RUNS = 5;
const TICK_TARGET_MS = 4;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** 1,000 live leases issued over the last hour, expiring from 2 minutes to an hour from now: every countdown moves. */
export function snapshotOf(count: number, now: number): AppSnapshot {
  const leases: LeaseView[] = Array.from({ length: count }, (_, i) => {
    const issued = now - 3600_000 + i * 3000;
    const id = `${(0x10000000 + i).toString(16)}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    return leaseView({
      lease_id: id,
      role: i % 3 === 0 ? 'ci' : 'dev',
      key_alias: `keyfob-dev-${id.slice(0, 8)}`,
      token_hash: i.toString(16).padStart(64, '0'),
      key_hint: `sk-...${(1000 + i).toString().slice(-4)}`,
      models: ['gpt-4o', 'gpt-4o-mini'],
      max_budget: 5,
      issued_at: new Date(issued).toISOString(),
      expires_at: new Date(now + 120_000 + i * 3_500).toISOString(),
      max_expires_at: new Date(issued + 8 * 3600_000).toISOString(),
    });
  });
  return {
    connection: { url: 'http://127.0.0.1:4000', admin_key_stored: true, keychain_backend: 'bench', session_only: false },
    settings: { ...defaultSettings(), litellm_url: 'http://127.0.0.1:4000' },
    roles: [],
    leases,
    now,
    notices: [],
    last_reconcile: null,
    platform: 'linux',
  };
}

/** `window.keyfob` answering from the snapshot; calls the window makes on its own (spend) answer at once. */
export function stubApi(snapshot: AppSnapshot): string {
  return `(() => {
  // tsx compiles page.evaluate callbacks with esbuild's keepNames, which calls a __name helper the page lacks.
  globalThis.__name = (f) => f;
  const snapshot = ${JSON.stringify(snapshot)};
  const ok = (value) => Promise.resolve({ ok: true, value });
  const known = {
    getSnapshot: () => ok(snapshot),
    onSnapshot: () => () => {},
    onNavigate: () => () => {},
    keyInfo: (id) => ok({ lease_id: id, spend: 0.0123, max_budget: 5 }),
    auditLog: () => ok([]),
    listModels: () => ok(['gpt-4o', 'gpt-4o-mini']),
  };
  const refused = () => Promise.resolve({ ok: false, error: { kind: 'internal', message: 'not part of the benchmark' } });
  Object.defineProperty(window, 'keyfob', { value: new Proxy(known, { get: (t, p) => (p in t ? t[p] : refused) }) });
})();`;
}

/** Times every timer callback with the page's real clock (Playwright's fake one stands still while it runs). */
const TIMER_PROBE = `(() => {
  const real = (window.__pwClock && window.__pwClock.builtins && window.__pwClock.builtins.performance) || performance;
  const fakeSetTimeout = window.setTimeout;
  window.__ticks = [];
  window.__withLayout = false;
  window.setTimeout = function (fn, delay, ...args) {
    return fakeSetTimeout.call(window, () => {
      const start = real.now();
      fn(...args);
      const script = real.now() - start;
      if (window.__withLayout) void document.body.getBoundingClientRect().height;
      window.__ticks.push({ script, total: real.now() - start });
    }, delay);
  };
})();`;

/** When all rows are in the DOM, and when the frame after that was drawn. */
const ROWS_PROBE = `(() => {
  window.__rowsAt = null;
  window.__paintedAt = null;
  new MutationObserver((_, observer) => {
    if (document.querySelectorAll('li.lease').length < ${ROWS}) return;
    observer.disconnect();
    window.__rowsAt = performance.now();
    requestAnimationFrame(() => setTimeout(() => { window.__paintedAt = performance.now(); }, 0));
  }).observe(document, { childList: true, subtree: true });
})();`;

async function serve(context: BrowserContext, dir: string): Promise<void> {
  await context.route(`${ORIGIN}/**`, async (route) => {
    const pathname = new URL(route.request().url()).pathname;
    const file = path.join(dir, path.normalize(pathname === '/' ? '/index.html' : pathname));
    if (!file.startsWith(dir + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404 });
    return route.fulfill({ body: fs.readFileSync(file), contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
  });
}

async function openWindow(browser: Browser, dir: string, scripts: string[], clockAt: number | null): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 960, height: 760 }, reducedMotion: 'reduce' });
  await serve(context, dir);
  const page = await context.newPage();
  if (clockAt !== null) {
    await page.clock.install({ time: clockAt - 1000 });
    await page.clock.pauseAt(clockAt);
  }
  for (const content of scripts) await page.addInitScript({ content });
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction((n) => document.querySelectorAll('li.lease').length >= n, ROWS, { timeout: 30_000 });
  return { context, page };
}

interface TickSample {
  script: number;
  total: number;
}

export const rendererSection: Section = {
  name: 'renderer in Chromium',
  async run(ctx: BenchContext): Promise<Row[]> {
    if (!fs.existsSync(CHROMIUM)) return [{ area: 'Renderer', measure: 'not measured', result: `no Chromium at ${CHROMIUM} (apt-get install chromium)` }];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-bench-renderer-'));
    let browser: Browser | undefined;
    try {
      ctx.log('renderer: building with vite.config.ts');
      await build({ configFile: path.join(REPO, 'vite.config.ts'), logLevel: 'error', build: { outDir: dir, emptyOutDir: true } });
      const assets = fs.readdirSync(path.join(dir, 'assets')).map((f) => fs.readFileSync(path.join(dir, 'assets', f)));
      const js = fs.readdirSync(path.join(dir, 'assets')).map((f, i) => ({ f, data: assets[i] as Buffer })).filter((a) => a.f.endsWith('.js'));
      const css = fs.readdirSync(path.join(dir, 'assets')).map((f, i) => ({ f, data: assets[i] as Buffer })).filter((a) => a.f.endsWith('.css'));
      const size = (files: Array<{ data: Buffer }>) => files.reduce((n, a) => n + a.data.length, 0);
      const gz = (files: Array<{ data: Buffer }>) => files.reduce((n, a) => n + gzipSync(a.data).length, 0);

      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'] });
      const stub = stubApi(snapshotOf(ROWS, Date.now()));

      ctx.log(`renderer: first paint with ${ROWS} rows (${PAINT_RUNS} fresh windows)`);
      const paints: Array<{ fp: number; fcp: number; rows: number; painted: number }> = [];
      for (let i = 0; i < PAINT_RUNS; i++) {
        const { context, page } = await openWindow(browser, dir, [stub, ROWS_PROBE], null);
        await page.waitForFunction(() => (window as unknown as { __paintedAt: number | null }).__paintedAt !== null);
        paints.push(await page.evaluate(() => {
          const entry = (name: string) => performance.getEntriesByName(name).find((e) => e.entryType === 'paint')?.startTime ?? Number.NaN;
          const w = window as unknown as { __rowsAt: number; __paintedAt: number };
          return { fp: entry('first-paint'), fcp: entry('first-contentful-paint'), rows: w.__rowsAt, painted: w.__paintedAt };
        }));
        await context.close();
      }

      ctx.log(`renderer: ${TICKS} countdown ticks with ${ROWS} rows, twice`);
      const { context, page } = await openWindow(browser, dir, [stubApi(snapshotOf(ROWS, T0)), TIMER_PROBE], T0);
      const ticks = async (withLayout: boolean): Promise<TickSample[]> => {
        await page.evaluate((layout) => {
          const w = window as unknown as { __ticks: TickSample[]; __withLayout: boolean };
          w.__ticks = [];
          w.__withLayout = layout;
        }, withLayout);
        await page.clock.runFor(TICKS * 1000);
        return page.evaluate(() => (window as unknown as { __ticks: TickSample[] }).__ticks);
      };
      await page.clock.runFor(3000); // warm-up: the first ticks compile the code
      const scriptOnly = (await ticks(false)).map((t) => t.script);
      const withLayout = (await ticks(true)).map((t) => t.total);
      const rowsShown = await page.locator('li.lease').count();
      await context.close();

      const area = 'Renderer (Chromium)';
      const tick = median(scriptOnly);
      return [
        {
          area,
          measure: `countdown tick with ${rowsShown.toLocaleString('en')} rows: script (median, p95, max of ${scriptOnly.length})`,
          result: `${ms(tick)}, ${ms(percentile(scriptOnly, 95))}, ${ms(Math.max(...scriptOnly))}`,
          target: `≤ ${TICK_TARGET_MS} ms`,
          met: tick <= TICK_TARGET_MS && rowsShown === ROWS && scriptOnly.length >= TICKS - 1,
        },
        { area, measure: 'countdown tick including the style and layout it causes (median, p95)', result: `${ms(median(withLayout))}, ${ms(percentile(withLayout, 95))}` },
        {
          area,
          measure: `window opened with ${ROWS.toLocaleString('en')} rows: ${ROWS.toLocaleString('en')} rows in the DOM | drawn (medians of ${PAINT_RUNS} fresh windows)`,
          result: `${ms(median(paints.map((p) => p.rows)))} | ${ms(median(paints.map((p) => p.painted)))}`,
        },
        {
          area,
          // Whether "Loading Keyfob…" is painted before the script has rendered the rows is a race: give the range.
          measure: 'first paint | first contentful paint (median; fastest–slowest)',
          result: [paints.map((p) => p.fp), paints.map((p) => p.fcp)].map((xs) => `${ms(median(xs))} (${ms(Math.min(...xs))}–${ms(Math.max(...xs))})`).join(' | '),
        },
        { area, measure: 'JavaScript bundle, gzipped (raw) | CSS gzipped', result: `${bytes(gz(js))} (${bytes(size(js))}) | ${bytes(gz(css))}` },
      ];
    } finally {
      await browser?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
