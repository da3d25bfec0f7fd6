// What the fake electron records for tests to inspect, and the event object its emitters pass: shared by its parts.
import type { FakeMenu, Tray } from './ui.js';
import type { BrowserWindow } from './windows.js';

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

export const recorded = {
  trays: [] as Tray[],
  windows: [] as BrowserWindow[],
  notifications: [] as Array<{ title: string; body: string; urgency: string | undefined }>,
  applicationMenu: null as FakeMenu | null,
};
