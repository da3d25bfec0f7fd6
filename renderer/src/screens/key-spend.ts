// Spend comes from the proxy: fetched for the rows on screen, each at most once a minute, a few at a time. A row
// that leaves forgets its spend; a row that comes back shows the cached one until the next fetch.
import type { KeyfobApi } from '../../../preload/api.js';
import { call } from '../errors.js';
import { MINUTE } from '../time.js';
import type { LeaseRow, SpendInfo } from './lease-row.js';

const SPEND_REFRESH_MS = MINUTE;
const SPEND_CONCURRENCY = 4;
/** A few words for why spend cannot be read; the header's connection indicator says the rest. */
const SPEND_PROBLEM: Record<string, string> = { unreachable: 'proxy unreachable', dns: 'proxy unreachable', tls: 'proxy unreachable', timeout: 'proxy not answering', 'admin-key-rejected': 'LiteLLM key rejected' };

export class KeySpend {
  private readonly cache = new Map<string, SpendInfo & { fetchedAt: number }>();
  private inFlight = false;
  private nextScan = 0;

  constructor(
    private readonly api: KeyfobApi,
    private readonly rows: ReadonlyMap<string, LeaseRow>,
  ) {}

  /** The last spend fetched for a lease, if any. */
  cached(leaseId: string): SpendInfo | undefined {
    return this.cache.get(leaseId);
  }

  forget(leaseId: string): void {
    this.cache.delete(leaseId);
  }

  /** Fetches what is due (not while the page is hidden); `force` skips the few seconds between scans. */
  refresh(force = false): void {
    if (this.inFlight || document.hidden || (!force && Date.now() < this.nextScan)) return;
    this.nextScan = Date.now() + 5000;
    const cutoff = Date.now() - SPEND_REFRESH_MS;
    const due = [...this.rows.values()].filter((r) => r.lease.state === 'active' && (this.cache.get(r.lease.lease_id)?.fetchedAt ?? -Infinity) <= cutoff);
    if (!due.length) return;
    this.inFlight = true;
    const worker = async (): Promise<void> => {
      for (let row = due.shift(); row; row = due.shift()) {
        const id = row.lease.lease_id;
        const r = await call(() => this.api.keyInfo(id), { reachesProxy: true });
        const info: SpendInfo = r.ok ? { spend: r.value.spend, max_budget: r.value.max_budget, error: null } : { spend: 0, max_budget: null, error: SPEND_PROBLEM[r.error.kind] ?? r.error.message };
        this.cache.set(id, { ...info, fetchedAt: Date.now() });
        this.rows.get(id)?.showSpend(info);
      }
    };
    void Promise.all(Array.from({ length: SPEND_CONCURRENCY }, worker)).finally(() => {
      this.inFlight = false;
    });
  }
}
