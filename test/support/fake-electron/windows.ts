// The fake electron's webContents, BrowserWindow and ipcMain, and the renderer side (contextBridge, ipcRenderer).
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { fakeEvent, recorded } from './records.js';
import { app, session } from './system.js';

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
    recorded.windows.push(this);
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

