// The browser half of the window tests: builds the renderer with the project's vite.config.ts, serves the built
// files from 127.0.0.1, and opens them in Debian's Chromium with the REAL preload bundle injected. Inside the page
// only `require('electron')` is replaced: `contextBridge.exposeInMainWorld` sets the global, `ipcRenderer.invoke`
// goes through a Playwright binding and main's payload gate (invokeChecked) to the handlers, and `ipcRenderer.on`
// receives what the test pushes.
// Every payload sent to the page is recorded so a test can prove what never crossed (the admin key).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import type { ApiHandlers, InvokeChannel } from '../../preload/api.js';
import { INVOKE_CHANNELS } from '../../preload/api.js';
import { invokeChecked } from '../../main/ipc/register.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENSHOT_DIR = path.join(REPO, 'test-results', 'screenshots');

/** The app's policy, as main/electron/security.ts sends it and renderer/index.html repeats it. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface BuiltFiles {
  dir: string;
  url: string;
  /** The preload as the app ships it: CommonJS that calls require('electron'). */
  preload: string;
  close(): Promise<void>;
}

/**
 * Builds renderer/ with vite.config.ts and the preload with vite.preload.config.ts (the app's own build configs,
 * into a temp directory so parallel test files never share output), then serves the renderer over
 * http://127.0.0.1 (a secure context, so the page can use the real clipboard).
 */
export async function buildAndServe(): Promise<BuiltFiles> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'keyfob-window-'));
  const rendererDir = path.join(dir, 'renderer');
  const preloadDir = path.join(dir, 'preload');
  await build({ configFile: path.join(REPO, 'vite.config.ts'), logLevel: 'error', build: { outDir: rendererDir, emptyOutDir: true } });
  await build({ configFile: path.join(REPO, 'vite.preload.config.ts'), logLevel: 'error', build: { outDir: preloadDir, emptyOutDir: true } });
  const preload = await readFile(path.join(preloadDir, 'preload.cjs'), 'utf8');
  const server = await serveStatic(rendererDir);
  const port = (server.address() as AddressInfo).port;
  return {
    dir: rendererDir,
    url: `http://127.0.0.1:${port}/index.html`,
    preload,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function serveStatic(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = path.join(root, path.normalize(pathname === '/' ? '/index.html' : pathname));
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) =>
        res
          .writeHead(200, {
            'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
            'cache-control': 'no-store',
            // What the app's session adds to every response (main/electron/security.ts), on top of the page's meta tag.
            'content-security-policy': CONTENT_SECURITY_POLICY,
          })
          .end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** The page side of the bridge: a stand-in `electron` module for the preload, and the push entry point. */
function initScript(preloadSource: string): string {
  return `
(() => {
  // tsx compiles page.evaluate callbacks with esbuild's keepNames, which calls a __name helper the page lacks.
  globalThis.__name = (f) => f;
  const listeners = new Map();
  const ipcRenderer = {
    invoke: (channel, ...args) => window.__keyfobInvoke(channel, args),
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel).add(listener);
      return ipcRenderer;
    },
    once(channel, listener) {
      const wrapped = (...a) => { ipcRenderer.removeListener(channel, wrapped); listener(...a); };
      return ipcRenderer.on(channel, wrapped);
    },
    removeListener(channel, listener) { listeners.get(channel)?.delete(listener); return ipcRenderer; },
    off(channel, listener) { return ipcRenderer.removeListener(channel, listener); },
    removeAllListeners(channel) { listeners.delete(channel); return ipcRenderer; },
    send() { throw new Error('the window tests bridge only invoke'); },
    sendSync() { throw new Error('the window tests bridge only invoke'); },
  };
  Object.defineProperty(window, '__keyfobPush', {
    value: (channel, payload) => {
      const event = { sender: ipcRenderer, senderId: 0, ports: [] };
      for (const listener of listeners.get(channel) ?? []) listener(event, payload);
      return (listeners.get(channel) ?? new Set()).size;
    },
  });
  const electron = { contextBridge: { exposeInMainWorld: (key, api) => { window[key] = api; } }, ipcRenderer };
  const module = { exports: {} };
  const require = (id) => {
    if (id === 'electron') return electron;
    throw new Error('a sandboxed preload can only require electron, not ' + id);
  };
  (function (module, exports, require) {
${preloadSource}
  })(module, module.exports, require);
})();
`;
}

export interface IpcRecord {
  /** 'result' answers an invoke; 'push' is sent by main unasked. */
  kind: 'result' | 'push';
  channel: string;
  json: string;
}

export interface WindowOptions {
  handlers: ApiHandlers;
  /** Main's clock at start: the page's clock is installed at the same instant and paused. None: the real clock. */
  startTime?: number;
  /** Extra scripts run in the page before the renderer (instrumentation). */
  initScripts?: string[];
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** The browser's locale and time zone (default: Chromium's own, en-US, and the machine's zone). */
  locale?: string;
  timezoneId?: string;
  /** Called once the page exists, e.g. to route main's clipboard into it. */
  onPage?: (page: Page) => void;
  /** Runs before each push reaches the page, in push order (the harness lines the page's clock up with main's). */
  beforePush?: (channel: string, payload: unknown) => Promise<void>;
}

/** One window: a browser context + page with the bridge installed and the renderer loaded. */
export class WindowSession {
  readonly ipc: IpcRecord[] = [];
  readonly pageErrors: string[] = [];
  readonly invoked: InvokeChannel[] = [];
  private pushes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly beforePush: WindowOptions['beforePush'],
  ) {}

  static async open(browser: Browser, files: BuiltFiles, opts: WindowOptions): Promise<WindowSession> {
    const context = await browser.newContext({
      viewport: opts.viewport ?? { width: 960, height: 720 },
      colorScheme: opts.colorScheme ?? 'light',
      reducedMotion: 'reduce',
      permissions: ['clipboard-read', 'clipboard-write'],
      ...(opts.locale ? { locale: opts.locale } : {}),
      ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
    });
    const page = await context.newPage();
    const session = new WindowSession(context, page, opts.beforePush);
    opts.onPage?.(page);
    page.on('pageerror', (e) => session.pageErrors.push(e.message));
    page.on('console', (m) => {
      // A meta-tag CSP cannot carry frame-ancestors: Chromium says so, harmlessly (main also sends it as a header).
      if ((m.type() === 'error' || m.type() === 'warning') && !m.text().includes("'frame-ancestors' is ignored")) session.pageErrors.push(`console.${m.type()}: ${m.text()}`);
    });
    const known = new Set<string>(INVOKE_CHANNELS);
    await page.exposeBinding('__keyfobInvoke', async (_source, channelName: string, args: unknown[]) => {
      const channel = channelName.replace(/^keyfob:/, '');
      if (!channelName.startsWith('keyfob:') || !known.has(channel)) throw new Error(`unknown channel ${channelName}`);
      session.invoked.push(channel as InvokeChannel);
      // The payload gate the app's ipcMain puts in front of every handler: the page's requests must pass it here too.
      const result = await invokeChecked(opts.handlers, channel as InvokeChannel, args);
      session.ipc.push({ kind: 'result', channel, json: JSON.stringify(result) });
      return result;
    });
    await page.addInitScript({ content: initScript(files.preload) });
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
    });
    for (const content of opts.initScripts ?? []) await page.addInitScript({ content });
    // The page's clock starts where main's does and moves only when the test moves it.
    if (opts.startTime !== undefined) {
      await page.clock.install({ time: opts.startTime - 1000 });
      await page.clock.pauseAt(opts.startTime);
    }
    await page.goto(files.url);
    return session;
  }

  /** Sends what main would push on `keyfob:<channel>`; pushes keep their order. */
  push(channel: string, payload: unknown): Promise<unknown> {
    this.ipc.push({ kind: 'push', channel, json: JSON.stringify(payload) });
    const page = this.page;
    this.pushes = this.pushes
      .then(async () => {
        await this.beforePush?.(channel, payload);
        await page.evaluate(([c, p]) => (window as unknown as { __keyfobPush(c: string, p: unknown): number }).__keyfobPush(c, p), [channel, payload] as const);
      })
      .catch(() => undefined);
    return this.pushes;
  }

  /** Waits for every push sent so far to reach the page. */
  settled(): Promise<unknown> {
    return this.pushes;
  }

  /** Every payload main sent to the page, as JSON text. */
  sentToPage(): string {
    return this.ipc.map((r) => r.json).join('\n');
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

/**
 * Polls `check` until it stops throwing (a condition, not a sleep: no test waits for time to pass). The deadline is
 * only a safety net, and generous: with two suites side by side on two cores, a revoke-all's rows once took over 5 s
 * to leave the page. A passing check returns at once, whatever the bound.
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (performance.now() > deadline) throw e;
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  }
}
