// A recording stand-in for the `electron` module, so the real composition root (main/app.ts) boots in plain Node.
// It mimics only what Keyfob uses, with Electron's observable behaviour where tests depend on it: ipcMain.handle
// refuses a second handler for a channel, BrowserWindow.close() emits a preventable 'close', app.quit() emits a
// preventable 'before-quit' then 'will-quit', every new webContents is announced with 'web-contents-created'.
// Tests inspect and drive it through the `fake` object.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function fakeEvent<T extends object>(extra?: T): FakeEvent & T {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
    ...(extra ?? ({} as T)),
  };
  return event;
}

// ---------------------------------------------------------------------------------------------------- nativeImage
export class FakeNativeImage {
  private template = false;
  constructor(readonly path: string) {}
  isEmpty(): boolean {
    return this.path === '';
  }
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
  isTemplateImage(): boolean {
    return this.template;
  }
  toString(): string {
    return `image(${this.path})`;
  }
}

export const nativeImage = {
  createFromPath: (path: string) => new FakeNativeImage(path),
  createEmpty: () => new FakeNativeImage(''),
};

// ---------------------------------------------------------------------------------------------------- Menu
export interface FakeMenuItemOptions {
  label?: string;
  type?: string;
  enabled?: boolean;
  visible?: boolean;
  id?: string;
  toolTip?: string;
  sublabel?: string;
  click?: (...args: unknown[]) => unknown;
  submenu?: FakeMenuItemOptions[] | FakeMenu;
}

export class MenuItem {
  readonly label: string;
  readonly type: string;
  readonly enabled: boolean;
  readonly visible: boolean;
  readonly id: string | undefined;
  readonly sublabel: string | undefined;
  readonly submenu: FakeMenu | undefined;
  private readonly clickFn: ((...args: unknown[]) => unknown) | undefined;

  constructor(options: FakeMenuItemOptions) {
    this.label = options.label ?? '';
    this.type = options.type ?? (options.submenu ? 'submenu' : 'normal');
    this.enabled = options.enabled ?? true;
    this.visible = options.visible ?? true;
    this.id = options.id;
    this.sublabel = options.sublabel;
    this.clickFn = options.click;
    this.submenu = options.submenu === undefined ? undefined : options.submenu instanceof FakeMenu ? options.submenu : FakeMenu.buildFromTemplate(options.submenu);
  }

  /** What a person's click does: nothing when the item is disabled. */
  click(): unknown {
    if (!this.enabled) throw new Error(`fake-electron: menu item "${this.label}" is disabled`);
    return this.clickFn?.({}, undefined, {});
  }
}

export class FakeMenu {
  readonly items: MenuItem[] = [];

  static buildFromTemplate(template: Array<FakeMenuItemOptions | MenuItem>): FakeMenu {
    const menu = new FakeMenu();
    for (const entry of template) menu.items.push(entry instanceof MenuItem ? entry : new MenuItem(entry));
    return menu;
  }

  append(item: MenuItem): void {
    this.items.push(item);
  }

  /** Labels of the visible items, separators as '---'. */
  labels(): string[] {
    return this.items.filter((i) => i.visible).map((i) => (i.type === 'separator' ? '---' : i.label));
  }

  /** The visible item whose label matches exactly or starts with `prefix`; throws when there is none. */
  find(labelOrPrefix: string | RegExp): MenuItem {
    const item = this.items.find((i) => i.visible && (typeof labelOrPrefix === 'string' ? i.label === labelOrPrefix || i.label.startsWith(labelOrPrefix) : labelOrPrefix.test(i.label)));
    if (!item) throw new Error(`fake-electron: no menu item matching ${String(labelOrPrefix)} in [${this.labels().join(' | ')}]`);
    return item;
  }

  static setApplicationMenu(menu: FakeMenu | null): void {
    fake.applicationMenu = menu;
  }
}

export { FakeMenu as Menu };

// ---------------------------------------------------------------------------------------------------- Tray
export class Tray extends EventEmitter {
  image: FakeNativeImage;
  tooltip = '';
  title = '';
  contextMenu: FakeMenu | null = null;
  /** How many times setContextMenu was called (Linux needs a call after every change). */
  contextMenuSets = 0;
  destroyed = false;

  constructor(image: FakeNativeImage | string) {
    super();
    this.image = typeof image === 'string' ? nativeImage.createFromPath(image) : image;
    fake.trays.push(this);
  }

  setImage(image: FakeNativeImage | string): void {
    this.image = typeof image === 'string' ? nativeImage.createFromPath(image) : image;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.contextMenu = menu;
    this.contextMenuSets++;
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

// ---------------------------------------------------------------------------------------------------- webContents
let nextRoutingId = 1;

export class FakeWebFrame {
  readonly routingId = nextRoutingId++;
  readonly frameToken = `frame-${this.routingId}`;
  constructor(
    public url: string,
    readonly parent: FakeWebFrame | null = null,
    readonly processId = 1,
  ) {}
  get top(): FakeWebFrame {
    return this.parent ? this.parent.top : this;
  }
  /** A child frame (an iframe) of this one. */
  child(url: string): FakeWebFrame {
    return new FakeWebFrame(url, this, this.processId);
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  readonly mainFrame = new FakeWebFrame('about:blank');
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  readonly session = session.defaultSession;

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('fake-electron: webContents destroyed');
    // Electron serialises IPC payloads with the structured clone algorithm: mimic it so functions or class
    // instances in a payload fail here as they would there.
    const cloned = args.map((a) => structuredClone(a));
    this.sent.push({ channel, args: cloned });
    // The renderer bound to this window (a preload under test) receives it too.
    if (ipcRenderer.window?.webContents === this) ipcRenderer.emit(channel, { sender: ipcRenderer }, ...cloned);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isLoading(): boolean {
    return false;
  }
  /** Messages sent on one channel, oldest first. */
  sentOn(channel: string): unknown[][] {
    return this.sent.filter((m) => m.channel === channel).map((m) => m.args);
  }
}

// ---------------------------------------------------------------------------------------------------- BrowserWindow
export class BrowserWindow extends EventEmitter {
  static readonly all: BrowserWindow[] = [];
  readonly options: Record<string, unknown>;
  readonly webContents = new FakeWebContents();
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  loadedFile: string | null = null;
  loadedURL: string | null = null;

  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    this.visible = options.show !== false;
    BrowserWindow.all.push(this);
    fake.windows.push(this);
    app.emit('web-contents-created', fakeEvent(), this.webContents);
  }

  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.all.filter((w) => !w.destroyed);
  }

  async loadFile(path: string, options?: { hash?: string; query?: Record<string, string> }): Promise<void> {
    this.loadedFile = path;
    const url = pathToFileURL(path);
    if (options?.hash) url.hash = options.hash;
    this.webContents.mainFrame.url = url.href;
    this.loadedURL = url.href;
  }
  async loadURL(url: string): Promise<void> {
    this.loadedURL = url;
    this.webContents.mainFrame.url = url;
  }
  show(): void {
    this.visible = true;
    this.focused = true;
    this.emit('show');
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
    this.emit('hide');
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {
    this.minimized = false;
  }
  minimize(): void {
    this.minimized = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** A person's (or the OS's) close: preventable, like Electron's. */
  close(): void {
    const event = fakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
  setMenuBarVisibility(_visible: boolean): void {}
  removeMenu(): void {}
  setSkipTaskbar(_skip: boolean): void {}
}

// ---------------------------------------------------------------------------------------------------- ipcMain
type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, InvokeHandler>();

  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /**
   * What a renderer's `ipcRenderer.invoke` does: runs the handler with an event naming the sender; a thrown error
   * rejects (Electron sends only its message across). Arguments are structured-cloned like Electron does.
   */
  async invoke(sender: { webContents: FakeWebContents; frame?: FakeWebFrame | null }, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const frame = sender.frame === undefined ? sender.webContents.mainFrame : sender.frame;
    const event = { sender: sender.webContents, senderFrame: frame, frameId: 1, processId: 1, type: 'frame' };
    const result = await handler(event, ...args.map((a) => structuredClone(a)));
    return structuredClone(result);
  }
}

export const ipcMain = new FakeIpcMain();

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
    fake.notifications.push({ title: this.options.title ?? '', body: this.options.body ?? '', urgency: this.options.urgency });
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

// ---------------------------------------------------------------------------------------------------- renderer side
/** The preload's view: contextBridge records what it exposes, ipcRenderer forwards to the fake ipcMain. */
export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    contextBridge.exposed.set(key, api);
  },
};

class FakeIpcRenderer extends EventEmitter {
  /** The window whose renderer this is (set by the test before loading the preload). */
  window: BrowserWindow | null = null;
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    if (!this.window) throw new Error('fake-electron: ipcRenderer.window not set by the test');
    return ipcMain.invoke({ webContents: this.window.webContents }, channel, ...args);
  }
}
export const ipcRenderer = new FakeIpcRenderer();

// ---------------------------------------------------------------------------------------------------- test control
export const fake = {
  trays: [] as Tray[],
  windows: [] as BrowserWindow[],
  notifications: [] as Array<{ title: string; body: string; urgency: string | undefined }>,
  applicationMenu: null as FakeMenu | null,

  /** The live tray (the latest one not destroyed). */
  get tray(): Tray {
    const tray = fake.trays.filter((t) => !t.destroyed).at(-1);
    if (!tray) throw new Error('fake-electron: no tray');
    return tray;
  },

  /** Back to a pristine Electron: no listeners, no windows, no handlers, nothing recorded. */
  reset(options: { appPath?: string; userData?: string } = {}): void {
    for (const emitter of [app, powerMonitor, ipcMain, nativeTheme, session.defaultSession, ipcRenderer]) emitter.removeAllListeners();
    ipcMain.handlers.clear();
    Object.assign(app, {
      ready: false,
      isPackaged: false,
      appPath: options.appPath ?? process.cwd(),
      singleInstanceLockAvailable: true,
      quitCalls: 0,
      exitCode: null,
      quitCompleted: false,
      loginItemSettings: null,
      sandboxEnabled: false,
      dockHidden: false,
    });
    app.paths.clear();
    if (options.userData) app.paths.set('userData', options.userData);
    Object.assign(powerMonitor, { idleSeconds: 0, locked: false });
    powerMonitor.idleStateQueries.length = 0;
    clipboard.contents = new Map();
    clipboard.writes.length = 0;
    clipboard.clears = 0;
    Notification.supported = true;
    nativeTheme.shouldUseDarkColors = false;
    const s = session.defaultSession;
    s.headersListener = null;
    s.permissionRequestHandler = null;
    s.permissionCheckHandler = null;
    s.devicePermissionHandler = null;
    shell.opened.length = 0;
    dialog.shown.length = 0;
    dialog.responses.length = 0;
    contextBridge.exposed.clear();
    ipcRenderer.window = null;
    for (const w of BrowserWindow.all) if (!w.destroyed) w.destroy();
    BrowserWindow.all.length = 0;
    fake.trays.length = 0;
    fake.windows.length = 0;
    fake.notifications.length = 0;
    fake.applicationMenu = null;
  },
};

const electron = {
  app,
  BrowserWindow,
  ClipboardItem,
  Menu: FakeMenu,
  MenuItem,
  Notification,
  Tray,
  clipboard,
  contextBridge,
  dialog,
  ipcMain,
  ipcRenderer,
  nativeImage,
  nativeTheme,
  powerMonitor,
  session,
  shell,
};

export default electron;
