// The one window. A tray app: created on first use (or hidden at start on Windows, where only a window hears the
// session end), closing hides it, quitting destroys it. It also decides which IPC senders are trusted: only the
// main frame of this window, showing the app's own renderer file.
import { BrowserWindow, nativeTheme } from 'electron';
import type { BrowserWindowConstructorOptions, IpcMainInvokeEvent } from 'electron';
import { pathToFileURL } from 'node:url';
import { PUSH_CHANNELS } from '../../preload/api.js';
import type { AppSnapshot, Screen } from '../../preload/api.js';

export interface MainWindowOptions {
  /** Absolute path of renderer/dist/index.html. */
  rendererIndex: string;
  /** Absolute path of dist/preload/preload.cjs. */
  preload: string;
  /** Developer tools in unpackaged runs only. */
  devTools: boolean;
  /** Windows only: the session is ending (logout, shutdown, restart). `query` comes first, `end` last. */
  onSessionEnd?: (phase: 'query' | 'end') => void;
  /** The window became visible (push it a fresh snapshot). */
  onShow?: () => void;
}

/** The window's options: the security baseline lives here, where the tests can read it back. */
export function mainWindowOptions(opts: Pick<MainWindowOptions, 'preload' | 'devTools'>): BrowserWindowConstructorOptions {
  return {
    title: 'Keyfob',
    width: 980,
    height: 700,
    minWidth: 640,
    minHeight: 480,
    show: false,
    autoHideMenuBar: true,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#1b1f24' : '#ffffff',
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      experimentalFeatures: false,
      enableWebSQL: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: opts.devTools,
    },
  };
}

/** Same file, ignoring the fragment and query a renderer may use for its own routing. */
export function isSameDocument(url: string, expected: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(expected);
    a.hash = '';
    a.search = '';
    b.hash = '';
    b.search = '';
    return a.protocol === 'file:' && a.href === b.href;
  } catch {
    return false;
  }
}

export class MainWindow {
  private win: BrowserWindow | null = null;
  private loaded: Promise<void> = Promise.resolve();
  private closingForReal = false;
  readonly rendererUrl: string;

  constructor(private readonly opts: MainWindowOptions) {
    this.rendererUrl = pathToFileURL(opts.rendererIndex).href;
  }

  /** The live BrowserWindow, or null when none was created yet (or it was destroyed). */
  get browserWindow(): BrowserWindow | null {
    return this.win && !this.win.isDestroyed() ? this.win : null;
  }

  get isVisible(): boolean {
    return this.browserWindow?.isVisible() ?? false;
  }

  /** Creates the window (hidden) and starts loading the renderer; returns the existing one if any. */
  ensure(): BrowserWindow {
    const existing = this.browserWindow;
    if (existing) return existing;
    const win = new BrowserWindow(mainWindowOptions(this.opts));
    this.win = win;
    win.removeMenu();
    win.on('close', (event) => {
      if (this.closingForReal) return;
      event.preventDefault();
      win.hide();
    });
    win.on('closed', () => {
      if (this.win === win) this.win = null;
    });
    win.on('show', () => this.opts.onShow?.());
    win.on('query-session-end', () => this.opts.onSessionEnd?.('query'));
    win.on('session-end', () => this.opts.onSessionEnd?.('end'));
    this.loaded = win.loadFile(this.opts.rendererIndex).catch((e: unknown) => {
      console.error(`keyfob: the window could not load ${this.opts.rendererIndex}: ${e instanceof Error ? e.message : String(e)}`);
    });
    return win;
  }

  /** Shows and focuses the window, on `screen` when given. */
  show(screen?: Screen): void {
    const win = this.ensure();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    if (screen) void this.loaded.then(() => this.send(PUSH_CHANNELS.navigate, screen));
  }

  hide(): void {
    this.browserWindow?.hide();
  }

  pushSnapshot(snapshot: AppSnapshot): void {
    void this.loaded.then(() => this.send(PUSH_CHANNELS.snapshot, snapshot));
  }

  /** Only the main frame of this window, showing the app's own renderer file, may call the API. */
  isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): boolean {
    const win = this.browserWindow;
    if (!win) return false;
    const contents = win.webContents;
    if (event.sender !== contents) return false;
    const frame = event.senderFrame;
    const main = contents.mainFrame;
    if (!frame || frame.parent !== null) return false;
    if (frame !== main && (frame.processId !== main.processId || frame.routingId !== main.routingId)) return false;
    return isSameDocument(frame.url, this.rendererUrl);
  }

  /** At quit: let the window close for real. */
  destroy(): void {
    this.closingForReal = true;
    this.browserWindow?.destroy();
    this.win = null;
  }

  private send(channel: string, payload: unknown): void {
    const win = this.browserWindow;
    if (!win || win.webContents.isDestroyed()) return;
    win.webContents.send(channel, payload);
  }
}
