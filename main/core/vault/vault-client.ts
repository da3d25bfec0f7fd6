// The Vault HTTP client, over the same transport as the LiteLLM client (../http/http-transport.ts): a wall-clock
// deadline per request, a response-size cap, no redirects followed (the token would go elsewhere), the person's CA or
// no checks at all, HTTPS_PROXY / NO_PROXY honoured as the Vault CLI does; every failure is a KeyfobError from
// vault-errors.ts. Sends `X-Vault-Token`, `X-Vault-Namespace` and `X-Vault-Request: true`; LIST goes as
// `GET …?list=true` (Node's parser refuses LIST).
import { KeyfobError } from '../errors.js';
import { HttpTransport, TransportFailure, secondsText } from '../http/index.js';
import { TIMEOUT_HINT, toLiteLLMError } from '../litellm/index.js';
import { capabilityOf, policyDenied, tokenRejected, vaultError, type VaultErrorContext } from './vault-errors.js';

export const VAULT_TIMEOUT_MS = 15_000;
export const VAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export interface VaultClientOptions {
  /** The server URL without `/v1` (https://vault.example:8200). */
  url: string;
  namespace?: string | null;
  caFile?: string | null;
  allowInsecureTls?: boolean;
  timeoutMs?: number;
  /** The token to send now; null for the login paths. */
  token?: () => Promise<string | null>;
  /** Where HTTPS_PROXY / NO_PROXY are read (process.env unless given). */
  env?: Record<string, string | undefined>;
}

export type VaultMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface VaultCallOptions {
  body?: unknown;
  list?: boolean;
  query?: Record<string, string>;
  /** No token, even if one is configured (login paths). */
  anonymous?: boolean;
  /** Send this token instead of the configured one (a child token's one read). */
  asToken?: string;
  /** Extra strings to keep out of messages (a password, a new token). */
  secrets?: string[];
}

/** The JSON object of a 200, or null for a 204. */
export type VaultAnswer = Record<string, unknown> | null;

export class VaultClient {
  readonly url: string;
  readonly namespace: string | null;
  readonly timeoutMs: number;
  private readonly http: HttpTransport;
  private readonly token: () => Promise<string | null>;

  constructor(opts: VaultClientOptions) {
    this.url = normalizeVaultUrl(opts.url);
    this.namespace = opts.namespace?.replace(/^\/+|\/+$/g, '') || null;
    this.timeoutMs = opts.timeoutMs ?? VAULT_TIMEOUT_MS;
    this.token = opts.token ?? (() => Promise.resolve(null));
    this.http = new HttpTransport({ caFile: opts.caFile ?? null, allowInsecureTls: opts.allowInsecureTls === true, env: opts.env ?? process.env });
  }

  read(path: string, opts: VaultCallOptions = {}): Promise<VaultAnswer> {
    return this.call('GET', path, opts);
  }

  list(path: string): Promise<VaultAnswer> {
    return this.call('GET', path, { list: true });
  }

  write(path: string, body: unknown = {}, opts: VaultCallOptions = {}): Promise<VaultAnswer> {
    return this.call('PUT', path, { ...opts, body });
  }

  async call(method: VaultMethod, path: string, opts: VaultCallOptions = {}): Promise<VaultAnswer> {
    const token = opts.asToken ?? (opts.anonymous ? null : await this.token());
    const ctx: VaultErrorContext = { url: this.url, method: opts.list ? 'LIST' : method, path, secrets: [...(token ? [token] : []), ...(opts.secrets ?? [])] };
    const answer = await this.send(method, path, opts, token, ctx);
    if (answer.status === 204) return null;
    if (answer.status === 200) {
      const parsed = parseObject(answer.data);
      if (parsed === null) throw new KeyfobError('server-error', `Vault at ${this.url} sent an answer to ${ctx.method} ${path} that is not JSON.`, { hint: 'Check that the URL points at Vault or OpenBao.' });
      return parsed;
    }
    if (answer.status === 403 && token !== null) {
      // Vault's 403 does not say why: a token that still looks itself up was refused by its policy.
      const self = path === 'auth/token/lookup-self' ? answer : await this.send('GET', 'auth/token/lookup-self', {}, token, ctx).catch(() => null);
      if (self?.status === 200) throw policyDenied(ctx, capabilityOf(method, opts.list === true));
      throw tokenRejected(ctx);
    }
    if (answer.status === 403) throw tokenRejected(ctx);
    throw vaultError(answer.status, answer.data, answer.contentType, ctx);
  }

  private async send(method: VaultMethod, path: string, opts: VaultCallOptions, token: string | null, ctx: VaultErrorContext): Promise<{ status: number; data: string; contentType: string }> {
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Vault-Request': 'true' };
    if (token) headers['X-Vault-Token'] = token;
    if (this.namespace) headers['X-Vault-Namespace'] = this.namespace;
    const params = { ...(opts.query ?? {}), ...(opts.list ? { list: 'true' } : {}) };
    try {
      return await this.http.send({ method, url: `${this.url}/v1/${path}`, headers, params, data: opts.body, timeoutMs: this.timeoutMs, maxBytes: VAULT_MAX_RESPONSE_BYTES });
    } catch (e) {
      if (!(e instanceof TransportFailure)) throw e;
      if (e.kind === 'deadline') {
        throw new KeyfobError('timeout', `Vault at ${this.url} did not answer ${ctx.method} ${path} within ${secondsText(this.timeoutMs)}.`, { hint: TIMEOUT_HINT, networkCode: 'ETIMEDOUT' });
      }
      if (e.kind === 'too-large') {
        throw new KeyfobError('server-error', `Vault at ${this.url} sent an answer to ${ctx.method} ${path} larger than ${VAULT_MAX_RESPONSE_BYTES / 1024 / 1024} MiB; Keyfob stopped reading it.`, { networkCode: 'ERESPONSETOOLARGE' });
      }
      throw toLiteLLMError(e.cause, { baseUrl: this.url, endpoint: `${ctx.method} ${path}`, timeoutMs: this.timeoutMs, outboundProxy: e.outboundProxy, secrets: ctx.secrets });
    }
  }
}

/** http(s)://host[:port][/path], without a trailing slash or `/v1`. */
export function normalizeVaultUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new KeyfobError('validation', `vault: "${raw.slice(0, 80)}" is not a URL`, { fields: [{ field: 'vault', message: 'must be an http(s) URL, e.g. https://vault.example:8200' }] });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KeyfobError('validation', 'vault: the URL must start with https:// or http://', { fields: [{ field: 'vault', message: 'must be http(s)' }] });
  }
  if (url.username || url.password) {
    throw new KeyfobError('validation', 'vault: the URL must not carry a user or password', { fields: [{ field: 'vault', message: 'must not carry credentials' }] });
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

