// The tray icon: image, tooltip, macOS title and menu, re-rendered on every lease change and otherwise once a minute
// while keys are live (the labels count whole minutes). The menu is set again after every change because Linux
// (AppIndicator) only picks up a menu passed to setContextMenu. Keep a reference to the Tray: a collected one vanishes.
// "Revoke all keys…" asks first, in a native dialog, as the window does.
import { Menu, Tray, dialog, nativeImage, nativeTheme } from 'electron';
import type { NativeImage } from 'electron';
import path from 'node:path';
import type { Clock, TimerHandle } from '../core/ports.js';
import { trayMenuTemplate, trayStatus } from './tray-model.js';
import type { TrayActions, TrayIconState, TrayView } from './tray-model.js';

export const TRAY_REFRESH_MS = 60_000;

export interface KeyfobTrayOptions {
  platform: NodeJS.Platform | string;
  clock: Clock;
  /** Directory holding build/tray's images (`<state>-light.png`, `<state>-dark.png`, `<state>Template.png`, @2x). */
  imagesDir: string;
  /** The state to show, read fresh at each render. */
  view: () => Promise<TrayView>;
  actions: TrayActions;
  /** Windows: a left click opens the window (the menu is on the right button). */
  onClick?: () => void;
}

/** Which image file shows `state`: a template on macOS, else the one that contrasts with the panel. */
export function trayImageFile(imagesDir: string, state: TrayIconState, platform: string, darkPanel: boolean): string {
  if (platform === 'darwin') return path.join(imagesDir, `${state}Template.png`);
  return path.join(imagesDir, `${state}-${darkPanel ? 'dark' : 'light'}.png`);
}

export class KeyfobTray {
  private tray: Tray | null = null;
  private timer: TimerHandle | null = null;
  private rendering: Promise<void> | null = null;
  private again = false;
  private shownImage: string | null = null;
  private shownView: TrayView | null = null;
  private confirming: Promise<void> | null = null;
  private readonly onThemeUpdated = (): void => this.refresh();
  private readonly actions: TrayActions;

  constructor(private readonly opts: KeyfobTrayOptions) {
    this.actions = { ...opts.actions, revokeAll: () => void this.confirmRevokeAll() };
  }

  /** Creates the tray icon and renders it once. */
  async start(): Promise<void> {
    if (this.tray) return;
    const file = trayImageFile(this.opts.imagesDir, 'idle', this.opts.platform, nativeTheme.shouldUseDarkColors);
    this.tray = new Tray(this.image(file));
    this.shownImage = file;
    this.tray.setToolTip('Keyfob');
    if (this.opts.onClick) this.tray.on('click', this.opts.onClick);
    nativeTheme.on('updated', this.onThemeUpdated);
    await this.render();
  }

  /** Renders again soon; concurrent calls collapse into one render after the current one. */
  refresh(): void {
    void this.render();
  }

  /** Resolves after the render in flight (and any it queued) and an open confirmation are done. */
  async settled(): Promise<void> {
    while (this.rendering || this.confirming) await (this.rendering ?? this.confirming);
  }

  /** "Revoke all keys…": one dialog at a time; Cancel (the default, and Escape) does nothing. */
  private confirmRevokeAll(): Promise<void> {
    this.confirming ??= (async () => {
      try {
        const count = this.shownView?.leases.length ?? 0;
        const { response } = await dialog.showMessageBox({
          type: 'warning',
          title: 'Keyfob',
          message: `Revoke all ${count} key${count === 1 ? '' : 's'}?`,
          detail: 'Every key is deleted on the LiteLLM proxy now. Programs using them stop working.',
          buttons: ['Cancel', 'Revoke all'],
          defaultId: 0,
          cancelId: 0,
          noLink: true,
        });
        if (response === 1) this.opts.actions.revokeAll();
      } catch (e) {
        console.error(`keyfob: the tray could not ask before revoking: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.confirming = null;
      }
    })();
    return this.confirming;
  }

  destroy(): void {
    this.timer?.cancel();
    this.timer = null;
    nativeTheme.removeListener('updated', this.onThemeUpdated);
    this.tray?.destroy();
    this.tray = null;
  }

  private render(): Promise<void> {
    if (this.rendering) {
      this.again = true;
      return this.rendering;
    }
    this.rendering = (async () => {
      try {
        do {
          this.again = false;
          await this.renderOnce();
        } while (this.again);
      } catch (e) {
        console.error(`keyfob: the tray could not be updated: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.rendering = null;
      }
    })();
    return this.rendering;
  }

  private async renderOnce(): Promise<void> {
    const view = await this.opts.view();
    const tray = this.tray;
    if (!tray) return;
    this.shownView = view;
    const status = trayStatus(view);
    const file = trayImageFile(this.opts.imagesDir, status.icon, this.opts.platform, nativeTheme.shouldUseDarkColors);
    if (file !== this.shownImage) {
      tray.setImage(this.image(file));
      this.shownImage = file;
    }
    tray.setToolTip(status.tooltip);
    if (this.opts.platform === 'darwin') tray.setTitle(status.title);
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(view, this.actions)));

    // Minute labels and the expiring state need a clock tick only while a lease is live.
    this.timer?.cancel();
    this.timer = view.leases.length > 0 ? this.opts.clock.setTimeout(() => this.refresh(), TRAY_REFRESH_MS) : null;
  }

  private image(file: string): NativeImage {
    const image = nativeImage.createFromPath(file);
    if (this.opts.platform === 'darwin') image.setTemplateImage(true);
    return image;
  }
}
