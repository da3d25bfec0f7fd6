// When a tool last asked for a lease's key (`keyfob token`, `keyfob env`): the app's Keys screen shows which leases a
// helper keeps alive. One small file per lease under `<stateDir>/tool-asks/`, written atomically, so concurrent
// helpers never lose each other's record and the hot path needs no lock. Never holds a key.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

export const TOOL_ASKS_DIR = 'tool-asks';

export type AskedVia = 'token' | 'env';

export interface ToolAsk {
  lease_id: string;
  role: string;
  /** ISO-8601 UTC. */
  last_asked_at: string;
  via: AskedVia;
}

const LEASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Records an ask. Best effort: a tool must get its key even when the state directory refuses this write. */
export function recordToolAsk(stateDir: string, ask: ToolAsk): void {
  if (!LEASE_ID.test(ask.lease_id)) return;
  const dir = path.join(stateDir, TOOL_ASKS_DIR);
  const tmp = path.join(dir, `.${ask.lease_id}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, JSON.stringify(ask), { mode: 0o600 });
    fs.renameSync(tmp, path.join(dir, `${ask.lease_id}.json`));
  } catch {
    try { fs.unlinkSync(tmp); } catch { /* never written */ }
  }
}

/** Every recorded ask, newest first. */
export function readToolAsks(stateDir: string): ToolAsk[] {
  const dir = path.join(stateDir, TOOL_ASKS_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const asks: ToolAsk[] = [];
  for (const name of names) {
    if (!name.endsWith('.json') || !LEASE_ID.test(name.slice(0, -5))) continue;
    try {
      const v = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Partial<ToolAsk>;
      if (typeof v.lease_id === 'string' && typeof v.role === 'string' && typeof v.last_asked_at === 'string' && (v.via === 'token' || v.via === 'env')) {
        asks.push({ lease_id: v.lease_id, role: v.role, last_asked_at: v.last_asked_at, via: v.via });
      }
    } catch {
      // removed meanwhile, or half a file from a crash before the rename (never: the rename is atomic)
    }
  }
  return asks.sort((a, b) => b.last_asked_at.localeCompare(a.last_asked_at));
}

/** Drops the records of leases that are no longer live (the slow path calls it; so may the app). */
export function pruneToolAsks(stateDir: string, liveLeaseIds: ReadonlySet<string>): void {
  for (const ask of readToolAsks(stateDir)) {
    if (liveLeaseIds.has(ask.lease_id)) continue;
    try { fs.unlinkSync(path.join(stateDir, TOOL_ASKS_DIR, `${ask.lease_id}.json`)); } catch { /* gone already */ }
  }
}
