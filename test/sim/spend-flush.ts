// LiteLLM batches spend updates and writes them to the database every 10 s, so a key keeps passing its budget check
// for a while after it went over. With `spendFlushMs` > 0 a model call's cost is held here until it is due on the
// sim clock; every request (and keys()) first flushes what is due. 0 charges the row at once.
import type { KeyRecord } from './key-store.js';
import type { SimState } from './state.js';

interface PendingSpend {
  row: KeyRecord;
  cost: number;
  dueMs: number;
}

const pending = new WeakMap<SimState, PendingSpend[]>();

export function chargeSpend(state: SimState, row: KeyRecord, cost: number): void {
  const delay = state.config.spendFlushMs;
  if (delay <= 0) {
    row.spend += cost;
    return;
  }
  let list = pending.get(state);
  if (!list) pending.set(state, (list = []));
  list.push({ row, cost, dueMs: state.clock.now() + delay });
}

/** Writes every charge due at the sim clock's now into its row. */
export function flushSpend(state: SimState): void {
  const list = pending.get(state);
  if (!list?.length) return;
  const now = state.clock.now();
  const due = list.filter((charge) => charge.dueMs <= now);
  if (!due.length) return;
  for (const charge of due) charge.row.spend += charge.cost;
  pending.set(state, list.filter((charge) => charge.dueMs > now));
}
