// The per-replica key cache (`user_api_key_cache_ttl`, 60 s on a real proxy): a key validated once is served from
// memory, as it was then, until the entry ages out. Delete, update and block on a multi-replica proxy reach only the
// replica that served them, so the cache here is never cleared by them: a revoked key keeps working for the TTL.
import type { KeyRecord } from './key-store.js';

interface Entry {
  row: KeyRecord;
  cachedAtMs: number;
}

export class KeyCache {
  private readonly entries = new Map<string, Entry>();

  /** The cached row for `token`, if it is younger than `ttlMs` at `nowMs`. */
  get(token: string, nowMs: number, ttlMs: number): KeyRecord | undefined {
    if (ttlMs <= 0) return undefined;
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (nowMs - entry.cachedAtMs >= ttlMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.row;
  }

  put(row: KeyRecord, nowMs: number, ttlMs: number): void {
    if (ttlMs <= 0) return;
    if (!this.entries.has(row.token)) this.entries.set(row.token, { row: structuredClone(row), cachedAtMs: nowMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
