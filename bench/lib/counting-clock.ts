// A Clock wrapper that counts what the core asks of it: timers armed (and still armed), timers fired. The core's
// promise is one armed timer however many leases there are, and none at all when there is nothing to do.
import type { Clock, TimerHandle } from '../../main/core/ports.js';

export class CountingClock implements Clock {
  /** setTimeout calls since the last reset. */
  armedCalls = 0;
  /** Timer callbacks run since the last reset: the process's wake-ups. */
  fired = 0;
  private readonly live = new Set<object>();

  constructor(private readonly inner: Clock) {}

  now(): number {
    return this.inner.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.armedCalls++;
    const token = {};
    this.live.add(token);
    const handle = this.inner.setTimeout(() => {
      this.live.delete(token);
      this.fired++;
      fn();
    }, ms);
    return {
      cancel: () => {
        this.live.delete(token);
        handle.cancel();
      },
    };
  }

  /** Timers armed right now (set, not yet fired, not cancelled). */
  get armed(): number {
    return this.live.size;
  }

  reset(): void {
    this.armedCalls = 0;
    this.fired = 0;
  }
}
