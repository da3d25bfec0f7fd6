// A Clock whose time moves only when a test says so. Timers fire in deadline order during `advance`.
import type { Clock, TimerHandle } from '../../main/core/ports.js';

interface PendingTimer {
  id: number;
  at: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: PendingTimer[] = [];

  constructor(start: number | string = '2026-01-01T00:00:00.000Z') {
    this.time = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), fn };
    this.timers.push(timer);
    return { cancel: () => { this.timers = this.timers.filter((t) => t !== timer); } };
  }

  /** How many timers are armed: the scheduler promises one at most. */
  get armedTimers(): number {
    return this.timers.length;
  }

  /** The earliest armed deadline, or null. */
  get nextDeadline(): number | null {
    return this.timers.length ? Math.min(...this.timers.map((t) => t.at)) : null;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order; after each one, awaits pending promise callbacks
   * so that async work a timer started (HTTP calls) can settle before the next one fires.
   */
  async advance(ms: number, settle: () => Promise<void> = flush): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** A wall-clock jump (sleep/resume, NTP): moves time without firing anything. */
  jump(ms: number): void {
    this.time += ms;
  }
}

/** Lets queued microtasks and I/O callbacks run (real sockets to the simulator need a few turns). */
export async function flush(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
