// What every screen offers the shell, and what the shell offers the screens.
import type { AppSnapshot, KeyfobApi, Screen } from '../../preload/api.js';

export interface ScreenView {
  id: Screen;
  title: string;
  panel: HTMLElement;
  /** Where focus goes when the screen is opened by something other than its tab. */
  heading: HTMLElement;
  update(snapshot: AppSnapshot): void;
  shown?(): void;
}

export interface ShellContext {
  api: KeyfobApi;
  navigate(screen: Screen, opts?: { focus?: boolean }): void;
  isVisible(screen: Screen): boolean;
  /** After issuing from elsewhere: show the Keys screen with focus on the new lease's Copy button. */
  showLease(leaseId: string): void;
}
