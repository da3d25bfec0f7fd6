// The Vault/OpenBao simulator: a node:http server on 127.0.0.1 (ephemeral port) with its own clock. Each request:
// control API? → /v1/ → health → sealed? → due expiries → namespace → fault → token → policy → route → JSON reply.
// Expiry is driven on each request and on the control call `tick`, so tests move the clock and then see revocations.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SimClock } from '../sim/clock.js';
import { handleVaultControl } from './vault-control.js';
import { LeaseStore } from './leases.js';
import { LiteLLMEngine } from './litellm-engine.js';
import type { MountConfig } from './litellm-engine.js';
import { OidcProvider } from './oidc.js';
import type { OidcRole } from './oidc.js';
import { allowed, DEFAULT_POLICY, developerPolicy } from './policies.js';
import type { Capability, PolicyRule } from './policies.js';
import { isLoginPath, route } from './routes.js';
import type { Operation } from './routes.js';
import { TokenStore } from './tokens.js';
import { base62, multierror, permissionDenied, sealedError, VaultHttpError } from './wire.js';
import type { VaultReply } from './wire.js';

export interface VaultUser {
  password: string;
  policies: string[];
  ttl: number;
  max_ttl: number;
}

export interface VaultFault {
  /** Path prefix relative to the namespace (e.g. `sys/leases/renew`, `litellm/creds/`). */
  path: string;
  status: number;
  errors: string[];
  /** How many requests it answers; Infinity = until cleared. */
  count: number;
}

export interface VaultSimOptions {
  /** The LiteLLM simulator (or proxy) the engine issues keys on. */
  litellmUrl: string;
  litellmAdminKey?: string;
  /** Engine mount name. Default `litellm`. */
  mount?: string;
  defaultLeaseTtl?: number;
  maxLeaseTtl?: number;
  roles?: MountConfig['roles'];
  /** Namespaces (OpenBao/Enterprise), each with its own copy of the engine mount. */
  namespaces?: string[];
  startMs?: number;
  realTime?: boolean;
  /** The root token's id. Default random. */
  rootToken?: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  namespace: string;
  status: number;
}

const CAPABILITY: Record<Operation, Capability> = { read: 'read', list: 'list', update: 'update', delete: 'delete' };

export class VaultSimulator {
  readonly clock: SimClock;
  readonly tokens: TokenStore;
  readonly leases: LeaseStore;
  readonly oidc: OidcProvider;
  readonly users = new Map<string, VaultUser>();
  readonly policies = new Map<string, PolicyRule[]>();
  readonly deniedPaths = new Set<string>();
  readonly faults: VaultFault[] = [];
  readonly requestLog: RequestLogEntry[] = [];
  readonly rootToken: string;
  readonly mount: string;
  sealed = false;
  /** Requests being handled now (a killed client's request runs on to its end, as on a real server). */
  inFlight = 0;
  /** Wire drift on purpose: answer JSON with this Content-Type instead (the hvac check must then fail). */
  jsonContentType = 'application/json';
  url = '';
  private readonly engines = new Map<string, LiteLLMEngine>();
  private readonly namespaceIds = new Map<string, string>();
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(opts: VaultSimOptions) {
    this.clock = new SimClock(opts.startMs ?? Date.parse('2026-01-01T00:00:00Z'), opts.realTime === true);
    const now = () => this.clock.now();
    this.tokens = new TokenStore(now);
    this.leases = new LeaseStore(now);
    this.oidc = new OidcProvider(now, () => this.url);
    this.mount = opts.mount ?? 'litellm';
    this.policies.set('default', DEFAULT_POLICY);
    this.policies.set('keyfob-developer', developerPolicy(this.mount));
    for (const ns of ['', ...(opts.namespaces ?? [])]) {
      if (ns) this.namespaceIds.set(ns, base62(5));
      this.engines.set(ns ? `${ns}/${this.mount}` : this.mount, new LiteLLMEngine({
        litellmUrl: opts.litellmUrl, litellmAdminKey: opts.litellmAdminKey ?? 'sk-admin', defaultLeaseTtl: opts.defaultLeaseTtl ?? 3600,
        maxLeaseTtl: opts.maxLeaseTtl ?? 86400, roles: structuredClone(opts.roles ?? {}),
      }));
    }
    this.rootToken = this.tokens.create({ id: opts.rootToken, policies: ['root'], path: 'auth/token/root', displayName: 'root', ttlSeconds: 0, maxTtlSeconds: 0 }).id;
  }

  static async start(opts: VaultSimOptions): Promise<VaultSimulator> {
    const sim = new VaultSimulator(opts);
    await sim.listen();
    return sim;
  }

  /** The engine of a namespace (`''` = root). */
  engine(namespace = ''): LiteLLMEngine {
    const engine = this.engines.get(namespace ? `${namespace}/${this.mount}` : this.mount);
    if (!engine) throw new RangeError(`no namespace ${namespace}`);
    return engine;
  }

  engineFor(namespace: string, path: string): { prefix: string; engine: LiteLLMEngine } | null {
    const first = path.split('/')[0] ?? '';
    const engine = this.engines.get(namespace ? `${namespace}/${first}` : first);
    return engine ? { prefix: first, engine } : null;
  }

  namespaceId(namespace: string): string | null {
    return this.namespaceIds.get(namespace) ?? null;
  }

  addUser(name: string, user: Partial<VaultUser> & { password: string }): void {
    this.users.set(name.toLowerCase(), { policies: ['keyfob-developer'], ttl: 3600, max_ttl: 86400, ...user });
  }

  addOidcRole(name: string, role: Partial<OidcRole>): void {
    this.oidc.roles.set(name, { allowed_redirect_uris: ['http://localhost:8250/oidc/callback'], policies: ['keyfob-developer'], ttl: 3600, max_ttl: 86400, ...role });
  }

  /** A token with these policies and `default` (as Vault adds it), straight from the token store (`vault token create`). */
  createToken(policies: string[], ttlSeconds = 3600, maxTtlSeconds = 86400): string {
    return this.tokens.create({ policies: [...new Set(['default', ...policies])], path: 'auth/token/create', displayName: 'token', ttlSeconds, maxTtlSeconds }).id;
  }

  /** Revokes the token, its children, and every lease they created (the leases first, as RevokeByToken does). */
  async revokeToken(id: string): Promise<void> {
    const tree = this.tokens.revokeTree(id);
    const ids = new Set(tree.map((t) => t.id));
    for (const lease of this.leases.ownedBy(ids)) await this.leases.revoke(lease.id).catch(() => undefined);
  }

  /** Revokes every lease and token whose TTL has passed on the sim clock. */
  async expireDue(): Promise<void> {
    for (const lease of this.leases.due()) await this.leases.revoke(lease.id).catch(() => undefined);
    for (const token of this.tokens.due()) await this.revokeToken(token.id);
  }

  /** Moves the clock and runs what became due. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await this.expireDue();
  }

  requestsTo(pathPrefix: string): number {
    return this.requestLog.filter((r) => r.path.startsWith(pathPrefix)).length;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
      this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    try {
      await this.answer(req, res);
    } finally {
      this.inFlight--;
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    let reply: VaultReply;
    try {
      if (url.pathname.startsWith('/__vault/')) reply = await handleVaultControl(this, method, url.pathname.slice('/__vault/'.length), parseJson(raw));
      else if (url.pathname === '/idp/authorize') reply = this.idp(url.searchParams);
      else reply = await this.vaultRequest(req, method, url, raw);
    } catch (e) {
      reply = e instanceof VaultHttpError ? e.toReply() : { status: 500, body: { errors: [multierror(String(e))] } };
    }
    send(res, reply, this.jsonContentType);
  }

  private idp(query: URLSearchParams): VaultReply {
    const answer = this.oidc.authorize(query);
    if ('location' in answer) return { status: 302, headers: { Location: answer.location, 'Content-Type': 'text/html' }, body: '' };
    return { status: answer.status, headers: { 'Content-Type': 'text/plain' }, body: answer.text };
  }

  private async vaultRequest(req: IncomingMessage, method: string, url: URL, raw: Buffer): Promise<VaultReply> {
    if (!url.pathname.startsWith('/v1/')) return { status: 404, body: { errors: [] } };
    const full = url.pathname.slice('/v1/'.length);
    const header = String(req.headers['x-vault-namespace'] ?? '').replace(/^\/+|\/+$/g, '');
    if (full === 'sys/health') return { status: this.sealed ? 503 : 200, body: this.health() };
    if (full === 'sys/seal-status') return { status: 200, body: { type: 'shamir', initialized: true, sealed: this.sealed, t: 1, n: 1, progress: 0, version: '2.6.2' } };
    if (this.sealed) throw sealedError();
    await this.expireDue();
    const { namespace, path } = this.resolveNamespace(header === 'root' ? '' : header, full);
    const log: RequestLogEntry = { method, path, namespace, status: 0 };
    this.requestLog.push(log);
    const reply = await this.dispatch(req, method, url, raw, namespace, path).catch((e: unknown) => {
      if (e instanceof VaultHttpError) return e.toReply();
      throw e;
    });
    log.status = reply.status;
    return namespace ? { ...reply, headers: { ...reply.headers, 'X-Vault-Namespace': `${namespace}/` } } : reply;
  }

  private async dispatch(req: IncomingMessage, method: string, url: URL, raw: Buffer, namespace: string, path: string): Promise<VaultReply> {
    const fault = this.faults.find((f) => f.count > 0 && path.startsWith(f.path));
    if (fault) {
      fault.count -= 1;
      return { status: fault.status, body: { errors: fault.errors } };
    }
    const listFlag = ['true', '1', 't', 'True', 'TRUE', 'T'].includes(url.searchParams.get('list') ?? '');
    const op: Operation | null = method === 'LIST' || (method === 'GET' && listFlag) ? 'list'
      : method === 'GET' ? 'read' : method === 'PUT' || method === 'POST' ? 'update' : method === 'DELETE' ? 'delete' : null;
    if (op === null) throw new VaultHttpError(405, [multierror('unsupported operation')]);
    const body = parseJson(raw);
    if (raw.length > 0 && body === undefined) throw new VaultHttpError(400, ['failed to parse JSON input: invalid character']);
    const tokenId = tokenFrom(req);
    const token = this.tokens.get(tokenId);
    if (!isLoginPath(path)) {
      if (!token) throw permissionDenied();
      const selfPath = path === 'auth/token/lookup-self' || path === 'auth/token/renew-self' || path === 'auth/token/revoke-self';
      const policyPath = /^sys\/leases\/(renew|revoke|lookup)$/.test(path) || selfPath ? path : path.replace(/\/$/, '');
      const cap = CAPABILITY[op];
      const denied = [...this.deniedPaths].some((p) => path.startsWith(p));
      if (denied || !allowed(token.policies, this.policies, policyPath, cap)) throw permissionDenied();
    }
    return route(this, { op, path, namespace, query: url.searchParams, body: (body ?? {}) as Record<string, unknown>, token });
  }

  private resolveNamespace(header: string, full: string): { namespace: string; path: string } {
    if (header && !this.namespaceIds.has(header)) throw new VaultHttpError(404, ['namespace not found']);
    const joined = header ? `${header}/${full}` : full;
    const match = [...this.namespaceIds.keys()].filter((ns) => joined.startsWith(`${ns}/`)).sort((a, b) => b.length - a.length)[0];
    return match ? { namespace: match, path: joined.slice(match.length + 1) } : { namespace: '', path: joined };
  }

  private health(): Record<string, unknown> {
    return { initialized: true, sealed: this.sealed, standby: false, performance_standby: false, server_time_utc: Math.floor(this.clock.now() / 1000), version: '2.6.2', cluster_name: 'vault-sim' };
  }
}

function tokenFrom(req: IncomingMessage): string | undefined {
  const header = req.headers['x-vault-token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.alloc(0)));
  });
}

/** Vault's replies: `application/json`, ending with a newline; a 204 has no body. */
function send(res: ServerResponse, reply: VaultReply, jsonContentType: string): void {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  if (typeof reply.body === 'string') {
    res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...headers }).end(reply.body);
    return;
  }
  res.writeHead(reply.status, { 'Content-Type': jsonContentType, ...headers }).end(`${JSON.stringify(reply.body)}\n`);
}
