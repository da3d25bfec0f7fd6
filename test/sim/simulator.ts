// The simulator: a node:http server on 127.0.0.1 that answers like a LiteLLM proxy, plus the hooks tests drive it by
// (clock, faults, holds, request log). Each request goes: read → log → latency → counted fault → handle → hold → answer.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { redactKeys } from '../../main/core/errors.js';
import { randomBytes } from 'node:crypto';
import { classifyCaller } from './auth.js';
import { SimClock } from './clock.js';
import { handleControl, isControlPath } from './control-api.js';
import { Directory } from './directory.js';
import { ERA_RULES, eraOf } from './eras.js';
import type { EraRules } from './eras.js';
import { ANY_ROUTE, FaultTable } from './faults.js';
import { KeyCache } from './key-cache.js';
import { hashKey, isExpired, KeyStore, keyName, newPlaintextKey, toSimKey } from './key-store.js';
import type { KeyRecord } from './key-store.js';
import { addDuration } from './duration.js';
import { flushSpend } from './spend-flush.js';
import { SsoState } from './sso-state.js';
import { LaterReleases } from './later-releases.js';
import { redactDeep, redactQuery } from './request-log.js';
import { errorTypeForStatus, NOT_FOUND, proxyErrorBody, SimHttpError, validationError } from './responses.js';
import type { SimResponse } from './responses.js';
import { KNOWN_ROUTES, route } from './router.js';
import type { RouteRequest, SimConfig, SimState } from './state.js';
import type { SimEra, SimFault, SimFlavor, SimKey, SimOptions, SimRequestLogEntry, SimTeam, SimUser } from './types.js';

const DEFAULT_HOST = '127.0.0.1';

/** Loopback only: 127.0.0.0/8, so a second, hostile proxy can live on 127.0.0.2. */
function loopbackHost(host: string): string {
  if (!/^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(host) || host.split('.').some((part) => Number(part) > 255)) {
    throw new RangeError(`host must be a 127.0.0.0/8 address, got ${host}`);
  }
  return host;
}
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
  /** Settable at runtime: the next request is answered the way this era's releases answer. */
  era: SimEra;
  /** The proxy's config (root path, auth header, timezone, key cache, generate limits, key_generation_settings). */
  readonly config: SimConfig;
  /** The user and team tables (roles, team membership); fill them with addUser/addTeam. */
  readonly directory = new Directory();
  readonly keyCache = new KeyCache();
  /** The native CLI sign-in: `sso.release` says which (default `none`, the routes 404). */
  readonly sso = new SsoState();
  /** LiteLLM after v1.83 (`later.release = '1.101.0'`; scimDeprovision, removeTeamMember): later-releases.ts. */
  readonly later = new LaterReleases();
  /** Settable at runtime: false plays a lost database. */
  databaseConnected: boolean;
  /** Settable at runtime: key rotation on the proxy. */
  masterKey: string;
  /** null: the released status for an invalid generate duration (500). 400 plays the page's "proposed" releases. */
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

  private constructor(server: Server, host: string, port: number, opts: SimOptions) {
    this.server = server;
    this.port = port;
    this.url = `http://${host}:${port}`;
    this.clock = new SimClock(opts.startTime ?? Date.now(), opts.realTime ?? false);
    this.era = opts.era ?? eraOf(opts.flavor ?? 'N3');
    this.config = {
      rootPath: normaliseRootPath(opts.rootPath ?? ''),
      noMasterKey: opts.noMasterKey ?? false,
      keyHeaderName: opts.keyHeaderName ?? null,
      timezone: opts.timezone ?? 'UTC',
      listRejectsFullObject: opts.listRejectsFullObject ?? false,
      keyCacheTtlMs: opts.keyCacheTtlMs ?? 0,
      upperboundKeyGenerateParams: opts.upperboundKeyGenerateParams ?? null,
      defaultKeyGenerateParams: opts.defaultKeyGenerateParams ?? null,
      keyGenerationSettings: opts.keyGenerationSettings ?? null,
      generateOmitsToken: opts.generateOmitsToken ?? false,
      updateUnknownKeyDelayMs: nonNegative('updateUnknownKeyDelayMs', opts.updateUnknownKeyDelayMs ?? 0),
      spendFlushMs: nonNegative('spendFlushMs', opts.spendFlushMs ?? 0),
      budgetResetJobMs: nonNegative('budgetResetJobMs', opts.budgetResetJobMs ?? 0),
      readinessFails: opts.readinessFails ?? false,
    };
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
    const host = loopbackHost(opts.host ?? DEFAULT_HOST);
    const server = createServer({ keepAliveTimeout: 5_000 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new Simulator(server, host, (server.address() as AddressInfo).port, opts);
  }

  get rules(): EraRules {
    return ERA_RULES[this.era];
  }

  get version(): string {
    return this.era === 'L' && this.config.listRejectsFullObject ? '1.61.1' : this.rules.version;
  }

  /** @deprecated use `era`. Reads the era; accepts an era or `current` (N3) / `older` (N). */
  get flavor(): SimEra {
    return this.era;
  }

  set flavor(value: SimFlavor) {
    this.era = eraOf(value);
  }

  /** The base URL a client is given: `url` plus the root path. */
  get baseUrl(): string {
    return this.url + this.config.rootPath;
  }

  get durationErrorStatus(): number {
    return this.invalidDurationStatus ?? 500;
  }

  addUser(user: SimUser): SimUser {
    return this.directory.addUser(user);
  }

  addTeam(team: SimTeam): SimTeam {
    return this.directory.addTeam(team);
  }

  /**
   * Puts a key straight into the database, as an admin would have created it (for callers with a role: give the key
   * a `user_id` added with addUser). Answers the plaintext and the hash.
   */
  addKey(fields: Partial<Pick<KeyRecord, 'key_alias' | 'user_id' | 'team_id' | 'models' | 'max_budget' | 'metadata' | 'blocked'>>
    & { key?: string; duration?: string } = {}): { key: string; token: string } {
    const key = fields.key ?? newPlaintextKey();
    const nowUs = this.nowUs();
    const { key: _key, duration, ...rest } = fields;
    const expiresUs = duration === undefined ? null : addDuration(nowUs, duration);
    const row: KeyRecord = {
      token: hashKey(key), key_name: keyName(key), key_alias: null, spend: 0, max_budget: null, expiresUs, models: [],
      metadata: {}, blocked: null, tpm_limit: null, rpm_limit: null, max_parallel_requests: null, budget_duration: null,
      budgetResetAtUs: null, team_id: null, user_id: null, aliases: {}, config: {}, permissions: {},
      allowed_cache_controls: [], budget_id: null, createdAtUs: nowUs, updatedAtUs: nowUs, created_by: 'default_user_id',
      updated_by: 'default_user_id', ...structuredClone(rest),
    };
    this.store.insert(row);
    return { key, token: row.token };
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
    flushSpend(this);
    return this.store.all().map(toSimKey);
  }

  /** Keys a client could still use: not expired at the server clock, not deleted. */
  liveKeys(): SimKey[] {
    flushSpend(this);
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
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    let parsed = parseBody(raw);
    if (isControlPath(url.pathname)) {
      this.send(res, handleControl(this, method, url.pathname, url.searchParams, parsed.kind === 'json' ? parsed.value : undefined), null);
      return;
    }
    // SERVER_ROOT_PATH: routes live under the root path only; the route path is what faults, holds and handlers see.
    const routePath = this.routePath(url.pathname);
    // FastAPI parses a body as JSON only without a content type or with a JSON one; anything else reaches pydantic as
    // raw text (a 422). The proxy reads /chat/completions bodies itself, whatever the header says.
    const readsAsJson = declaresJson(req.headers['content-type']) || url.pathname.endsWith('/chat/completions');
    if (parsed.kind !== 'none' && !readsAsJson) parsed = { kind: 'text', text: raw.toString('utf8') };
    const request: RouteRequest = {
      method,
      path: routePath ?? url.pathname,
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
    if (routePath === null) return this.send(res, NOT_FOUND, entry);

    const latency = this.faults.latencyFor(routePath);
    if (latency > 0) await this.sleep(latency);
    if (this.closed) return;

    const fault = this.faults.take(routePath);
    if (fault) entry.fault = fault.kind;
    switch (fault?.kind) {
      case 'hang':
        return this.logged(entry);
      case 'reset':
        if (!fault.afterProcessing) return this.reset(req, entry);
        break;
      case 'fail':
        return this.send(res, this.failure(fault), entry);
      case 'escapes':
        return this.send(res, this.escapes(fault.status ?? 400), entry);
      case 'redirect':
        return this.send(res, { status: fault.status ?? 307, text: '', headers: { location: fault.location } }, entry);
      case 'huge':
        return this.streamHuge(res, fault.megabytes, entry);
      default:
        break;
    }

    let response = parsed.kind === 'invalid' && method === 'POST' && KNOWN_ROUTES.includes(routePath)
      ? jsonDecodeError()
      : this.handle(request);
    if (fault?.kind === 'reset') return this.reset(req, entry);
    if (fault?.kind === 'wrong-token') response = this.withWrongToken(response, fault.token ?? this.tokenOfAlias(fault.alias));

    const waiter = this.takeHoldWaiter(routePath);
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
    if (fault?.kind === 'drip') return this.drip(res, response, fault.intervalMs, entry);
    this.send(res, response, entry);
  }

  /** The route a request path names under the root path, or null when it lies outside it. */
  private routePath(path: string): string | null {
    const root = this.config.rootPath;
    if (!root) return path;
    if (path === root) return '/';
    return path.startsWith(`${root}/`) ? path.slice(root.length) : null;
  }

  /** An error whose text would drive a terminal: colours, a window-title OSC and an OSC 8 hyperlink. */
  private escapes(status: number): SimResponse {
    const message = 'Authentication Error, \u001b[31mkey rejected\u001b[0m\u001b]0;pwned\u0007 see \u001b]8;;http://127.0.0.2/\u0007docs\u001b]8;;\u0007\u001b[2J';
    return { status, body: proxyErrorBody(this.era, status, errorTypeForStatus(status), message) };
  }

  private tokenOfAlias(alias: string | undefined): string | undefined {
    return alias === undefined ? undefined : this.store.findByAlias(alias)[0]?.token;
  }

  /** The answer with `token`/`token_id` swapped for another key's hash (a lying proxy or a man in the middle). */
  private withWrongToken(response: SimResponse, token: string | undefined): SimResponse {
    const body = response.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return response;
    const own = (body as Record<string, unknown>).token_id;
    const other = token ?? this.store.all().find((row) => row.token !== own)?.token ?? randomBytes(32).toString('hex');
    const swapped: Record<string, unknown> = { ...body, token: other };
    if ('token_id' in swapped) swapped.token_id = other;
    return { ...response, body: swapped };
  }

  /** Headers at once, then the body one byte every `intervalMs`: a client's inactivity timeout never fires. */
  private async drip(res: ServerResponse, response: SimResponse, intervalMs: number, entry: SimRequestLogEntry): Promise<void> {
    entry.status = response.status;
    const payload = Buffer.from(this.payloadOf(response));
    res.writeHead(response.status, { ...this.headersOf(response), 'content-length': payload.length });
    res.flushHeaders();
    for (let i = 0; i < payload.length; i += 1) {
      if (this.closed || res.destroyed) return this.logged(entry);
      res.write(payload.subarray(i, i + 1));
      await this.sleep(intervalMs);
    }
    res.end();
    this.logged(entry);
  }

  /** 200 and `megabytes` MB of a `/key/list`-shaped body, written chunk by chunk as the socket drains. */
  private async streamHuge(res: ServerResponse, megabytes: number, entry: SimRequestLogEntry): Promise<void> {
    entry.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', 'x-litellm-version': this.version });
    const total = Math.floor(megabytes * 1024 * 1024);
    const item = `"${'0'.repeat(64)}",`;
    const chunk = item.repeat(Math.floor(65_536 / item.length));
    let sent = 0;
    const write = (text: string) => new Promise<void>((resolve) => {
      if (res.write(text)) resolve();
      else {
        const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
        res.once('drain', done);
        res.once('close', done);
      }
    });
    await write('{"keys":[');
    sent += 9;
    while (sent + chunk.length < total) {
      if (this.closed || res.destroyed) return this.logged(entry);
      await write(chunk);
      sent += chunk.length;
    }
    res.end('"end"],"total_count":0,"current_page":1,"total_pages":1}');
    this.logged(entry);
  }

  private handle(request: RouteRequest): SimResponse {
    flushSpend(this);
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
    const body = proxyErrorBody(this.era, fault.status, errorTypeForStatus(fault.status), `Simulated failure (HTTP ${fault.status})`);
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

  private payloadOf(response: SimResponse): string {
    return response.text ?? JSON.stringify(response.body ?? null);
  }

  private headersOf(response: SimResponse): Record<string, string> {
    const contentType = response.text !== undefined
      ? response.contentType ?? 'text/plain; charset=utf-8'
      : response.contentType ?? 'application/json';
    return { 'content-type': contentType, 'x-litellm-version': this.version, ...response.headers };
  }

  private send(res: ServerResponse, response: SimResponse, entry: SimRequestLogEntry | null): void {
    if (entry) entry.status = response.status;
    if (!res.destroyed && !res.headersSent) {
      const payload = this.payloadOf(response);
      res.writeHead(response.status, { ...this.headersOf(response), 'content-length': Buffer.byteLength(payload) });
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

function nonNegative(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be a finite number of ms >= 0, got ${ms}`);
  return ms;
}

/** '/api/v1/' → '/api/v1'; '' stays ''. */
function normaliseRootPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed && !trimmed.startsWith('/')) throw new RangeError(`rootPath must start with '/', got ${path}`);
  return trimmed;
}

export function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  return Simulator.start(opts);
}
