// One armed timer for the whole process, set for the earliest deadline any source asks for (lease renew points,
// expiries, warnings, revoke retries, the clipboard clear). Not a timer per lease and not a poll: with nothing to do,
// nothing is armed and the process never wakes up. Deadlines are wall-clock instants, so after a sleep or a clock jump
// `rearm()` (called on resume) recomputes them from the clock instead of trusting a countdown.
import type { Clock, TimerHandle } from './ports.js';

export interface DeadlineSource {
  /** The earliest instant (ms since the epoch) at which `run` has work, or null for none. */
  nextDeadline(now: number): number | null;
  /** Does whatever is due at `now`. Must make progress: afterwards its deadline should lie in the future. */
  run(now: number): Promise<void>;
}

/** A source still due right after its run is retried no sooner than this (a guard against a busy loop). */
const MIN_RETRY_MS = 1000;

export class SingleTimer {
  private readonly sources: DeadlineSource[] = [];
  private handle: TimerHandle | null = null;
  private armedAt: number | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Sources that were due but still reported a past deadline after running. */
  private stuck = new Set<DeadlineSource>();

  constructor(private readonly clock: Clock) {}

  add(source: DeadlineSource): void {
    this.sources.push(source);
  }

  /** The instant the timer is armed for, or null when nothing is armed. */
  get armedFor(): number | null {
    return this.armedAt;
  }

  /** Recomputes the earliest deadline and (re)arms the one timer. Safe to call at any time, as often as needed. */
  rearm(): void {
    if (this.stopped || this.running) return; // the running tick re-arms when it ends
    const now = this.clock.now();
    let earliest: number | null = null;
    for (const source of this.sources) {
      let at = source.nextDeadline(now);
      if (at !== null && this.stuck.has(source)) at = Math.max(at, now + MIN_RETRY_MS);
      if (at !== null && (earliest === null || at < earliest)) earliest = at;
    }
    if (earliest === this.armedAt && this.handle) return;
    this.handle?.cancel();
    this.handle = null;
    this.armedAt = earliest;
    if (earliest !== null) this.handle = this.clock.setTimeout(() => this.fire(), Math.max(0, earliest - now));
  }

  /** Resolves once no tick is running (tests and quit use it to let due work finish). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  start(): void {
    this.stopped = false;
    this.rearm();
  }

  stop(): void {
    this.stopped = true;
    this.handle?.cancel();
    this.handle = null;
    this.armedAt = null;
  }

  private fire(): void {
    this.handle = null;
    this.armedAt = null;
    if (this.stopped) return;
    this.running = this.tick().finally(() => {
      this.running = null;
      this.rearm();
    });
  }

  private async tick(): Promise<void> {
    const now = this.clock.now();
    const due = this.sources.filter((s) => {
      const at = s.nextDeadline(now);
      return at !== null && at <= now;
    });
    await Promise.all(due.map((s) => s.run(now).catch(() => undefined)));
    const after = this.clock.now();
    this.stuck = new Set(due.filter((s) => {
      const at = s.nextDeadline(after);
      return at !== null && at <= after;
    }));
  }
}
