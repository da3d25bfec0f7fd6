// The LiteLLM admin client (axios). Every call carries the admin key as `Authorization: Bearer`, every failure comes
// out as a KeyfobError from litellm-errors.ts, and nothing here logs or echoes a key.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import axios, { type AxiosInstance, type AxiosProxyConfig, type Method } from 'axios';
import { toLiteLLMDuration } from '../roles/index.js';
import { KeyfobError } from '../errors.js';
import type {
  ClientOptions, GenerateKeyRequest, GeneratedKey, KeyInfo, KeyListPage, LiteLLMAdmin, ProxyHealth,
} from './litellm-api.js';
import { errorFromResponse, toLiteLLMError, type LiteLLMErrorContext } from './litellm-errors.js';
import {
  normalizeExpires, parseJsonObject, readGeneratedKey, readKeyInfo, readKeyListPage, readModelIds,
} from './litellm-responses.js';
import { proxyForUrl, type OutboundProxy } from './proxy-env.js';
import { normalizeProxyUrl } from './proxy-url.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

type Env = Record<string, string | undefined>;

interface CallOptions {
  params?: Record<string, string | number | boolean>;
  data?: unknown;
  /** The call names one key: a 404 means that key is unknown. */
  keyTarget?: boolean;
  /** Extra strings to keep out of error messages (the key being handled). */
  secrets?: string[];
}

/** SHA-256 hex of a plaintext key: LiteLLM's `token`, accepted wherever a key is. */
export function tokenHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class LiteLLMClient implements LiteLLMAdmin {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private readonly adminKey: string;
  private readonly http: AxiosInstance;
  private readonly env: Env;

  /** `env` supplies HTTPS_PROXY / HTTP_PROXY / NO_PROXY (default: process.env). */
  constructor(options: ClientOptions, env: Env = process.env) {
    this.baseUrl = normalizeProxyUrl(options.baseUrl, 'url');
    this.adminKey = checkAdminKey(options.adminKey);
    this.timeoutMs = checkTimeout(options.timeoutMs);
    this.env = env;
    const httpsAgent = tlsAgent(options.caFile ?? null, options.allowInsecureTls === true);
    this.http = axios.create({
      baseURL: this.baseUrl,
      timeout: this.timeoutMs,
      headers: { Authorization: `Bearer ${this.adminKey}`, Accept: 'application/json' },
      // Raw text in, parsed here: one place decides what a body means, whatever its content type.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      // A redirect is reported (with its target), not followed: following would re-send the admin key elsewhere.
      maxRedirects: 0,
      validateStatus: (status) => status >= 200 && status < 300,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
      ...(httpsAgent ? { httpsAgent } : {}),
    });
  }

  async generateKey(req: GenerateKeyRequest): Promise<GeneratedKey> {
    const body = await this.call('POST', '/key/generate', { data: withoutUndefined(req) });
    return readGeneratedKey(body);
  }

  async renewKey(tokenOrKey: string, seconds: number): Promise<{ expires: string | null }> {
    const body = await this.call('POST', '/key/update', {
      data: { key: tokenOrKey, duration: toLiteLLMDuration(seconds) },
      keyTarget: true,
      secrets: [tokenOrKey],
    });
    return { expires: normalizeExpires(body.expires) };
  }

  async deleteKeys(target: { keys: string[] } | { key_aliases: string[] }): Promise<{ alreadyGone: boolean }> {
    const list = 'keys' in target ? target.keys : target.key_aliases;
    if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== 'string' || k === '')) {
      throw new KeyfobError('internal', 'deleteKeys needs at least one key or alias.');
    }
    try {
      await this.call('POST', '/key/delete', { data: target, keyTarget: true, secrets: 'keys' in target ? target.keys : [] });
      return { alreadyGone: false };
    } catch (e) {
      // "None found": revoking what is already gone is success (Vault's rule). A missing route is not.
      if (e instanceof KeyfobError && e.kind === 'not-found') return { alreadyGone: true };
      throw e;
    }
  }

  async keyInfo(tokenOrKey: string): Promise<KeyInfo> {
    // A query string ends up in access logs: send the hash, never a plaintext key.
    const key = tokenOrKey.startsWith('sk-') ? tokenHash(tokenOrKey) : tokenOrKey;
    const body = await this.call('GET', '/key/info', { params: { key }, keyTarget: true, secrets: [tokenOrKey] });
    return readKeyInfo(body);
  }

  async listKeys(opts: { page?: number; size?: number; key_alias?: string; return_full_object?: boolean } = {}): Promise<KeyListPage> {
    const params: Record<string, string | number | boolean> = { page: opts.page ?? 1, size: opts.size ?? 10 };
    if (!Number.isInteger(params.page) || (params.page as number) < 1) throw new KeyfobError('internal', 'listKeys: page must be 1 or more.');
    if (!Number.isInteger(params.size) || (params.size as number) < 1 || (params.size as number) > 100) {
      throw new KeyfobError('internal', 'listKeys: size must be between 1 and 100.');
    }
    if (opts.key_alias !== undefined) params.key_alias = opts.key_alias;
    if (opts.return_full_object) params.return_full_object = true;
    return readKeyListPage(await this.call('GET', '/key/list', { params }));
  }

  async listModels(): Promise<string[]> {
    return readModelIds(await this.call('GET', '/v1/models'));
  }

  async health(): Promise<ProxyHealth> {
    let alive = true;
    try {
      // Answers the JSON string "I'm alive!": any 2xx will do.
      await this.send('GET', '/health/liveliness', {});
    } catch (e) {
      // Something answered, just not "alive": report it rather than throw; no answer at all is an error.
      if (e instanceof KeyfobError && e.status !== undefined) alive = false;
      else throw e;
    }
    let db_connected: boolean | null = null;
    try {
      const ready = await this.call('GET', '/health/readiness');
      if (typeof ready.db === 'string') db_connected = ready.db.toLowerCase() === 'connected';
    } catch (e) {
      if (!(e instanceof KeyfobError) || e.status === undefined) throw e;
    }
    return { alive, db_connected };
  }

  async verifyAdmin(): Promise<void> {
    await this.call('GET', '/key/list', { params: { size: 1 } });
  }

  /** The outbound proxy requests go through for this base URL (display form), or null. */
  outboundProxy(): string | null {
    return proxyForUrl(this.baseUrl, this.env)?.display ?? null;
  }

  /** A call whose 2xx answer must be a JSON object. */
  private async call(method: Method, path: string, opts: CallOptions = {}): Promise<Record<string, unknown>> {
    const { status, data, contentType, ctx } = await this.send(method, path, opts);
    try {
      return parseJsonObject(data, ctx.endpoint);
    } catch (e) {
      // A 2xx that is not JSON (a captive portal, a gateway page): read it the way an error body is read.
      if (/html/i.test(contentType) || /^\s*</.test(data)) throw errorFromResponse(status, data, contentType, ctx);
      if (e instanceof KeyfobError) throw new KeyfobError(e.kind, e.message, { status, ...(e.hint ? { hint: e.hint } : {}) });
      throw e;
    }
  }

  /** One request; any failure (network or status) comes out as a KeyfobError. */
  private async send(method: Method, path: string, opts: CallOptions): Promise<{ status: number; data: string; contentType: string; ctx: LiteLLMErrorContext }> {
    const proxy = proxyForUrl(this.baseUrl, this.env);
    const ctx: LiteLLMErrorContext = {
      baseUrl: this.baseUrl,
      endpoint: `${method} ${path}`,
      keyTarget: opts.keyTarget === true,
      timeoutMs: this.timeoutMs,
      outboundProxy: proxy?.display ?? null,
      secrets: [this.adminKey, ...(opts.secrets ?? [])],
    };
    try {
      const response = await this.http.request<string>({
        method,
        url: path,
        params: opts.params,
        data: opts.data,
        proxy: axiosProxy(proxy),
      });
      return { status: response.status, data: String(response.data ?? ''), contentType: String(response.headers['content-type'] ?? ''), ctx };
    } catch (e) {
      throw toLiteLLMError(e, ctx);
    }
  }
}

function checkAdminKey(key: unknown): string {
  if (typeof key !== 'string' || key.trim() === '') {
    throw new KeyfobError('validation', 'adminKey: the admin key is required', {
      fields: [{ field: 'adminKey', message: "is required: the proxy's master key or a proxy_admin key" }],
    });
  }
  const trimmed = key.trim();
  if (!/^[\x21-\x7e]+$/.test(trimmed)) {
    throw new KeyfobError('validation', 'adminKey: the admin key must not contain spaces, line breaks or non-ASCII characters', {
      fields: [{ field: 'adminKey', message: 'must not contain spaces, line breaks or non-ASCII characters' }],
    });
  }
  return trimmed;
}

function checkTimeout(timeoutMs: unknown): number {
  if (timeoutMs === undefined || timeoutMs === null) return DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new KeyfobError('internal', `The request timeout must be a positive number of milliseconds, not ${String(timeoutMs)}.`);
  }
  return Math.ceil(timeoutMs);
}

/** Public CAs plus the person's CA file (so a corporate CA adds trust instead of replacing it), or no checks at all. */
function tlsAgent(caFile: string | null, allowInsecureTls: boolean): https.Agent | undefined {
  if (!caFile && !allowInsecureTls) return undefined;
  const options: https.AgentOptions = { keepAlive: true };
  if (caFile) options.ca = [...tls.rootCertificates, readCaFile(caFile)];
  if (allowInsecureTls) options.rejectUnauthorized = false;
  return new https.Agent(options);
}

function readCaFile(caFile: string): string {
  let pem: string;
  try {
    pem = fs.readFileSync(caFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    const message = `cannot be read (${code === 'ENOENT' ? 'no such file' : code}): ${caFile}`;
    throw new KeyfobError('validation', `ca_file: ${message}`, { fields: [{ field: 'ca_file', message }] });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    const message = `is not a PEM certificate file (no "-----BEGIN CERTIFICATE-----"): ${caFile}`;
    throw new KeyfobError('validation', `ca_file: ${message}`, { fields: [{ field: 'ca_file', message }] });
  }
  return pem;
}

function axiosProxy(proxy: OutboundProxy | null): AxiosProxyConfig | false {
  if (!proxy) return false;
  return { protocol: proxy.protocol, host: proxy.host, port: proxy.port, ...(proxy.auth ? { auth: proxy.auth } : {}) };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
