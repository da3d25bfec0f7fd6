// Messages with a lifetime: "Copied." is cleared when it stops being news, not left for 50 minutes. Driven by the
// window's one timer (main's clock), so a hidden window does no work and a test moves time with the page clock.
import { serverNow } from './store.js';
import { onTick } from './ticker.js';

export const MESSAGE_LIFETIME_MS = 10_000;

const shown = new Map<HTMLElement, number>();
let listening = false;

/** Puts `text` in `el` until `lifetimeMs` has passed; a newer message in the same element replaces the deadline. */
export function showFor(el: HTMLElement, text: string, lifetimeMs = MESSAGE_LIFETIME_MS): void {
  el.textContent = text;
  shown.set(el, serverNow() + lifetimeMs);
  if (listening) return;
  listening = true;
  onTick((now) => {
    for (const [target, until] of shown) {
      if (!target.isConnected) shown.delete(target);
      else if (now >= until) {
        target.textContent = '';
        shown.delete(target);
      }
    }
  });
}
