// The window's one timer. Every countdown, threshold announcement and the once-a-minute spend refresh hang off
// it: one setTimeout armed at a time, aligned to main's whole seconds, stopped while the window is hidden
// (a hidden window has nothing to draw) and restarted with an immediate tick when it shows again.
import { serverNow } from './store.js';

type TickListener = (nowMs: number) => void;

const listeners = new Set<TickListener>();
let timer: ReturnType<typeof setTimeout> | null = null;

export function onTick(listener: TickListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Runs every listener now (also after a snapshot, so rows never show a stale second). */
export function tickNow(): void {
  const now = serverNow();
  for (const listener of listeners) listener(now);
}

export function startTicker(): void {
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) stop();
    else {
      tickNow();
      arm();
    }
  });
  if (!document.hidden) arm();
}

function arm(): void {
  stop();
  // Wake just after main's next whole second, when every "mm:ss" changes.
  const delay = 1000 - (((serverNow() % 1000) + 1000) % 1000) + 5;
  timer = setTimeout(() => {
    timer = null;
    tickNow();
    if (!document.hidden) arm();
  }, delay);
}

function stop(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
}
