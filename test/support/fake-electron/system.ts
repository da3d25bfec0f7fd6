// The fake electron's app, powerMonitor, clipboard, Notification, nativeTheme, session, shell and dialog.
import { EventEmitter } from 'node:events';
import { fakeEvent, recorded } from './records.js';

// ---------------------------------------------------------------------------------------------------- app
class FakeApp extends EventEmitter {
  ready = false;
  isPackaged = false;
  appPath = process.cwd();
  readonly paths = new Map<string, string>();
  singleInstanceLockAvailable = true;
  quitCalls = 0;
  exitCode: number | null = null;
  /** Set when a quit got through every preventable step (before-quit, will-quit). */
  quitCompleted = false;
  loginItemSettings: Record<string, unknown> | null = null;
  sandboxEnabled = false;
  dockHidden = false;
  readonly dock = {
    hide: () => {
      this.dockHidden = true;
    },
    show: async () => {
      this.dockHidden = false;
    },
  };
  private readyWaiters: Array<() => void> = [];

  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }
  isReady(): boolean {
    return this.ready;
  }
  /** Test control: what Electron does once Chromium is up. */
  makeReady(): void {
    if (this.ready) return;
    this.ready = true;
    this.emit('ready');
    for (const w of this.readyWaiters.splice(0)) w();
  }
  quit(): void {
    this.quitCalls++;
    const beforeQuit = fakeEvent();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    const willQuit = fakeEvent();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) return;
    this.quitCompleted = true;
    this.emit('quit', fakeEvent(), 0);
  }
  exit(code = 0): void {
    this.exitCode = code;
    this.quitCompleted = true;
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstanceLockAvailable;
  }
  releaseSingleInstanceLock(): void {}
  getPath(name: string): string {
    const path = this.paths.get(name);
    if (!path) throw new Error(`fake-electron: app.getPath('${name}') not set by the test`);
    return path;
  }
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  getVersion(): string {
    return '0.1.0';
  }
  getName(): string {
    return 'Keyfob';
  }
  setName(_name: string): void {}
  getAppPath(): string {
    return this.appPath;
  }
  setLoginItemSettings(settings: Record<string, unknown>): void {
    this.loginItemSettings = { ...settings };
  }
  getLoginItemSettings(): Record<string, unknown> {
    return { openAtLogin: false, ...(this.loginItemSettings ?? {}) };
  }
  enableSandbox(): void {
    this.sandboxEnabled = true;
  }
  setAppUserModelId(_id: string): void {}
  focus(): void {}
}

export const app = new FakeApp();

// ---------------------------------------------------------------------------------------------------- powerMonitor
class FakePowerMonitor extends EventEmitter {
  idleSeconds = 0;
  locked = false;
  readonly idleStateQueries: number[] = [];

  getSystemIdleTime(): number {
    return this.idleSeconds;
  }
  getSystemIdleState(threshold: number): 'active' | 'idle' | 'locked' | 'unknown' {
    this.idleStateQueries.push(threshold);
    if (this.locked) return 'locked';
    return this.idleSeconds >= threshold ? 'idle' : 'active';
  }
  isOnBatteryPower(): boolean {
    return false;
  }
}

export const powerMonitor = new FakePowerMonitor();

// ---------------------------------------------------------------------------------------------------- clipboard
export class ClipboardItem {
  readonly types: string[];
  constructor(readonly items: Record<string, unknown>) {
    this.types = Object.keys(items);
  }
  async getType(type: string): Promise<unknown> {
    if (!(type in this.items)) throw new Error(`fake-electron: no ${type} in this clipboard item`);
    return this.items[type];
  }
}

class FakeClipboard {
  /** The system clipboard: MIME type → payload. */
  contents = new Map<string, unknown>();
  readonly writes: Array<Record<string, unknown>> = [];
  clears = 0;

  async readText(): Promise<string> {
    const text = this.contents.get('text/plain');
    return typeof text === 'string' ? text : '';
  }
  async writeText(text: string): Promise<void> {
    this.contents = new Map([['text/plain', text]]);
    this.writes.push({ 'text/plain': text });
  }
  async write(items: ClipboardItem[]): Promise<void> {
    const next = new Map<string, unknown>();
    for (const item of items) for (const type of item.types) next.set(type, item.items[type]);
    this.contents = next;
    this.writes.push(Object.fromEntries(next));
  }
  async read(): Promise<ClipboardItem[]> {
    return this.contents.size ? [new ClipboardItem(Object.fromEntries(this.contents))] : [];
  }
  async has(type: string): Promise<boolean> {
    return this.contents.has(type);
  }
  clear(): void {
    this.contents = new Map();
    this.clears++;
  }
  /** Test control: another application copies something. */
  copyFromElsewhere(text: string): void {
    this.contents = new Map([['text/plain', text]]);
  }
}

export const clipboard = new FakeClipboard();

// ---------------------------------------------------------------------------------------------------- Notification
export class Notification extends EventEmitter {
  static supported = true;
  constructor(readonly options: { title?: string; body?: string; urgency?: string; silent?: boolean }) {
    super();
  }
  static isSupported(): boolean {
    return Notification.supported;
  }
  show(): void {
    recorded.notifications.push({ title: this.options.title ?? '', body: this.options.body ?? '', urgency: this.options.urgency });
  }
  close(): void {}
}

// ---------------------------------------------------------------------------------------------------- nativeTheme
class FakeNativeTheme extends EventEmitter {
  shouldUseDarkColors = false;
  themeSource: 'system' | 'light' | 'dark' = 'system';
}
export const nativeTheme = new FakeNativeTheme();

// ---------------------------------------------------------------------------------------------------- session
type HeadersListener = (details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]>; cancel?: boolean }) => void) => void;

class FakeSession extends EventEmitter {
  headersListener: HeadersListener | null = null;
  permissionRequestHandler: ((wc: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null = null;
  permissionCheckHandler: ((wc: unknown, permission: string, origin: string, details: unknown) => boolean) | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener | null) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: FakeSession['devicePermissionHandler']): void {
    this.devicePermissionHandler = handler;
  }
}

export const session = { defaultSession: new FakeSession() };

// ---------------------------------------------------------------------------------------------------- shell
export const shell = {
  opened: [] as string[],
  async openExternal(url: string): Promise<void> {
    shell.opened.push(url);
  },
  async openPath(path: string): Promise<string> {
    shell.opened.push(path);
    return '';
  },
};

// ---------------------------------------------------------------------------------------------------- dialog
export interface FakeMessageBoxOptions {
  message: string;
  detail?: string;
  buttons?: string[];
  defaultId?: number;
  cancelId?: number;
  type?: string;
  title?: string;
}
/** Records every message box; answers with the next queued response, else the cancel button (as Escape would). */
export const dialog = {
  shown: [] as FakeMessageBoxOptions[],
  responses: [] as number[],
  async showMessageBox(...args: unknown[]): Promise<{ response: number; checkboxChecked: boolean }> {
    // (options) or (window, options), as in Electron.
    const options = (args.length > 1 ? args[1] : args[0]) as FakeMessageBoxOptions;
    dialog.shown.push(options);
    return { response: dialog.responses.shift() ?? options.cancelId ?? 0, checkboxChecked: false };
  },
};

