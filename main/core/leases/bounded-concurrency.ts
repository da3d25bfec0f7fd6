// Runs many proxy calls with a ceiling on how many are in flight: reconciling 1,000 stale leases must not open
// 1,000 sockets at once, and a quit with a deadline must stop starting new calls once the deadline has passed.

export const DEFAULT_CONCURRENCY = 8;

export interface BoundedOptions {
  /** Most tasks in flight at once (at least 1). */
  limit?: number;
  /** Once this returns true no further task starts; tasks already running finish on their own. */
  stopped?: () => boolean;
}

/**
 * Calls `task` for every item, at most `limit` at a time, and resolves when every started task has settled.
 * The result keeps the input order: a settled result per item, or `undefined` for items never started.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  opts: BoundedOptions = {},
): Promise<Array<PromiseSettledResult<R> | undefined>> {
  const limit = Math.max(1, Math.floor(opts.limit ?? DEFAULT_CONCURRENCY));
  const results: Array<PromiseSettledResult<R> | undefined> = new Array<PromiseSettledResult<R> | undefined>(items.length).fill(undefined);
  let next = 0;

  const worker = async (): Promise<void> => {
    for (;;) {
      if (opts.stopped?.()) return;
      const index = next++;
      if (index >= items.length) return;
      try {
        results[index] = { status: 'fulfilled', value: await task(items[index] as T, index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}
