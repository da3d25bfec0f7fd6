// The sign-in's HTTP for discovery, /register, /token and /revoke, over the same transport as the admin client
// (../http/http-transport.ts: no redirect followed — that would re-send a code or a refresh token elsewhere — a
// deadline for the whole exchange, a size cap); network failures become the same KeyfobErrors.
import { KeyfobError } from '../errors.js';
import { HttpTransport, TransportFailure, secondsText } from '../http/index.js';
import { cleanRemoteText, scrub, toLiteLLMError } from '../litellm/index.js';

export const SSO_TIMEOUT_MS = 10_000;
/** Far above any real sign-in answer (the Go client caps at 256 KiB too). */
export const MAX_SSO_RESPONSE_BYTES = 256 * 1024;

type Env = Record<string, string | undefined>;

export interface SsoHttpOptions {
  timeoutMs?: number;
  caFile?: string | null;
  allowInsecureTls?: boolean;
  env?: Env;
}

export interface SsoAnswer {
  status: number;
  /** The parsed JSON body, or null when it was not JSON. */
  json: unknown;
  location: string | undefined;
}

export interface SsoRequest {
  method: 'GET' | 'POST';
  url: string;
  form?: Record<string, string>;
  json?: unknown;
  /** What the person reads in an error ("the sign-in's token request"). */
  label: string;
  /** Strings never to appear in an error (codes, verifiers, tokens). */
  secrets: string[];
}

export class SsoHttp {
  readonly timeoutMs: number;
  private readonly http: HttpTransport;

  constructor(opts: SsoHttpOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? SSO_TIMEOUT_MS;
    this.http = new HttpTransport({ caFile: opts.caFile ?? null, allowInsecureTls: opts.allowInsecureTls === true, env: opts.env ?? process.env });
  }

  /** One exchange. A 3xx is refused here, whatever the endpoint: nothing in the sign-in may be redirected. */
  async send(req: SsoRequest): Promise<SsoAnswer> {
    const origin = new URL(req.url).origin;
    const secrets = req.secrets.filter((s) => s.length > 0);
    let answer: SsoAnswer;
    try {
      const raw = await this.http.send({
        method: req.method,
        url: req.url,
        ...(req.form ? { data: new URLSearchParams(req.form).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } } : {}),
        ...(req.json !== undefined ? { data: req.json, headers: { 'Content-Type': 'application/json' } } : {}),
        timeoutMs: this.timeoutMs,
        maxBytes: MAX_SSO_RESPONSE_BYTES,
      });
      answer = { status: raw.status, json: parseJson(raw.data), location: raw.location };
    } catch (e) {
      if (!(e instanceof TransportFailure)) throw e;
      if (e.kind === 'deadline') {
        throw new KeyfobError('timeout', `${origin} did not answer ${req.label} within ${secondsText(this.timeoutMs)}.`, { networkCode: 'ETIMEDOUT' });
      }
      if (e.kind === 'too-large') {
        throw new KeyfobError('server-error', `${origin} sent an answer to ${req.label} larger than ${MAX_SSO_RESPONSE_BYTES / 1024} KiB; Keyfob stopped reading it.`, { networkCode: 'ERESPONSETOOLARGE' });
      }
      throw toLiteLLMError(e.cause, { baseUrl: origin, endpoint: `${req.method} ${new URL(req.url).pathname}`, keyTarget: false, timeoutMs: this.timeoutMs, outboundProxy: e.outboundProxy, secrets });
    }
    if (answer.status >= 300 && answer.status < 400) {
      throw new KeyfobError('server-error', scrub(`${capitalised(req.label)} was redirected to ${cleanRemoteText(answer.location ?? '(no Location)').slice(0, 300)}; refusing to follow it.`, secrets), {
        status: answer.status,
        hint: 'Something in front of the proxy redirects its sign-in endpoints; use the URL the proxy itself serves (PROXY_BASE_URL).',
      });
    }
    return answer;
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** `{"error","error_description"}` of an OAuth answer, when it has them. */
export function oauthErrorOf(json: unknown): { error: string; description: string } | null {
  if (typeof json !== 'object' || json === null) return null;
  const { error, error_description: description } = json as Record<string, unknown>;
  if (typeof error !== 'string') return null;
  return { error, description: typeof description === 'string' ? description : '' };
}

