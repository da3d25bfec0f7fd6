// The real Clock: wall-clock time and Node timers. Timers are unref'd so that an armed lease deadline never keeps
// a CLI process alive on its own.
import type { Clock, TimerHandle } from '../core/ports.js';

// Node clamps delays above 2^31-1 ms (~24.8 days) to 1 ms; longer deadlines are re-armed in steps.
const MAX_DELAY = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    let handle: NodeJS.Timeout;
    const deadline = Date.now() + Math.max(0, ms);
    const arm = (): void => {
      const remaining = deadline - Date.now();
      handle = setTimeout(remaining > MAX_DELAY ? arm : fn, Math.min(Math.max(0, remaining), MAX_DELAY));
      handle.unref();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};
