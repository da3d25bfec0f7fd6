// Times the lease ledger from outside: every read-modify-write (`LeaseLedger.update`: lock, check, serialise, write,
// fsync, rename) on one ledger instance, and every fsync in the process. Nothing in main/core is changed for it.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LeaseLedger } from '../../main/core/leases/index.js';

export interface LedgerTiming {
  /** Duration of each update, in order (waiting for the lock included). */
  readonly updates: number[];
  /** How long each update held the lock: the change, the write, the fsync and the rename, never the wait. */
  readonly held: number[];
  /** Duration of each fsync anywhere in the process, in order. */
  readonly fsyncs: number[];
  totalMs(): number;
  fsyncMs(): number;
  restore(): void;
}

export function timeLedger(ledger: LeaseLedger): LedgerTiming {
  const updates: number[] = [];
  const held: number[] = [];
  const fsyncs: number[] = [];
  const update = ledger.update.bind(ledger);
  ledger.update = async (change) => {
    const started = performance.now();
    let locked: number | null = null;
    try {
      // `change` runs once the lock is held; the write follows synchronously, then the lock is released.
      return await update((draft) => {
        locked = performance.now();
        return change(draft);
      });
    } finally {
      const ended = performance.now();
      updates.push(ended - started);
      if (locked !== null) held.push(ended - locked);
    }
  };
  // lease-ledger.ts calls `fs.fsyncSync` on the default export: wrapping that property times its fsyncs.
  const fsyncSync = fs.fsyncSync;
  fs.fsyncSync = (fd: number) => {
    const started = performance.now();
    try {
      fsyncSync(fd);
    } finally {
      fsyncs.push(performance.now() - started);
    }
  };
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    updates,
    held,
    fsyncs,
    totalMs: () => total(updates),
    fsyncMs: () => total(fsyncs),
    restore() {
      ledger.update = update;
      fs.fsyncSync = fsyncSync;
    },
  };
}
