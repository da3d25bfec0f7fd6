// The one way Keyfob sends HTTP to a server it acts on — the LiteLLM proxy, its sign-in endpoints, Vault — so the
// rules that keep a credential safe are written once:
// - a redirect is never followed (following would re-send a key, a code or a token to wherever it points);
// - the whole exchange has a wall-clock deadline: axios's own timeout stops at the headers, and a server that drips
//   one byte at a time would hold the request for ever;
// - what is read is capped;
// - the answer comes back as raw text, whatever its content type, for the caller to read;
// - TLS trust is tls-agent.ts's rule, and the outbound proxy comes from HTTPS_PROXY / NO_PROXY (proxy-env.ts).
// A request that gets no answer rejects with a TransportFailure, which each client turns into its own message.
import axios, { isAxiosError, type AxiosInstance, type AxiosProxyConfig, type Method } from 'axios';
import { proxyForUrl, type OutboundProxy } from './proxy-env.js';
import { tlsAgent } from './tls-agent.js';

type Env = Record<string, string | undefined>;

export interface HttpTransportOptions {
  caFile?: string | null;
  /** The CA file's text when the caller already read it without blocking (ca-file.ts readCaFile). */
  caPem?: string | null;
  allowInsecureTls?: boolean;
  /** Headers on every request (the credential's, Accept). */
  headers?: Record<string, string>;
  /** Where HTTPS_PROXY / NO_PROXY are read (process.env unless given). */
  env?: Env;
}

export interface HttpExchange {
  method: Method;
  url: string;
  params?: Record<string, string | number | boolean>;
  data?: unknown;
  headers?: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
}

export interface HttpAnswer {
  status: number;
  /** The body as text (empty when there was none). */
  data: string;
  contentType: string;
  location: string | undefined;
}

/** Why no answer came: the deadline passed, the answer was over the cap, or the network failed (`cause`). */
export type TransportFailureKind = 'deadline' | 'too-large' | 'network';

export class TransportFailure extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    /** The outbound proxy the request went through (display form, no credentials), or null. */
    readonly outboundProxy: string | null,
    override readonly cause?: unknown,
  ) {
    // The axios error is kept only as `cause` for the client's mapping: its config holds the credential's header.
    super(`no answer (${kind})`);
    this.name = 'TransportFailure';
  }
}

export class HttpTransport {
  private readonly http: AxiosInstance;
  private readonly env: Env;

  constructor(opts: HttpTransportOptions = {}) {
    this.env = opts.env ?? process.env;
    const httpsAgent = tlsAgent(opts.caFile ?? null, opts.caPem ?? null, opts.allowInsecureTls === true);
    this.http = axios.create({
      headers: { Accept: 'application/json', ...opts.headers },
      // Raw text in, parsed by the caller: one place decides what a body means, whatever its content type.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
      ...(httpsAgent ? { httpsAgent } : {}),
    });
  }

  /** The outbound proxy a request to `url` goes through, or null for a direct connection. */
  outboundProxy(url: string): OutboundProxy | null {
    return proxyForUrl(url, this.env);
  }

  /** One exchange: an answer with any status, or a TransportFailure. */
  async send(req: HttpExchange): Promise<HttpAnswer> {
    const proxy = this.outboundProxy(req.url);
    const deadline = AbortSignal.timeout(req.timeoutMs);
    try {
      const response = await this.http.request<string>({
        method: req.method,
        url: req.url,
        params: req.params,
        data: req.data,
        ...(req.headers ? { headers: req.headers } : {}),
        proxy: axiosProxy(proxy),
        signal: deadline,
        maxContentLength: req.maxBytes,
      });
      const headers = response.headers as Record<string, unknown>;
      return {
        status: response.status,
        data: String(response.data ?? ''),
        contentType: String(headers['content-type'] ?? ''),
        location: typeof headers.location === 'string' ? headers.location : undefined,
      };
    } catch (e) {
      const via = proxy?.display ?? null;
      if (deadline.aborted) throw new TransportFailure('deadline', via);
      if (isAxiosError(e) && /maxContentLength/i.test(e.message)) throw new TransportFailure('too-large', via);
      throw new TransportFailure('network', via, e);
    }
  }
}

function axiosProxy(proxy: OutboundProxy | null): AxiosProxyConfig | false {
  if (!proxy) return false;
  return { protocol: proxy.protocol, host: proxy.host, port: proxy.port, ...(proxy.auth ? { auth: proxy.auth } : {}) };
}

/** "10 s", "2.5 s": a timeout as a person reads it. */
export function secondsText(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? `${seconds} s` : `${seconds.toFixed(1)} s`;
}
