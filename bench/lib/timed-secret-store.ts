// A SecretStore wrapper that times every keychain call, so the bench can report the keychain's share of an
// operation apart from Keyfob's own work (the keychain is another process behind D-Bus).
import { performance } from 'node:perf_hooks';
import type { SecretAccount, SecretStore } from '../../main/core/ports.js';

export class TimedSecretStore implements SecretStore {
  readonly backend: string;
  readonly sessionOnly: boolean;
  /** Milliseconds spent in keychain calls since the start, summed over calls (overlapping ones count twice). */
  totalMs = 0;
  calls = 0;
  /** [start, end] of every call, for the busy time when calls overlap. */
  readonly intervals: Array<[number, number]> = [];

  constructor(private readonly inner: SecretStore) {
    this.backend = inner.backend;
    this.sessionOnly = inner.sessionOnly;
  }

  get(account: SecretAccount): Promise<string | null> {
    return this.time(() => this.inner.get(account));
  }

  set(account: SecretAccount, secret: string): Promise<void> {
    return this.time(() => this.inner.set(account, secret));
  }

  delete(account: SecretAccount): Promise<boolean> {
    return this.time(() => this.inner.delete(account));
  }

  private async time<T>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      const ended = performance.now();
      this.totalMs += ended - started;
      this.calls++;
      this.intervals.push([started, ended]);
    }
  }

  /** Wall-clock time during which at least one keychain call was in flight. */
  busyMs(): number {
    return unionMs(this.intervals);
  }
}

/** The length of the union of time intervals. */
export function unionMs(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let open: [number, number] | null = null;
  for (const [start, end] of sorted) {
    if (open && start <= open[1]) open[1] = Math.max(open[1], end);
    else {
      if (open) total += open[1] - open[0];
      open = [start, end];
    }
  }
  return open ? total + open[1] - open[0] : total;
}
