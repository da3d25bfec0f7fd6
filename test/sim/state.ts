// What a route handler sees: the database, the clock, the era's rules and the switches tests flip at runtime.
import type { IncomingHttpHeaders } from 'node:http';
import type { SimClock } from './clock.js';
import type { Directory } from './directory.js';
import type { EraRules } from './eras.js';
import type { KeyCache } from './key-cache.js';
import type { KeyStore } from './key-store.js';
import type { SimResponse } from './responses.js';
import type { SsoState } from './sso-state.js';
import type { LaterReleases } from './later-releases.js';
import type { SimDefaultKeyParams, SimEra, SimKeyGenerationSettings, SimKeyParamLimits } from './types.js';

/** The proxy's config file, as far as the simulator plays it. Mutable at runtime. */
export interface SimConfig {
  rootPath: string;
  /** No `master_key` configured: authentication lets everyone in as proxy_admin. */
  noMasterKey: boolean;
  keyHeaderName: string | null;
  timezone: string;
  listRejectsFullObject: boolean;
  keyCacheTtlMs: number;
  upperboundKeyGenerateParams: SimKeyParamLimits | null;
  defaultKeyGenerateParams: SimDefaultKeyParams | null;
  keyGenerationSettings: SimKeyGenerationSettings | null;
  /** Era L only: play ≤1.58, whose generate answer has no `token` field. */
  generateOmitsToken: boolean;
  /** Sim-clock ms an update of an unknown key spends in its 3 back-off retries before the 401/404. */
  updateUnknownKeyDelayMs: number;
  /** Sim-clock ms before spend charged by a model call reaches the database (budget checks, /key/info). 0: at once. */
  spendFlushMs: number;
  /**
   * Sim-clock ms between runs of the budget-reset job (LiteLLM: about 600 s). At each run, a key whose
   * `budget_reset_at` has passed gets its spend set to 0 and its next reset computed from then. 0: never reset.
   */
  budgetResetJobMs: number;
  /** `/health/readiness` answers 503 `Service Unhealthy (…)`: its DB check raised. */
  readinessFails: boolean;
}

export interface SimState {
  readonly store: KeyStore;
  readonly clock: SimClock;
  readonly era: SimEra;
  /** @deprecated the era; kept for handlers written against flavors (`FLAVOR_RULES[state.flavor]` still works). */
  readonly flavor: SimEra;
  /** ERA_RULES[era]. */
  readonly rules: EraRules;
  /** The release reported (`x-litellm-version`, readiness): the era's, or 1.61.1 for an L proxy with `listRejectsFullObject`. */
  readonly version: string;
  readonly config: SimConfig;
  /** Users and teams (the proxy's user and team tables). */
  readonly directory: Directory;
  readonly keyCache: KeyCache;
  /** The native CLI sign-in (release, clients, codes, tokens). */
  readonly sso: SsoState;
  /** The release played after v1.83 on top of the era (`later.release`, null = none). */
  readonly later: LaterReleases;
  readonly databaseConnected: boolean;
  readonly masterKey: string;
  readonly models: readonly string[];
  readonly completionCost: number;
  /** The status for an invalid generate duration: 500, unless a test plays the page's "proposed" 400. */
  readonly durationErrorStatus: number;
  /** "Now" in epoch microseconds: the server clock's millisecond plus a sub-millisecond part, as a real server has. */
  nowUs(): number;
}

export interface RouteRequest {
  method: string;
  /** The route path: the request path with the root path (`SERVER_ROOT_PATH`) taken off. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or undefined when the request had no body. */
  body: unknown;
}

/** Handlers are synchronous: a request is either fully applied to the database or not at all. */
export type RouteHandler = (req: RouteRequest, state: SimState) => SimResponse;
