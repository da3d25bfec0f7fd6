// One polite live region for the whole window. Screen readers hear what changed (a key issued, 1 minute left),
// never the ticking seconds.
import { byId } from './dom.js';

let pending: string[] = [];
let scheduled = false;

export function announce(message: string): void {
  pending.push(message);
  if (scheduled) return;
  scheduled = true;
  // Several announcements in one turn (ten keys crossing 5 minutes together) become one sentence.
  queueMicrotask(() => {
    const region = byId('announcer');
    const text = pending.join(' ');
    // The same words twice in a row would not change the region, and would not be heard: vary it invisibly.
    region.textContent = region.textContent === text ? `${text}\u00a0` : text;
    pending = [];
    scheduled = false;
  });
}
