// The simulator's public types (re-exported by index.ts). Other suites code against these names.

export type SimFlavor = 'current' | 'older';

export interface SimOptions {
  /** Default 0: an ephemeral port. The host is always 127.0.0.1. */
  port?: number;
  /** Default 'sk-admin'. */
  masterKey?: string;
  /** Default 'current'. */
  flavor?: SimFlavor;
  /** Default true; false plays a proxy started without a database ("DB not connected"). */
  database?: boolean;
  /** Default ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4']. */
  models?: string[];
  /** USD added to a key's spend per /chat/completions call. Default 0.01. */
  completionCost?: number;
  /** The server clock's initial epoch ms. Default Date.now(). */
  startTime?: number;
  /**
   * Default false: the server clock stands still and moves only by `clock.advance`/`clock.set` (tests).
   * true: it also follows wall time (`npm run sim`, demos), so a "30s" key really expires after 30 s.
   */
  realTime?: boolean;
  /** Called after each logged request is answered (or dropped): the CLI prints these. */
  onRequest?: (entry: SimRequestLogEntry) => void;
}

/** One row of the simulated database, as tests see it (datetimes as ISO-8601 `Z`, millisecond precision). */
export interface SimKey {
  token: string;
  key_name: string;
  key_alias: string | null;
  expires: string | null;
  models: string[];
  max_budget: number | null;
  spend: number;
  blocked: boolean;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  updated_by: string | null;
  user_id: string | null;
  team_id: string | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_parallel_requests: number | null;
  budget_duration: string | null;
  budget_reset_at: string | null;
  aliases: Record<string, unknown>;
  config: Record<string, unknown>;
  permissions: Record<string, unknown>;
  allowed_cache_controls: unknown[];
  budget_id: string | null;
}

export type SimFault =
  /** Every call to the route waits `ms` (real time) before it is processed, until cleared. */
  | { kind: 'latency'; ms: number }
  /** The next `count` calls (default 1; Infinity ok) answer `status` without being processed. */
  | { kind: 'fail'; status: number; count?: number; body?: string; contentType?: 'json' | 'text' }
  /**
   * The next `count` calls get their socket destroyed without an answer. With `afterProcessing`, the request is
   * processed first (a generated key exists) and only the answer is lost.
   */
  | { kind: 'reset'; count?: number; afterProcessing?: boolean }
  /** The next `count` calls are never answered (until the client gives up or close()). */
  | { kind: 'hang'; count?: number };

export interface SimRequestLogEntry {
  /** Server clock (epoch ms) when the request arrived. */
  time: number;
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body (key material redacted), the raw text if it was not read as JSON, or null when empty. */
  body: unknown;
  /** null while unanswered, and for requests that were reset or hung. */
  status: number | null;
  auth: 'master' | 'virtual' | 'none' | 'invalid';
}
