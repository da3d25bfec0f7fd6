// The core's Notifier port on Electron's Notification. The core decides what to say and honours the person's
// "notifications" setting; the app also uses this for the outcome of a tray click (which has no window to show it).
// A desktop without a notification server simply shows nothing.
import { Notification } from 'electron';
import type { Notification as KeyfobNotification, Notifier } from '../core/ports.js';

export class ElectronNotifier implements Notifier {
  /** Notifications stay referenced while shown: Electron drops a collected one's handlers. */
  private readonly shown = new Set<Notification>();

  notify(n: KeyfobNotification): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: n.title, body: n.body, urgency: n.urgency, silent: n.urgency === 'low' });
    this.shown.add(notification);
    const forget = (): void => {
      this.shown.delete(notification);
    };
    notification.once('close', forget);
    notification.once('click', forget);
    notification.show();
  }
}
