// The LiteLLM admin client (axios). Every call carries the connected key (`Authorization: Bearer` unless a custom
// header is configured), has a wall-clock deadline and a response-size cap, and every failure comes out as a
// KeyfobError from litellm-errors.ts. Nothing here logs or echoes a key, and nothing the proxy says is trusted where
// it can be checked: the token hash is computed here, a calendar-aligned expiry is set right, an alias delete is
// confirmed by listing.
import { createHash } from 'node:crypto';
import type { Method } from 'axios';
import { toLiteLLMDuration } from '../roles/index.js';
import { KeyfobError } from '../errors.js';
import type { CallerIdentity } from '../backend/index.js';
import type {
  ClientOptions, GenerateKeyRequest, GeneratedKey, KeyInfo, KeyListPage, LiteLLMAdmin, ProxyHealth,
} from './litellm-api.js';
import { TIMEOUT_HINT, errorFromResponse, parseErrorBody, scrub, toLiteLLMError, type LiteLLMErrorContext } from './litellm-errors.js';
import {
  looksCalendarAligned, normalizeExpires, parseJsonObject, readGeneratedKey, readKeyInfo, readKeyListPage, readModelIds,
} from './litellm-responses.js';
import { identityFrom } from './caller-identity.js';
import { HttpTransport, TransportFailure, secondsText } from '../http/index.js';
import { authHeaders, checkAdminKey, checkTimeout } from './litellm-transport.js';
import { normalizeProxyUrl, withoutV1Suffix } from './proxy-url.js';

export { DEFAULT_TIMEOUT_MS, authHeaders } from './litellm-transport.js';

/** Cap on an admin answer: far above any real one. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Cap on a `/key/list` page (100 full key rows with metadata): generous. */
export const MAX_LIST_RESPONSE_BYTES = 16 * 1024 * 1024;

type Env = Record<string, string | undefined>;

interface CallOptions {
  params?: Record<string, string | number | boolean>;
  data?: unknown;
  /** The call names one key: a 404 means that key is unknown. */
  keyTarget?: boolean;
  /** Extra strings to keep out of error messages (the key being handled). */
  secrets?: string[];
  maxBytes?: number;
}

interface Answer {
  status: number;
  data: string;
  contentType: string;
  location: string | undefined;
  ctx: LiteLLMErrorContext;
}

/** SHA-256 hex of a plaintext key: LiteLLM's `token`, accepted wherever a key is. */
export function tokenHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class LiteLLMClient implements LiteLLMAdmin {
  /** The URL as the person gave it. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private readonly adminKey: string;
  private readonly http: HttpTransport;
  /** The URL, and the URL without its trailing `/v1` when it has one: tried in that order until one answers. */
  private readonly candidates: readonly string[];
  private resolvedBase: string | null;
  private readonly onBaseUrlResolved: ((url: string) => void) | undefined;
  private readonly now: (() => number) | undefined;
  private identityCache: Promise<CallerIdentity> | null = null;
  private readonly onIdentity: ((identity: CallerIdentity) => void) | undefined;

  /** `env` supplies HTTPS_PROXY / HTTP_PROXY / NO_PROXY (default: process.env). */
  constructor(options: ClientOptions, env: Env = process.env) {
    this.baseUrl = normalizeProxyUrl(options.baseUrl, 'url');
    this.adminKey = checkAdminKey(options.adminKey);
    this.timeoutMs = checkTimeout(options.timeoutMs);
    const stripped = withoutV1Suffix(this.baseUrl);
    this.candidates = stripped === this.baseUrl ? [this.baseUrl] : [this.baseUrl, stripped];
    const known = options.knownBaseUrl ?? null;
    this.resolvedBase = this.candidates.length === 1 ? this.baseUrl : known !== null && this.candidates.includes(known) ? known : null;
    this.onBaseUrlResolved = options.onBaseUrlResolved;
    this.onIdentity = options.onIdentity;
    if (options.knownIdentity) this.identityCache = Promise.resolve(options.knownIdentity);
    this.now = options.now;
    this.http = new HttpTransport({
      caFile: options.caFile ?? null,
      caPem: options.caPem ?? null,
      allowInsecureTls: options.allowInsecureTls === true,
      headers: authHeaders(options.authHeader ?? null, this.adminKey),
      env,
    });
  }

  /** The form of the URL that answered (null until one has). */
  get workingBaseUrl(): string | null {
    return this.resolvedBase;
  }

  async generateKey(req: GenerateKeyRequest): Promise<GeneratedKey> {
    const request: GenerateKeyRequest = { ...req };
    if (request.user_id === undefined) {
      // A personal key made by a user's credential without a user_id has no owner: its creator could neither renew
      // nor delete it afterwards (≥1.77.7). A credential that belongs to a user creates keys for that user; only the
      // master key (no user) leaves the owner out.
      const who = await this.identity().catch(() => null);
      if (who?.userId) request.user_id = who.userId;
    }
    const sentAt = this.now?.();
    const body = await this.call('POST', '/key/generate', { data: withoutUndefined(request) });
    const generated = readGeneratedKey(body);
    return this.settleExpiry(generated, body.expires, req.duration, sentAt);
  }

  /**
   * A new key's expiry as asked. Releases 1.76.3–1.80.14 align it to the calendar ("604800s" ends tomorrow, "30s"
   * can end in 4 s), which shows as a time with no fraction of a second: one `/key/update` (exact in every release)
   * sets it right. A shorter expiry that is not aligned is the proxy's policy and is reported, not overridden.
   */
  private async settleExpiry(generated: GeneratedKey, rawExpires: unknown, duration: string | undefined, sentAt: number | undefined): Promise<GeneratedKey> {
    const asked = duration === undefined ? null : /^(\d+)s$/.exec(duration);
    if (!asked) {
      const note = generated.expires === null ? null : `the proxy gave the key an expiry (${generated.expires}) although none was asked`;
      return { ...generated, expiry_note: note };
    }
    const seconds = Number(asked[1]);
    if (generated.expires !== null && !looksCalendarAligned(rawExpires)) {
      const shortBy = sentAt === undefined ? 0 : sentAt + seconds * 1000 - Date.parse(generated.expires);
      const note = shortBy > 60_000 ? `the proxy shortened the key's life to end at ${generated.expires} (asked ${seconds}s)` : null;
      return { ...generated, expiry_note: note };
    }
    try {
      const fixed = await this.renewKey(generated.token, seconds);
      return { ...generated, expires: fixed.expires, expiry_note: null };
    } catch (e) {
      // The key exists with the proxy's (shorter) expiry: keep it, and say what it really is.
      const why = e instanceof KeyfobError ? e.message : String(e);
      return { ...generated, expiry_note: `the proxy set the expiry to ${generated.expires ?? 'never'} and correcting it failed: ${why}` };
    }
  }

  async renewKey(tokenOrKey: string, seconds: number): Promise<{ expires: string | null; blocked: boolean; scimBlocked: boolean }> {
    const body = await this.call('POST', '/key/update', {
      data: { key: tokenOrKey, duration: toLiteLLMDuration(seconds) },
      keyTarget: true,
      secrets: [tokenOrKey],
    });
    const metadata = body.metadata && typeof body.metadata === 'object' ? (body.metadata as Record<string, unknown>) : {};
    return { expires: normalizeExpires(body.expires), blocked: body.blocked === true, scimBlocked: metadata.scim_blocked === true };
  }

  async deleteKeys(target: { keys: string[] } | { key_aliases: string[] }): Promise<{ alreadyGone: boolean }> {
    const list = 'keys' in target ? target.keys : target.key_aliases;
    if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== 'string' || k === '')) {
      throw new KeyfobError('internal', 'deleteKeys needs at least one key or alias.');
    }
    if ('key_aliases' in target) return this.deleteByAlias(target.key_aliases);
    try {
      await this.call('POST', '/key/delete', { data: target, keyTarget: true, secrets: target.keys });
      return { alreadyGone: false };
    } catch (e) {
      // "None found": revoking what is already gone is success (Vault's rule). A missing route is not.
      if (e instanceof KeyfobError && e.kind === 'not-found') return { alreadyGone: true };
      if (isFailedToDeleteAll(e) && (await this.allUnknown(target.keys))) return { alreadyGone: true };
      throw e;
    }
  }

  /**
   * Proxies before 1.68.2 answer 200 to a delete that found nothing (and a non-admin's with a 500), so "was anything
   * there" is asked first, by listing the alias, and the delete is confirmed by listing again.
   */
  private async deleteByAlias(aliases: string[]): Promise<{ alreadyGone: boolean }> {
    const before = await this.aliasesListed(aliases);
    try {
      await this.call('POST', '/key/delete', { data: { key_aliases: aliases }, keyTarget: true });
    } catch (e) {
      if (e instanceof KeyfobError && e.kind === 'not-found') return { alreadyGone: true };
      if (before === false && isFailedToDeleteAll(e)) return { alreadyGone: true };
      throw e;
    }
    if (before === false) return { alreadyGone: true }; // nothing was there a moment ago: the 200 proves nothing
    if (before === true && (await this.aliasesListed(aliases)) === true) {
      throw new KeyfobError('server-error', `The proxy answered the delete of ${aliases.join(', ')} with success, but still lists the key.`, {
        hint: 'Keyfob will try again.',
      });
    }
    return { alreadyGone: false };
  }

  /** Whether any key carries one of `aliases` (true/false), or null when this proxy cannot say. */
  private async aliasesListed(aliases: string[]): Promise<boolean | null> {
    try {
      for (const alias of aliases) {
        const page = await this.listKeys({ key_alias: alias, size: 100, return_full_object: true });
        // A proxy that ignores the filter lists everything: only rows that carry the alias count. One that lists
        // hashes only (≤1.61.1) is asked about each hash, when there are few.
        const hashes = page.keys.filter((k): k is string => typeof k === 'string');
        if (hashes.length > 3) return null;
        for (const hash of hashes) {
          if ((await this.keyInfo(hash)).key_alias === alias) return true;
        }
        if (page.keys.some((k) => typeof k === 'object' && k.key_alias === alias)) return true;
      }
      return false;
    } catch {
      return null;
    }
  }

  private async allUnknown(keys: string[]): Promise<boolean> {
    for (const key of keys) {
      try {
        await this.keyInfo(key);
        return false;
      } catch (e) {
        if (!(e instanceof KeyfobError) || e.kind !== 'not-found') return false;
      }
    }
    return true;
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
    try {
      return readKeyListPage(await this.call('GET', '/key/list', { params, maxBytes: MAX_LIST_RESPONSE_BYTES }));
    } catch (e) {
      // ≤1.61.1 rejects the parameter: the page then lists hashes only.
      if (!opts.return_full_object || !(e instanceof KeyfobError) || e.status !== 400 || !/unsupported parameter/i.test(e.detail ?? e.message)) throw e;
      delete params.return_full_object;
      return readKeyListPage(await this.call('GET', '/key/list', { params, maxBytes: MAX_LIST_RESPONSE_BYTES }));
    }
  }

  async listModels(): Promise<string[]> {
    return readModelIds(await this.call('GET', '/v1/models'));
  }

  async health(): Promise<ProxyHealth> {
    // Answers the JSON string "I'm alive!": any 2xx will do. Something that answers otherwise is reported, not thrown.
    const live = await this.send('GET', '/health/liveliness', {});
    const alive = live.status >= 200 && live.status < 300;
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

  identity(): Promise<CallerIdentity> {
    this.identityCache ??= this.lookUpIdentity().then((who) => {
      this.onIdentity?.(who);
      return who;
    }, (e: unknown) => {
      this.identityCache = null; // a failed look-up is asked again next time
      throw e;
    });
    return this.identityCache;
  }

  /** `/key/info` without a key describes the calling key; `/user/info` its user and teams. */
  private async lookUpIdentity(): Promise<CallerIdentity> {
    let self: Record<string, unknown> | null;
    try {
      const body = await this.call('GET', '/key/info', { keyTarget: true });
      self = body.info && typeof body.info === 'object' && !Array.isArray(body.info) ? (body.info as Record<string, unknown>) : null;
    } catch (e) {
      // The master key is no row of the key table: "not found" is what it gets.
      if (e instanceof KeyfobError && e.kind === 'not-found') return identityFrom(null, null);
      throw e;
    }
    const userId = typeof self?.user_id === 'string' && self.user_id !== '' ? self.user_id : null;
    let user: Record<string, unknown> | null = null;
    if (userId) {
      try {
        user = await this.call('GET', '/user/info', { params: { user_id: userId } });
      } catch (e) {
        if (!(e instanceof KeyfobError) || e.status === undefined) throw e;
      }
    }
    return identityFrom(self, user);
  }

  /** The outbound proxy requests go through for this base URL (display form), or null. */
  outboundProxy(): string | null {
    return this.http.outboundProxy(this.baseUrl)?.display ?? null;
  }

  /** A call whose 2xx answer must be a JSON object. */
  private async call(method: Method, path: string, opts: CallOptions = {}): Promise<Record<string, unknown>> {
    const { status, data, contentType, location, ctx } = await this.send(method, path, opts);
    if (status < 200 || status >= 300) throw errorFromResponse(status, data, contentType, ctx, location);
    try {
      return parseJsonObject(data, ctx.endpoint);
    } catch (e) {
      // A 2xx that is not JSON (a captive portal, a gateway page): read it the way an error body is read.
      if (/html/i.test(contentType) || /^\s*</.test(data)) throw errorFromResponse(status, data, contentType, ctx);
      if (e instanceof KeyfobError) throw new KeyfobError(e.kind, e.message, { status, ...(e.hint ? { hint: e.hint } : {}) });
      throw e;
    }
  }

  /**
   * One request, at the URL's working form. Until one is known, a URL ending in `/v1` is tried as given (a path
   * prefix like `SERVER_ROOT_PATH=/api/v1`), then without the `/v1` when the server has no such route there (an
   * OpenAI-style base copied from a client config). Answers with any status; no answer is a KeyfobError.
   */
  private async send(method: Method, path: string, opts: CallOptions): Promise<Answer> {
    const bases = this.resolvedBase !== null ? [this.resolvedBase] : this.candidates;
    let first: Answer | null = null;
    for (const [i, base] of bases.entries()) {
      const answer = await this.request(base, method, path, opts);
      const notHere = answer.status === 404 && parseErrorBody(answer.data, answer.contentType).routeNotFound;
      if (notHere && i < bases.length - 1) {
        first ??= answer;
        continue;
      }
      if (!notHere) this.settle(base);
      // Both forms lack the route: report it for the URL the person gave.
      return notHere && first ? first : answer;
    }
    throw new KeyfobError('internal', 'No proxy URL to send to.');
  }

  private settle(base: string): void {
    if (this.resolvedBase === base) return;
    this.resolvedBase = base;
    if (this.candidates.length > 1) this.onBaseUrlResolved?.(base);
  }

  private async request(base: string, method: Method, path: string, opts: CallOptions): Promise<Answer> {
    const url = `${base}${path}`;
    const maxBytes = opts.maxBytes ?? MAX_RESPONSE_BYTES;
    const ctx: LiteLLMErrorContext = {
      baseUrl: this.baseUrl,
      endpoint: `${method} ${path}`,
      keyTarget: opts.keyTarget === true,
      timeoutMs: this.timeoutMs,
      secrets: [this.adminKey, ...(opts.secrets ?? [])],
    };
    try {
      const answer = await this.http.send({ method, url, params: opts.params, data: opts.data, timeoutMs: this.timeoutMs, maxBytes });
      return { ...answer, ctx };
    } catch (e) {
      if (!(e instanceof TransportFailure)) throw toLiteLLMError(e, ctx);
      // Only a request that got no answer is explained by its route; the transport says which proxy it took.
      ctx.outboundProxy = e.outboundProxy;
      if (e.kind === 'deadline') {
        const via = ctx.outboundProxy ? ` through the outbound proxy ${ctx.outboundProxy}` : '';
        throw new KeyfobError('timeout', scrub(`${this.baseUrl} did not answer within ${secondsText(this.timeoutMs)}${via} (${ctx.endpoint}).`, ctx.secrets), {
          hint: TIMEOUT_HINT,
          networkCode: 'ETIMEDOUT',
        });
      }
      if (e.kind === 'too-large') {
        throw new KeyfobError('server-error', `${this.baseUrl} sent an answer to ${ctx.endpoint} larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; Keyfob stopped reading it.`, {
          hint: 'Check that the URL points at a LiteLLM proxy, and not something in front of it.',
          networkCode: 'ERESPONSETOOLARGE',
        });
      }
      throw toLiteLLMError(e.cause, ctx);
    }
  }
}

function isFailedToDeleteAll(e: unknown): boolean {
  return e instanceof KeyfobError && e.status === 500 && /failed to delete all tokens/i.test(e.detail ?? e.message);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
