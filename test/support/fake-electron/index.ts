// A recording stand-in for the `electron` module, so the real composition root (main/app.ts) boots in plain Node.
// It mimics only what Keyfob uses, with Electron's observable behaviour where tests depend on it: ipcMain.handle
// refuses a second handler for a channel, BrowserWindow.close() emits a preventable 'close', app.quit() emits a
// preventable 'before-quit' then 'will-quit', every new webContents is announced with 'web-contents-created'.
// Tests inspect and drive it through the `fake` object.
import { recorded } from './records.js';
import { FakeMenu, MenuItem, Tray, nativeImage } from './ui.js';
import { BrowserWindow, contextBridge, ipcMain, ipcRenderer } from './windows.js';
import { ClipboardItem, Notification, app, clipboard, dialog, nativeTheme, powerMonitor, session, shell } from './system.js';

export { fakeEvent, type FakeEvent } from './records.js';
export * from './ui.js';
export * from './windows.js';
export * from './system.js';

// ---------------------------------------------------------------------------------------------------- test control
export const fake = {
  get trays(): Tray[] {
    return recorded.trays;
  },
  get windows(): BrowserWindow[] {
    return recorded.windows;
  },
  get notifications(): Array<{ title: string; body: string; urgency: string | undefined }> {
    return recorded.notifications;
  },
  get applicationMenu(): FakeMenu | null {
    return recorded.applicationMenu;
  },
  set applicationMenu(menu: FakeMenu | null) {
    recorded.applicationMenu = menu;
  },

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
