// LiteLLM batches spend updates and writes them to the database every 10 s, so a key keeps passing its budget check
// for a while after it went over. With `spendFlushMs` > 0 a model call's cost is held here until it is due on the
// sim clock; every request (and keys()) first flushes what is due. 0 charges the row at once.
// Budgets are reset the same way: by a job every ~600 s (`budgetResetJobMs`), not at `budget_reset_at` itself.
import { nextStandardizedResetUs } from './calendar.js';
import { addDuration } from './duration.js';
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

/** Writes every charge due at the sim clock's now into its row, and runs the budget-reset job if a run is due. */
export function flushSpend(state: SimState): void {
  resetBudgets(state);
  const list = pending.get(state);
  if (!list?.length) return;
  const now = state.clock.now();
  const due = list.filter((charge) => charge.dueMs <= now);
  if (!due.length) return;
  for (const charge of due) charge.row.spend += charge.cost;
  pending.set(state, list.filter((charge) => charge.dueMs > now));
}

const lastJobRun = new WeakMap<SimState, number>();

/**
 * The budget-reset job's latest run at or before now (runs every `budgetResetJobMs` from the first request on): keys
 * whose `budget_reset_at` passed by then start again at spend 0, their next reset counted from that run.
 */
function resetBudgets(state: SimState): void {
  const every = state.config.budgetResetJobMs;
  if (every <= 0) return;
  const now = state.clock.now();
  const last = lastJobRun.get(state);
  if (last === undefined) {
    lastJobRun.set(state, now);
    return;
  }
  const run = last + Math.floor((now - last) / every) * every;
  if (run <= last) return;
  lastJobRun.set(state, run);
  const runUs = run * 1000;
  for (const row of state.store.all()) {
    if (row.budgetResetAtUs === null || row.budget_duration === null || row.budgetResetAtUs > runUs) continue;
    row.spend = 0;
    row.budgetResetAtUs = state.rules.calendarBudgetResetOnGenerate
      ? nextStandardizedResetUs(row.budget_duration, runUs, state.config.timezone)
      : addDuration(runUs, row.budget_duration);
  }
}
