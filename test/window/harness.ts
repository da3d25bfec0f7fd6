// One Keyfob "app" for a window test, without Electron: the real core (FakeClock, a temp state directory, the real
// keychain under a unique service), the LiteLLM simulator on a real socket, the real IPC handlers and snapshot
// publisher, and a browser window showing the built renderer through the real preload (see bridge.ts). Main's
// clipboard writes go to the page's real clipboard, so a test reads what a person would paste.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { KeyfobCoreInstance } from '../../main/core/keyfob-core.js';
import { createKeyfobCore } from '../../main/core/keyfob-core.js';
import type { Clipboard, Notification, SecretStore } from '../../main/core/ports.js';
import { keychainError } from '../../main/core/keychain/keychain-errors.js';
import { keychainBackendName, KeytarSecretStore } from '../../main/core/keychain/secret-store.js';
import { SessionSecretStore } from '../../main/core/keychain/session-secret-store.js';
import { SwitchableSecretStore } from '../../main/electron/secret-store-switch.js';
import { openSettingsStore } from '../../main/core/settings/settings-store.js';
import type { LeaseView, RoleInput } from '../../main/core/types.js';
import { apiContextForCore } from '../../main/ipc/context.js';
import { createApiHandlers } from '../../main/ipc/handlers.js';
import { SnapshotPublisher } from '../../main/ipc/snapshot.js';
import type { ApiHandlers, AppSnapshot } from '../../preload/api.js';
import { PUSH_CHANNELS } from '../../preload/api.js';
import { FakeClock, flush } from '../support/fake-clock.js';
import type { Simulator } from '../sim/index.js';
import { startSimulator } from '../sim/index.js';
import type { BuiltFiles } from './bridge.js';
import { buildAndServe, eventually, launchBrowser, SCREENSHOT_DIR, WindowSession } from './bridge.js';

export const START = Date.parse('2026-03-02T09:00:00.000Z');

/** A keychain that fails the way keytar does without a D-Bus session (the real message, through the real mapping). */
function brokenKeychain(): SecretStore {
  const fail = async (): Promise<never> => {
    throw keychainError(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'), 'linux');
  };
  return { backend: keychainBackendName('linux'), sessionOnly: false, get: fail, set: fail, delete: fail };
}

/** The browser and the built renderer: one per test file, shared by its tests. */
export class WindowSuite {
  private constructor(
    readonly browser: Browser,
    readonly files: BuiltFiles,
  ) {}

  static async start(): Promise<WindowSuite> {
    const [files, browser] = await Promise.all([buildAndServe(), launchBrowser()]);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    return new WindowSuite(browser, files);
  }

  /** A fresh app (own simulator, core, keychain service) with its window open. */
  open(opts: AppOptions = {}): Promise<AppUnderTest> {
    return AppUnderTest.start(this, opts);
  }

  /** Runs `body` on a fresh app, checks the window stayed clean (assertClean) if it passed, and closes the app. */
  async withApp(opts: AppOptions, body: (app: AppUnderTest) => Promise<void>): Promise<void> {
    const app = await this.open(opts);
    try {
      await body(app);
      app.assertClean();
    } finally {
      await app.close();
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.files.close();
  }
}

export interface AppOptions {
  /** Connect to the simulator before the window opens (skips first run). Default true. */
  connected?: boolean;
  roles?: RoleInput[];
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  locale?: string;
  timezoneId?: string;
  /** 'broken': every keychain call fails as it does without a D-Bus session, until the person picks session-only. */
  keychain?: 'real' | 'broken';
  /** Main's `shell.openExternal` port ("Sign in with SSO"); absent: the window cannot sign in with SSO. */
  openExternal?: (url: string) => Promise<void>;
  /** Where Vault's OIDC sign-in listens for its callback (0: any free port, so that test runs side by side do not clash). */
  vaultOidcPort?: number;
}

export class AppUnderTest {
  /** Unique per app, so a test can prove it never reached the page. */
  readonly adminKey = `sk-admin-${randomBytes(12).toString('hex')}`;
  readonly notifications: Notification[] = [];
  /** Every text main wrote to the clipboard, in order. */
  readonly clipboardWrites: string[] = [];
  /** What the activity port reports: raise it above the idle threshold to stop automatic renewals. */
  idleSeconds = 0;
  sim!: Simulator;
  core!: KeyfobCoreInstance;
  handlers!: ApiHandlers;
  window!: WindowSession;
  private publisher!: SnapshotPublisher;
  private stateDir = '';
  private secretStore!: KeytarSecretStore;
  private switchable!: SwitchableSecretStore;
  private livePage: Page | null = null;

  private constructor(readonly clock: FakeClock) {}

  static async start(suite: WindowSuite, opts: AppOptions): Promise<AppUnderTest> {
    const app = new AppUnderTest(new FakeClock(START));
    await app.boot(suite, opts);
    return app;
  }

  get page(): Page {
    return this.window.page;
  }

  private async boot(suite: WindowSuite, opts: AppOptions): Promise<void> {
    this.sim = await startSimulator({ masterKey: this.adminKey, startTime: START });
    this.stateDir = await mkdtemp(path.join(os.tmpdir(), 'keyfob-window-state-'));
    this.secretStore = new KeytarSecretStore({ service: `keyfob-window-test-${randomUUID()}` });
    this.switchable = new SwitchableSecretStore(opts.keychain === 'broken' ? brokenKeychain() : this.secretStore);
    this.core = createKeyfobCore({
      stateDir: this.stateDir,
      settingsStore: openSettingsStore({ stateDir: this.stateDir, clock: this.clock }),
      secretStore: this.switchable,
      clock: this.clock,
      clipboard: this.pageClipboard(),
      activity: { current: () => ({ idleSeconds: this.idleSeconds, locked: false }) },
      notifier: { notify: (n) => this.notifications.push(n) },
      watchLedger: false,
    });
    if (opts.connected ?? true) {
      this.core.updateSettings({ request_timeout_seconds: 5 });
      await this.core.connect({ url: this.sim.url, adminKey: this.adminKey });
    }
    for (const role of opts.roles ?? []) this.core.saveRole(role);
    await this.core.start();

    const ctx = apiContextForCore(this.core, {
      now: () => this.clock.now(),
      platform: 'linux',
      onChange: () => this.publisher.publish(),
      useSessionOnlyStore: async () => this.switchable.switchTo(new SessionSecretStore()),
      ...(opts.openExternal ? { openExternal: opts.openExternal } : {}),
      ...(opts.vaultOidcPort === undefined ? {} : { vaultOidcPort: opts.vaultOidcPort }),
    });
    this.publisher = new SnapshotPublisher(ctx, (snapshot) => void this.window?.push(PUSH_CHANNELS.snapshot, snapshot));
    this.core.leases.on(() => this.publisher.publish());
    this.handlers = createApiHandlers(ctx);
    this.window = await WindowSession.open(suite.browser, suite.files, {
      handlers: this.handlers,
      startTime: START,
      colorScheme: opts.colorScheme ?? 'light',
      viewport: opts.viewport ?? { width: 960, height: 760 },
      ...(opts.locale ? { locale: opts.locale } : {}),
      ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
      onPage: (page) => {
        this.livePage = page;
      },
      // Main and the window share one OS clock in the app: here main's is a FakeClock, so the page's clock is
      // brought up to main's before each snapshot lands, as if they were the same clock.
      beforePush: async (channel, payload) => {
        if (channel === PUSH_CHANNELS.snapshot) await this.pageClockTo((payload as AppSnapshot).now);
      },
    });
  }

  /** Main's clipboard port, writing through to the page's real clipboard (falls back to memory before it loads). */
  private pageClipboard(): Clipboard {
    let memory = '';
    return {
      writeSecret: async (text) => {
        this.clipboardWrites.push(text);
        memory = text;
        if (this.livePage) await this.livePage.evaluate((t) => navigator.clipboard.writeText(t), text);
      },
      readText: async () => (this.livePage ? this.livePage.evaluate(() => navigator.clipboard.readText()) : memory),
      clear: async () => {
        memory = '';
        if (this.livePage) await this.livePage.evaluate(() => navigator.clipboard.writeText(''));
      },
    };
  }

  /** The row of a lease on the Keys screen. */
  row(leaseId: string): Locator {
    return this.page.locator(`li.lease[data-lease-id="${leaseId}"]`);
  }

  async countdown(leaseId: string): Promise<string> {
    return (await this.row(leaseId).locator('.countdown').textContent()) ?? '';
  }

  /** The live leases main holds, newest first. */
  liveLeases(): LeaseView[] {
    return this.core.leases.list().sort((a, b) => b.issued_at.localeCompare(a.issued_at));
  }

  /** What a person would paste now. */
  readClipboard(): Promise<string> {
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  /**
   * Moves time for everyone: main's clock (firing due core timers in order, the simulator's clock following each
   * step, and the page's following each snapshot), then the page's clock the rest of the way.
   */
  async advance(ms: number): Promise<void> {
    await this.settled();
    await this.clock.advance(ms, async () => {
      this.sim.clock.set(this.clock.now());
      await flush();
      await this.settled();
    });
    this.sim.clock.set(this.clock.now());
    await this.settled();
    // The window's one timer wakes a few ms after each of main's whole seconds: let this second's tick happen.
    await this.pageClockTo(this.clock.now() + 10);
  }

  /** Fast-forwards the page's (paused) clock to `time`; firing each due page timer once, as a wake-up would. */
  private async pageClockTo(time: number): Promise<void> {
    const pageNow = await this.page.evaluate(() => Date.now());
    if (time > pageNow) await this.page.clock.fastForward(time - pageNow);
  }

  /** Waits until main has nothing in flight and every pushed snapshot is in the page. */
  async settled(): Promise<void> {
    await this.core.leases.settled();
    await this.publisher.settled();
    await this.window.settled();
  }

  /** Pushes main's current snapshot with `change` applied, as a main that knows more (helper use, health) would. */
  async pushSnapshot(change: (s: AppSnapshot) => AppSnapshot): Promise<void> {
    await this.settled();
    const r = await this.handlers.getSnapshot();
    assert.ok(r.ok, 'a snapshot');
    await this.window.push(PUSH_CHANNELS.snapshot, change(r.value));
    await this.window.settled();
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  }

  /** The invariant every test ends with: no page errors, no CSP violations, and the admin key never sent to the page. */
  /** The sign-in session as main stored it (null: none), for tests that prove its tokens never reached the page. */
  async storedSession(): Promise<string | null> {
    return this.secretStore.get('sso-session');
  }

  /** The Vault sign-in as main stored it (null: none). */
  async storedVaultToken(): Promise<string | null> {
    return this.secretStore.get('vault-token');
  }

  /** Every file in the state directory, as text: for tests that prove a secret was never written there. */
  async stateDirText(): Promise<string> {
    const names = await readdir(this.stateDir, { recursive: true });
    const texts = await Promise.all(names.map((name) => readFile(path.join(this.stateDir, String(name)), 'utf8').catch(() => '')));
    return texts.join('\n');
  }

  assertClean(): void {
    assert.deepEqual(this.window.pageErrors, [], 'the page logged errors');
    assert.ok(this.window.ipc.length > 0, 'the page received IPC payloads');
    assert.ok(!this.window.sentToPage().includes(this.adminKey), 'the admin key reached the page');
  }

  async close(): Promise<void> {
    await this.window?.close();
    await this.core?.stop();
    await this.secretStore?.delete('admin-key').catch(() => false);
    await this.secretStore?.delete('sso-session').catch(() => false);
    await this.secretStore?.delete('vault-token').catch(() => false);
    for (const lease of this.core?.leases.list({ all: true }) ?? []) await this.secretStore.delete(`lease:${lease.lease_id}`).catch(() => false);
    await this.sim?.close();
    // A snapshot still being built when the core stopped reads the settings, and a read of a missing config.json
    // writes the defaults: wait for it (as the app's quit does), or the directory fills again while it is removed.
    await this.publisher?.settled();
    if (this.stateDir) await rm(this.stateDir, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** Issues a key for `role` from the Keys screen's picker, as a person would; resolves to the new lease's id once its row shows. */
export async function issueFromKeys(app: AppUnderTest, role: string): Promise<string> {
  const before = new Set(app.liveLeases().map((l) => l.lease_id));
  await app.page.getByLabel('Role', { exact: true }).selectOption(role);
  await app.page.getByRole('button', { name: 'Issue key', exact: true }).click();
  const lease = await eventually(() => {
    const fresh = app.liveLeases().find((l) => !before.has(l.lease_id));
    assert.ok(fresh, 'the new lease is in the ledger');
    return fresh;
  });
  await app.row(lease.lease_id).waitFor();
  return lease.lease_id;
}
