// The views that show the app's state — the tray and the window's snapshot — as one place to say "this changed".
// Each view attaches itself when it is built, so a piece of wiring built before a view (the proxy health tracker,
// the IPC context) can ask for a refresh without holding a view that does not exist yet.

export interface TrayView {
  refresh(): void;
}

export interface WindowView {
  publish(): void;
}

export class AppViews {
  private tray: TrayView | null = null;
  private window: WindowView | null = null;

  /** Returns the teardown that detaches it. */
  attachTray(tray: TrayView): () => void {
    this.tray = tray;
    return () => {
      if (this.tray === tray) this.tray = null;
    };
  }

  attachWindow(window: WindowView): () => void {
    this.window = window;
    return () => {
      if (this.window === window) this.window = null;
    };
  }

  /** The tray's menu, icon and tooltip are rendered again. */
  refreshTray(): void {
    this.tray?.refresh();
  }

  /** A fresh snapshot goes to the window. */
  publishSnapshot(): void {
    this.window?.publish();
  }

  refreshAll(): void {
    this.refreshTray();
    this.publishSnapshot();
  }
}
