// The server's own clock. Tests move it to expire keys without sleeping; it never belongs to the client under test.
import { performance } from 'node:perf_hooks';

export class SimClock {
  private baseMs: number;
  private anchor: number;
  private readonly realTime: boolean;

  constructor(startMs: number, realTime: boolean) {
    this.baseMs = Math.floor(startMs);
    this.realTime = realTime;
    this.anchor = performance.now();
  }

  /** Epoch milliseconds on the server. */
  now(): number {
    return this.realTime ? this.baseMs + Math.floor(performance.now() - this.anchor) : this.baseMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock.advance needs a finite ms >= 0, got ${ms}`);
    this.baseMs += Math.floor(ms);
  }

  set(epochMs: number): void {
    if (!Number.isFinite(epochMs)) throw new RangeError(`clock.set needs a finite epoch ms, got ${epochMs}`);
    this.baseMs = Math.floor(epochMs);
    this.anchor = performance.now();
  }
}
