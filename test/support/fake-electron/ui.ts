// The fake electron's nativeImage, Menu and Tray.
import { EventEmitter } from 'node:events';
import { recorded } from './records.js';

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
    recorded.applicationMenu = menu;
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
    recorded.trays.push(this);
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

