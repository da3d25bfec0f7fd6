// Groups ledger read-modify-writes: many changes, one locked rewrite of the file. Reconcile at start ends hundreds of
// leases; one rewrite per lease made the ledger (a whole-file rewrite, linear in its size) a third of the start.
// Safe against a crash between a change being queued and written: what is queued is an outcome already reached on
// the proxy (a key deleted, a delete that failed), and a lease whose outcome was lost is still `revoking` under a
// claim of a dead process, so the next start sends its delete again and the proxy answers 404: already gone.
import type { LedgerDraft } from './lease-ledger.js';

/** A ledger read-modify-write (LeaseManager.update, or a batch's `write`). */
export type LedgerWrite = <T>(change: (draft: LedgerDraft) => T) => Promise<T>;

interface Queued {
  change: (draft: LedgerDraft) => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export class LedgerWriteBatch {
  private queue: Queued[] = [];
  private flushing: Promise<void> = Promise.resolve();

  /** `update` writes one draft; a full batch of `size` changes is written at once, the rest by `flush()`. */
  constructor(private readonly update: LedgerWrite, private readonly size: number) {}

  /**
   * A write for one task, and `queued`, which resolves as soon as the task has handed its change over: the task's
   * runner can then start the next task instead of waiting for the batch to fill.
   */
  writer(): { write: LedgerWrite; queued: Promise<void> } {
    let handedOver: () => void = () => undefined;
    const queued = new Promise<void>((resolve) => {
      handedOver = resolve;
    });
    const write: LedgerWrite = (change) => {
      handedOver();
      return this.write(change);
    };
    return { write, queued };
  }

  /** Queues `change`; resolves with what it returned once the batch holding it is on disk. */
  write<T>(change: (draft: LedgerDraft) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ change, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length >= this.size) void this.flush();
    });
  }

  /** Writes whatever is queued (after a write already under way); resolves once it is on disk or has failed. */
  flush(): Promise<void> {
    const items = this.queue.splice(0);
    if (items.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      let outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>;
      try {
        outcomes = await this.update((draft) => items.map((item) => {
          // One change that throws fails alone, as it would have in a write of its own.
          try {
            return { ok: true as const, value: item.change(draft) };
          } catch (error) {
            return { ok: false as const, error };
          }
        }));
      } catch (error) {
        for (const item of items) item.reject(error);
        return;
      }
      outcomes.forEach((outcome, i) => {
        const item = items[i] as Queued;
        if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    });
    return this.flushing;
  }
}
