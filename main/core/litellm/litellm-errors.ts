// Every way a call to the LiteLLM proxy can fail, as one KeyfobError kind with a message a person can act on.
// The answers come in several shapes (../shared/litellm-admin-api.md): the proxy's `{"error": {...}}` envelope with
// `code` as a string or an integer, FastAPI's 422 `{"detail": [...]}`, Python-repr messages, text/plain 500s,
// HTML pages from gateways. Errors are built fresh: the axios error (whose config holds the admin key in a header)
// is never attached, and every message is redacted.
import { isAxiosError } from 'axios';
import { KeyfobError, redactKey, redactText, type ErrorKind } from '../errors.js';

export interface LiteLLMErrorContext {
  /** The proxy's normalised base URL (never holds credentials). */
  baseUrl: string;
  /** `POST /key/generate`: what was being done, for messages. */
  endpoint: string;
  /** The call names one key (renew, info, delete): a 404 there means "no such key" rather than "no such route". */
  keyTarget?: boolean;
  timeoutMs?: number;
  /** The outbound proxy the request went through (display form), if any. */
  outboundProxy?: string | null;
  /** Exact strings that must never appear in a message (the admin key, the key being handled). */
  secrets?: readonly string[];
}

/** What could be read from an error answer's body. */
export interface ProxyErrorBody {
  /** The server's reason, as one line of text. */
  reason: string;
  type: string | null;
  param: string | null;
  /** `code` of the envelope, as a string whether it came as "401" or 401. */
  code: string | null;
  shape: 'envelope' | 'fastapi' | 'json' | 'text' | 'html' | 'empty';
  /** FastAPI/Starlette's own `{"detail": "Not Found"}`: the route does not exist (wrong URL or path prefix). */
  routeNotFound: boolean;
}

const MAX_REASON = 400;

const TLS_REASONS: ReadonlyArray<[RegExp, string]> = [
  [/^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/, 'its certificate is self-signed'],
  [/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_UNTRUSTED)$/, "its certificate's issuer is not trusted"],
  [/^CERT_HAS_EXPIRED$/, 'its certificate has expired'],
  [/^CERT_NOT_YET_VALID$/, 'its certificate is not valid yet'],
  [/^(ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)$/, 'its certificate is for another host name'],
  [/^(EPROTO|ERR_SSL_WRONG_VERSION_NUMBER)$/, 'the TLS handshake failed (is that port plain http rather than https?)'],
  [/^(CERT_|ERR_TLS_|ERR_SSL_|ERR_OSSL_|UNABLE_TO_|INVALID_CA|INVALID_PURPOSE|CERT_REJECTED)/, 'the TLS handshake failed'],
];

const TLS_HINT =
  'If a corporate proxy re-signs TLS, give its CA certificate (--ca-file, or "CA file" in Settings); allow insecure TLS only if you trust this network.';

/** Maps anything a request threw (axios or not) to a KeyfobError. */
export function toLiteLLMError(error: unknown, ctx: LiteLLMErrorContext): KeyfobError {
  if (error instanceof KeyfobError) return error;
  if (isAxiosError(error) && error.response) {
    const headers = error.response.headers as Record<string, unknown> | undefined;
    return errorFromResponse(error.response.status, error.response.data, String(headers?.['content-type'] ?? ''), ctx,
      typeof headers?.location === 'string' ? headers.location : undefined);
  }
  return networkError(error, ctx);
}

// ---------------------------------------------------------------------------------------------------------------
// No answer

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 4) return;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    visit((e as { cause?: unknown }).cause, depth + 1);
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const i of inner) visit(i, depth + 1);
  };
  visit(error, 0);
  return codes;
}

function networkError(error: unknown, ctx: LiteLLMErrorContext): KeyfobError {
  const codes = errorCodes(error);
  const message = error instanceof Error ? error.message : String(error);
  const base = ctx.baseUrl;
  const host = hostOf(base);
  const via = ctx.outboundProxy ? ` through the outbound proxy ${ctx.outboundProxy}` : '';
  const has = (...wanted: string[]) => codes.some((c) => wanted.includes(c));
  const networkCode = codes.find((c) => /^E[A-Z_]+$/.test(c));
  const make = (kind: ErrorKind, text: string, hint?: string) =>
    fresh(kind, text, ctx, { ...(hint === undefined ? {} : { hint }), ...(networkCode === undefined ? {} : { networkCode }) });

  if (has('ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT') || /timeout .* exceeded/i.test(message)) {
    const seconds = ctx.timeoutMs ? ` within ${formatSeconds(ctx.timeoutMs)}` : '';
    return make('timeout', `${base} did not answer${seconds}${via}.`,
      'Is the proxy overloaded, or the network slow? The request timeout can be raised in Settings.');
  }
  for (const code of codes) {
    const tls = TLS_REASONS.find(([pattern]) => pattern.test(code));
    if (tls) return make('tls', `The TLS connection to ${base} failed: ${tls[1]} (${code}).`, TLS_HINT);
  }
  if (/certificate|ssl|tls/i.test(message) && !has('ECONNREFUSED', 'ECONNRESET')) {
    return make('tls', `The TLS connection to ${base} failed: ${message}.`, TLS_HINT);
  }
  if (has('ENOTFOUND')) {
    return make('dns', `The host name "${host}" does not resolve: check the URL, and your network or VPN.`);
  }
  if (has('EAI_AGAIN')) {
    return make('dns', `The host name "${host}" could not be resolved right now (temporary DNS failure): check your network or VPN.`);
  }
  if (has('ECONNREFUSED')) {
    if (ctx.outboundProxy) {
      return make('unreachable', `Nothing answers at the outbound proxy ${ctx.outboundProxy} (from HTTPS_PROXY/HTTP_PROXY) on the way to ${base}.`,
        'Check HTTPS_PROXY / HTTP_PROXY, or list the host in NO_PROXY.');
    }
    return make('unreachable', `Nothing answers at ${base}: is the proxy running, and is the URL right?`);
  }
  if (has('ECONNRESET', 'EPIPE') || /socket hang up/i.test(message)) {
    return make('unreachable', `The connection to ${base}${via} was reset before an answer came: the proxy, or something in between, closed it.`,
      'Try again; if it keeps happening, check the proxy and any gateway in front of it.');
  }
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN')) {
    return make('unreachable', `${host} cannot be reached from this machine (${codes[0]}): check your network or VPN.`);
  }
  if (has('ERR_FR_TOO_MANY_REDIRECTS', 'ERR_BAD_RESPONSE')) {
    return make('server-error', `${base} sent an answer Keyfob cannot read (${codes[0]}).`);
  }
  const code = codes[0] ? ` (${codes[0]})` : '';
  return make('unreachable', `${base} could not be reached${via}${code}: ${message}`);
}

// ---------------------------------------------------------------------------------------------------------------
// An answer with an error status

/** Maps an HTTP error answer (status, body, content type) to a KeyfobError. */
export function errorFromResponse(status: number, data: unknown, contentType: string, ctx: LiteLLMErrorContext, location?: string): KeyfobError {
  const body = parseErrorBody(data, contentType);
  const reason = body.reason || `HTTP ${status}`;
  const base = ctx.baseUrl;
  const make = (kind: ErrorKind, text: string, hint?: string) => fresh(kind, text, ctx, { status, ...(hint === undefined ? {} : { hint }) });
  const type = body.type ?? '';

  if (/db not connected|not connected to db|no connected db|database not connected|no db connected/i.test(reason)) {
    return make('no-database', `The proxy runs without a database; virtual keys need one — set DATABASE_URL on the proxy (${reason}).`,
      'Start the LiteLLM proxy with a DATABASE_URL (PostgreSQL), then try again.');
  }
  if (body.shape === 'html') {
    return make('server-error', `${base} answered ${status} with ${reason} instead of LiteLLM's JSON.`,
      'Check that the URL points at the LiteLLM proxy itself, not a web page, login portal or gateway.');
  }
  if (status >= 300 && status < 400) {
    const target = location ? ` to ${location}` : '';
    return make('server-error', `${base} redirects${target} (${status}): set the proxy URL to where it redirects.`);
  }
  if (status === 401 || status === 403) {
    // Older releases answer an unknown key on /key/update and /key/info with 401, not 404.
    if (/does not exist in db/i.test(reason) || (ctx.keyTarget && /not found in (the )?(db|database)|key not found/i.test(reason))) {
      return make('not-found', `The proxy does not know this key (${status}): ${reason}`);
    }
    if (/^(expired_key|budget_exceeded|key_model_access_denied)$/.test(type) || /key is blocked|expired key|budget has been exceeded/i.test(reason)) {
      return make('invalid-request', `The proxy refused the request (${status}): ${reason}`);
    }
    if (/enterprise|premium (feature|user)|licen[cs]e/i.test(reason)) {
      return make('invalid-request', `The proxy refused the request: it needs LiteLLM Enterprise (${status}): ${reason}`);
    }
    return make('admin-key-rejected', `The proxy at ${base} rejected the admin key (${status}): ${reason}`,
      "Use the proxy's master key (or a proxy_admin user's key) and connect again.");
  }
  if (status === 404) {
    if (body.routeNotFound || !ctx.keyTarget) {
      return make('server-error', `${base} has no ${ctx.endpoint} (404): is this a LiteLLM proxy, and is the URL (with any path prefix) right?`);
    }
    return make('not-found', `The proxy does not know this key (404): ${reason}`);
  }
  if (status === 400 && (body.param === 'key_alias' || /alias.*already exists|already exists.*alias/i.test(reason))) {
    return make('alias-taken', `The key alias is already taken on the proxy: ${reason}`);
  }
  if (/invalid duration format|unsupported duration unit/i.test(reason)) {
    // Current releases answer 500 for a bad duration; it is still the request that is wrong.
    return make('invalid-request', `The proxy refused the request's duration (${status}): ${reason}`);
  }
  if (status === 400 || status === 422) {
    return make('invalid-request', `The proxy refused the request (${status}): ${reason}`);
  }
  if (status === 429) {
    return make('server-error', `The proxy is rate-limiting requests (429): ${reason}`, 'Wait a moment and try again.');
  }
  if (status >= 500) {
    return make('server-error', `The proxy failed on ${ctx.endpoint} (${status}): ${reason}`,
      "Try again; if it keeps failing, look at the proxy's logs.");
  }
  return make('server-error', `The proxy answered ${ctx.endpoint} with an unexpected ${status}: ${reason}`);
}

/** Reads the reason (and the envelope's type/param/code) out of any error body shape. */
export function parseErrorBody(data: unknown, contentType = ''): ProxyErrorBody {
  const result: ProxyErrorBody = { reason: '', type: null, param: null, code: null, shape: 'empty', routeNotFound: false };
  let value: unknown = data;
  if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return result;
    if (/text\/html/i.test(contentType) || /^<(!doctype|html|head|body)/i.test(text)) {
      const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1]?.trim();
      return { ...result, shape: 'html', reason: title ? `an HTML page ("${oneLine(title)}")` : 'an HTML page' };
    }
    try {
      value = JSON.parse(text);
    } catch {
      return { ...result, shape: 'text', reason: oneLine(text) };
    }
  }
  if (typeof value === 'string') return { ...result, shape: 'json', reason: oneLine(unwrapPythonRepr(value)) };
  if (value === null || typeof value !== 'object') {
    return value === null || value === undefined ? result : { ...result, shape: 'json', reason: oneLine(String(value)) };
  }
  const obj = value as Record<string, unknown>;
  if ('error' in obj && obj.error !== null && obj.error !== undefined) {
    const error = obj.error;
    if (typeof error === 'object' && !Array.isArray(error)) {
      const e = error as Record<string, unknown>;
      return {
        ...result,
        shape: 'envelope',
        reason: oneLine(unwrapPythonRepr(textOf(e.message ?? e.detail ?? e.error ?? JSON.stringify(e)))),
        type: typeof e.type === 'string' ? e.type : null,
        param: typeof e.param === 'string' && e.param !== 'None' ? e.param : null,
        code: e.code === undefined || e.code === null ? null : String(e.code),
      };
    }
    return { ...result, shape: 'envelope', reason: oneLine(unwrapPythonRepr(textOf(error))) };
  }
  if ('detail' in obj) {
    const detail = obj.detail;
    if (Array.isArray(detail)) {
      const issues = detail.map((d) => describeValidationIssue(d)).filter(Boolean);
      return { ...result, shape: 'fastapi', reason: oneLine(issues.join('; ') || 'the request body was not accepted') };
    }
    if (typeof detail === 'string') {
      const routeNotFound = detail === 'Not Found' || detail === 'Method Not Allowed';
      return { ...result, shape: 'fastapi', reason: oneLine(unwrapPythonRepr(detail)), routeNotFound };
    }
    if (detail && typeof detail === 'object') {
      const d = detail as Record<string, unknown>;
      return { ...result, shape: 'fastapi', reason: oneLine(unwrapPythonRepr(textOf(d.error ?? d.message ?? JSON.stringify(d)))) };
    }
  }
  if (typeof obj.message === 'string') return { ...result, shape: 'json', reason: oneLine(unwrapPythonRepr(obj.message)) };
  return { ...result, shape: 'json', reason: oneLine(JSON.stringify(obj)) };
}

function describeValidationIssue(issue: unknown): string {
  if (!issue || typeof issue !== 'object') return textOf(issue);
  const d = issue as { loc?: unknown; msg?: unknown };
  const loc = Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body').join('.') : '';
  const msg = typeof d.msg === 'string' ? d.msg : JSON.stringify(issue);
  return loc ? `${loc}: ${msg}` : msg;
}

/** `"{'error': 'No keys found'}"` (a Python dict printed as text) → `No keys found`. */
export function unwrapPythonRepr(text: string): string {
  const match = /^\s*\{\s*['"](?:error|message|detail)['"]\s*:\s*(['"])([\s\S]*)\1\s*\}\s*$/.exec(text);
  if (!match) return text;
  const quote = match[1] as string;
  return (match[2] as string).replaceAll(`\\${quote}`, quote).replaceAll('\\n', ' ').replaceAll('\\\\', '\\');
}

// ---------------------------------------------------------------------------------------------------------------

function fresh(kind: ErrorKind, message: string, ctx: LiteLLMErrorContext, opts: { hint?: string; status?: number; networkCode?: string }): KeyfobError {
  return new KeyfobError(kind, scrub(message, ctx.secrets), opts);
}

/** Redacts `sk-` material and any exact secret the caller named (an admin key need not start with `sk-`). */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(redactKey(secret));
  }
  return redactText(out);
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON)}…` : line;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}
