// Faults on demand, per route ('*' = every proxy route). Latency stays until cleared; the other kinds are consumed,
// one per call, in the order they were added (a route's own faults before the '*' ones).
import type { SimFault } from './types.js';

type CountedFault = Exclude<SimFault, { kind: 'latency' }>;

interface Pending {
  fault: CountedFault;
  remaining: number;
}

export const ANY_ROUTE = '*';

/** Throws on a fault that could never be played, so a typo in a test fails loudly rather than silently passing. */
export function checkFault(fault: SimFault): void {
  const count = 'count' in fault ? fault.count : undefined;
  if (count !== undefined && !(count === Infinity || (Number.isInteger(count) && count >= 1))) {
    throw new RangeError(`fault count must be a whole number >= 1 or Infinity, got ${count}`);
  }
  switch (fault.kind) {
    case 'latency':
      if (!Number.isFinite(fault.ms) || fault.ms < 0) throw new RangeError(`latency ms must be >= 0, got ${fault.ms}`);
      return;
    case 'fail':
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) {
        throw new RangeError(`fail status must be an HTTP status, got ${fault.status}`);
      }
      if (fault.contentType !== undefined && fault.contentType !== 'json' && fault.contentType !== 'text') {
        throw new RangeError(`fail contentType must be 'json' or 'text', got ${String(fault.contentType)}`);
      }
      return;
    case 'reset':
    case 'hang':
    case 'wrong-token':
      return;
    case 'drip':
      if (!Number.isFinite(fault.intervalMs) || fault.intervalMs < 0) throw new RangeError(`drip intervalMs must be >= 0, got ${fault.intervalMs}`);
      return;
    case 'huge':
      if (!Number.isFinite(fault.megabytes) || fault.megabytes <= 0) throw new RangeError(`huge megabytes must be > 0, got ${fault.megabytes}`);
      return;
    case 'escapes':
      if (fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status <= 599)) {
        throw new RangeError(`escapes status must be an HTTP error status, got ${fault.status}`);
      }
      return;
    case 'redirect':
      if (typeof fault.location !== 'string' || fault.location === '') throw new RangeError('redirect needs a location');
      if (fault.status !== undefined && ![301, 302, 303, 307, 308].includes(fault.status)) {
        throw new RangeError(`redirect status must be 301, 302, 303, 307 or 308, got ${fault.status}`);
      }
      return;
    default:
      throw new RangeError(`unknown fault kind ${(fault as { kind: unknown }).kind}`);
  }
}

export class FaultTable {
  private readonly latency = new Map<string, number>();
  private readonly queued = new Map<string, Pending[]>();

  add(route: string, fault: SimFault): void {
    checkFault(fault);
    if (fault.kind === 'latency') {
      this.latency.set(route, fault.ms);
      return;
    }
    const queue = this.queued.get(route) ?? [];
    queue.push({ fault: { ...fault }, remaining: fault.count ?? 1 });
    this.queued.set(route, queue);
  }

  clear(): void {
    this.latency.clear();
    this.queued.clear();
  }

  latencyFor(route: string): number {
    return this.latency.get(route) ?? this.latency.get(ANY_ROUTE) ?? 0;
  }

  /** The fault this call plays, if any; consumes one use of it. */
  take(route: string): CountedFault | null {
    for (const key of [route, ANY_ROUTE]) {
      const queue = this.queued.get(key);
      const head = queue?.[0];
      if (!queue || !head) continue;
      head.remaining -= 1;
      if (head.remaining <= 0) queue.shift();
      return head.fault;
    }
    return null;
  }
}
