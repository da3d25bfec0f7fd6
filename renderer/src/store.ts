// The window's copy of main's state: the last snapshot, and the offset between main's clock and this page's.
// Main owns every lease; the window never invents state, it only patches in what an IPC answer just returned
// so that a row reacts before the next pushed snapshot arrives.
import type { AppSnapshot, LeaseView } from '../../preload/api.js';
import { noteSnapshot } from './connection.js';
import { hasEnded } from './lease-rules.js';

type Listener = (snapshot: AppSnapshot) => void;

let current: AppSnapshot | null = null;
let offsetMs = 0;
const listeners = new Set<Listener>();

export function snapshot(): AppSnapshot {
  if (!current) throw new Error('no snapshot yet');
  return current;
}

export function hasSnapshot(): boolean {
  return current !== null;
}

/** Main's clock, as far as this page can tell: the countdowns all read this. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

export function applySnapshot(next: AppSnapshot): void {
  offsetMs = next.now - Date.now();
  noteSnapshot(next, current);
  current = next;
  emit();
}

/** Merges a lease an IPC answer returned (renew, revoke, issue) into the current snapshot. */
export function patchLease(lease: LeaseView): void {
  if (!current) return;
  const others = current.leases.filter((l) => l.lease_id !== lease.lease_id);
  current = { ...current, leases: [...others, lease] };
  emit();
}

/** The leases that have not ended (irrevocable ones included): the rows of the Keys screen. */
export function unendedLeases(s: AppSnapshot = snapshot()): LeaseView[] {
  return s.leases.filter((l) => !hasEnded(l));
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(): void {
  if (!current) return;
  for (const listener of listeners) listener(current);
}
