// The simulator: a node:http server on 127.0.0.1 that answers like a LiteLLM proxy, plus the hooks tests drive it by
// (clock, faults, holds, request log). Each request goes: read → log → latency → counted fault → handle → hold → answer.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { redactKeys } from '../../main/core/errors.js';
import { classifyCaller } from './auth.js';
import { SimClock } from './clock.js';
import { handleControl, isControlPath } from './control-api.js';
import { ANY_ROUTE, FaultTable } from './faults.js';
import { FLAVOR_RULES } from './flavors.js';
import { isExpired, KeyStore, toSimKey } from './key-store.js';
import { redactDeep, redactQuery } from './request-log.js';
import { errorTypeForStatus, proxyErrorBody, SimHttpError, validationError } from './responses.js';
import type { SimResponse } from './responses.js';
import { KNOWN_ROUTES, route } from './router.js';
import type { RouteRequest, SimState } from './state.js';
import type { SimFault, SimFlavor, SimKey, SimOptions, SimRequestLogEntry } from './types.js';

const HOST = '127.0.0.1';
const DEFAULT_MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4'];
const MAX_BODY_BYTES = 10 * 1024 * 1024;

interface HoldWaiter {
  route: string;
  resolve: (hold: { release(): void }) => void;
}

type ParsedBody =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid'; text: string }
  /** Sent with a content type FastAPI does not parse as JSON. */
  | { kind: 'text'; text: string };

function declaresJson(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'));
}

function parseBody(raw: Buffer): ParsedBody {
  if (raw.length === 0) return { kind: 'none' };
  const text = raw.toString('utf8');
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'invalid', text };
  }
}

/** FastAPI's answer to a body that is not JSON, before any dependency (auth included) runs. */
function jsonDecodeError(): SimResponse {
  return validationError([{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: 'Expecting value' } }]).response;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class Simulator implements SimState {
  readonly url: string;
  readonly port: number;
  readonly clock: SimClock;
  /** Settable at runtime: the next request is answered the other release's way. */
  flavor: SimFlavor;
  /** Settable at runtime: false plays a lost database. */
  databaseConnected: boolean;
  /** Settable at runtime: key rotation on the proxy. */
  masterKey: string;
  /** null: the flavor's status for an invalid duration (500). 400 plays the page's "proposed" releases. */
  invalidDurationStatus: 400 | 500 | null = null;
  readonly models: readonly string[];
  readonly completionCost: number;
  readonly store = new KeyStore();
  /** Every proxy request (never the /__sim/ control calls), oldest first, key material redacted. */
  readonly requests: SimRequestLogEntry[] = [];

  private readonly server: Server;
  private readonly faults = new FaultTable();
  private readonly holdWaiters: HoldWaiter[] = [];
  private readonly heldReleases = new Set<() => void>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly onRequestLogged: ((entry: SimRequestLogEntry) => void) | undefined;
  private peak = 0;
  private microCounter = 0;
  private closed = false;

  private constructor(server: Server, port: number, opts: SimOptions) {
    this.server = server;
    this.port = port;
    this.url = `http://${HOST}:${port}`;
    this.clock = new SimClock(opts.startTime ?? Date.now(), opts.realTime ?? false);
    this.flavor = opts.flavor ?? 'current';
    this.databaseConnected = opts.database ?? true;
    this.masterKey = opts.masterKey ?? 'sk-admin';
    this.models = [...(opts.models ?? DEFAULT_MODELS)];
    this.completionCost = opts.completionCost ?? 0.01;
    this.onRequestLogged = opts.onRequest;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.peak = Math.max(this.peak, this.sockets.size);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.serve(req, res).catch((e: unknown) => this.crash(res, e));
    });
  }

  static async start(opts: SimOptions = {}): Promise<Simulator> {
    const server = createServer({ keepAliveTimeout: 5_000 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new Simulator(server, (server.address() as AddressInfo).port, opts);
  }

  get durationErrorStatus(): number {
    return this.invalidDurationStatus ?? FLAVOR_RULES[this.flavor].invalidDurationStatus;
  }

  /** The server clock's millisecond plus a sub-millisecond part that never changes what `Date.parse` reads. */
  nowUs(): number {
    this.microCounter += 1;
    return this.clock.now() * 1000 + 1 + ((this.microCounter * 397) % 999);
  }

  fault(route: string, fault: SimFault): void {
    this.faults.add(route, fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Holds the next request to `route` ('*' = any): it is processed (a generated key exists) but not answered until
   * release(). Resolves when that request has arrived and been processed.
   */
  hold(route: string): Promise<{ release(): void }> {
    return new Promise((resolve) => this.holdWaiters.push({ route, resolve }));
  }

  clearRequests(): void {
    this.requests.splice(0, this.requests.length);
  }

  /** What the database holds: expired keys included, deleted ones not. */
  keys(): SimKey[] {
    return this.store.all().map(toSimKey);
  }

  /** Keys a client could still use: not expired at the server clock, not deleted. */
  liveKeys(): SimKey[] {
    const now = this.clock.now();
    return this.store.all().filter((row) => !isExpired(row, now)).map(toSimKey);
  }

  /** The most sockets open at once since start (or the last reset). */
  get peakConnections(): number {
    return this.peak;
  }

  /** Sockets open right now (keep-alive ones included). */
  get openConnections(): number {
    return this.sockets.size;
  }

  resetPeakConnections(): void {
    this.peak = this.sockets.size;
  }

  /** Stops listening and destroys every socket, hung and held ones included. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [timer, wake] of this.timers) {
      clearTimeout(timer);
      wake();
    }
    this.timers.clear();
    for (const release of this.heldReleases) release();
    this.heldReleases.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    let parsed = parseBody(raw);
    if (isControlPath(url.pathname)) {
      this.send(res, handleControl(this, method, url.pathname, url.searchParams, parsed.kind === 'json' ? parsed.value : undefined), null);
      return;
    }
    // FastAPI parses a body as JSON only without a content type or with a JSON one; anything else reaches pydantic as
    // raw text (a 422). The proxy reads /chat/completions bodies itself, whatever the header says.
    const readsAsJson = declaresJson(req.headers['content-type']) || url.pathname.endsWith('/chat/completions');
    if (parsed.kind !== 'none' && !readsAsJson) parsed = { kind: 'text', text: raw.toString('utf8') };
    const request: RouteRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: parsed.kind === 'json' ? parsed.value : parsed.kind === 'text' ? parsed.text : undefined,
    };
    const entry: SimRequestLogEntry = {
      time: this.clock.now(),
      method,
      path: url.pathname,
      query: redactQuery(url.searchParams),
      body: parsed.kind === 'json' ? redactDeep(parsed.value) : parsed.kind === 'none' ? null : redactKeys(parsed.text),
      status: null,
      auth: classifyCaller(request, this),
    };
    this.requests.push(entry);

    const latency = this.faults.latencyFor(url.pathname);
    if (latency > 0) await this.sleep(latency);
    if (this.closed) return;

    const fault = this.faults.take(url.pathname);
    if (fault?.kind === 'hang') return this.logged(entry);
    if (fault?.kind === 'reset' && !fault.afterProcessing) return this.reset(req, entry);
    if (fault?.kind === 'fail') return this.send(res, this.failure(fault), entry);

    const response = parsed.kind === 'invalid' && method === 'POST' && KNOWN_ROUTES.includes(url.pathname)
      ? jsonDecodeError()
      : this.handle(request);
    if (fault?.kind === 'reset') return this.reset(req, entry);

    const waiter = this.takeHoldWaiter(url.pathname);
    if (waiter) {
      await new Promise<void>((released) => {
        const release = () => {
          this.heldReleases.delete(release);
          released();
        };
        this.heldReleases.add(release);
        waiter.resolve({ release });
      });
      if (this.closed) return;
    }
    this.send(res, response, entry);
  }

  private handle(request: RouteRequest): SimResponse {
    try {
      return route(request.method, request.path)(request, this);
    } catch (e) {
      if (e instanceof SimHttpError) return e.response;
      throw e;
    }
  }

  private failure(fault: Extract<SimFault, { kind: 'fail' }>): SimResponse {
    if (fault.contentType === 'text') return { status: fault.status, text: fault.body ?? 'Internal Server Error' };
    if (fault.body !== undefined) return { status: fault.status, text: fault.body, contentType: 'application/json' };
    const body = proxyErrorBody(this.flavor, fault.status, errorTypeForStatus(fault.status), `Simulated failure (HTTP ${fault.status})`);
    return { status: fault.status, body, headers: fault.status === 429 ? { 'retry-after': '1' } : {} };
  }

  private takeHoldWaiter(path: string): HoldWaiter | undefined {
    const index = this.holdWaiters.findIndex((w) => w.route === path || w.route === ANY_ROUTE);
    return index < 0 ? undefined : this.holdWaiters.splice(index, 1)[0];
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  /** A TCP reset: the client sees ECONNRESET, never an HTTP answer. */
  private reset(req: IncomingMessage, entry: SimRequestLogEntry): void {
    req.socket.resetAndDestroy();
    this.logged(entry);
  }

  private logged(entry: SimRequestLogEntry): void {
    this.onRequestLogged?.(entry);
  }

  private send(res: ServerResponse, response: SimResponse, entry: SimRequestLogEntry | null): void {
    if (entry) entry.status = response.status;
    if (!res.destroyed && !res.headersSent) {
      const payload = response.text ?? JSON.stringify(response.body ?? null);
      const contentType = response.text !== undefined
        ? response.contentType ?? 'text/plain; charset=utf-8'
        : response.contentType ?? 'application/json';
      res.writeHead(response.status, {
        'content-type': contentType,
        'content-length': Buffer.byteLength(payload),
        'x-litellm-version': FLAVOR_RULES[this.flavor].version,
        ...response.headers,
      });
      res.end(payload);
    }
    if (entry) this.logged(entry);
  }

  /** An exception the handlers did not mean: the proxy's unhandled-exception answer, text/plain 500. */
  private crash(res: ServerResponse, e: unknown): void {
    console.error(`LiteLLM simulator: unhandled error: ${redactKeys(e instanceof Error ? e.stack ?? e.message : String(e))}`);
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Internal Server Error');
    }
  }
}

export function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  return Simulator.start(opts);
}
