// What a route handler sees: the database, the clock and the switches tests flip at runtime.
import type { IncomingHttpHeaders } from 'node:http';
import type { SimClock } from './clock.js';
import type { KeyStore } from './key-store.js';
import type { SimResponse } from './responses.js';
import type { SimFlavor } from './types.js';

export interface SimState {
  readonly store: KeyStore;
  readonly clock: SimClock;
  readonly flavor: SimFlavor;
  readonly databaseConnected: boolean;
  readonly masterKey: string;
  readonly models: readonly string[];
  readonly completionCost: number;
  /** The status for an invalid duration: the flavor's, unless a test plays the proposed 400. */
  readonly durationErrorStatus: number;
  /** "Now" in epoch microseconds: the server clock's millisecond plus a sub-millisecond part, as a real server has. */
  nowUs(): number;
}

export interface RouteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or undefined when the request had no body. */
  body: unknown;
}

/** Handlers are synchronous: a request is either fully applied to the database or not at all. */
export type RouteHandler = (req: RouteRequest, state: SimState) => SimResponse;
