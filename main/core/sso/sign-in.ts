// The sign-in flow of LiteLLM's native CLI contract (../../../docs/connecting.md, "Sign in with SSO"): discovery, registration of a
// public client with a loopback redirect, the browser on `/authorize` with PKCE S256, `state` and `resource`, the one
// callback, and the code exchanged at `/token`. The result is a session record; storing it is the caller's.
import { normalizeProxyUrl } from '../litellm/index.js';
import type { Clock } from '../ports.js';
import { discover } from './discovery.js';
import { LoopbackListener, SIGN_IN_TIMEOUT_MS } from './loopback-listener.js';
import { newPkcePair, newState } from './pkce.js';
import { recordFromTokens, type SsoSessionRecord } from './session-record.js';
import { SsoHttp } from './sso-http.js';
import { exchangeCode, registerClient } from './token-endpoint.js';

/** Opens the authorize URL for the person (a browser, `$BROWSER`, `shell.openExternal`). */
export type OpenBrowser = (url: string) => void | Promise<void>;

export interface SignInOptions {
  /** The proxy URL as the person gave it. */
  url: string;
  clock: Clock;
  openBrowser: OpenBrowser;
  caFile?: string | null;
  allowInsecureTls?: boolean;
  /** Passed on as `team=` (LiteLLM's own client does; the consent page still decides). */
  team?: string | null;
  http?: SsoHttp;
  /** Default 5 minutes. */
  timeoutMs?: number;
}

export async function signInWithSso(opts: SignInOptions): Promise<SsoSessionRecord> {
  const url = normalizeProxyUrl(opts.url, 'url');
  const http = opts.http ?? new SsoHttp({ caFile: opts.caFile ?? null, allowInsecureTls: opts.allowInsecureTls === true });
  const endpoints = await discover(http, url);
  const state = newState();
  const pkce = newPkcePair();
  const listener = await LoopbackListener.open(state);
  try {
    const clientId = await registerClient(http, endpoints, listener.redirectUri);
    const authorize = new URL(endpoints.authorization);
    const params: Record<string, string> = {
      response_type: 'code', client_id: clientId, redirect_uri: listener.redirectUri, state,
      code_challenge: pkce.challenge, code_challenge_method: 'S256', resource: endpoints.resource,
      ...(opts.team ? { team: opts.team } : {}),
    };
    for (const [name, value] of Object.entries(params)) authorize.searchParams.set(name, value);
    const code = listener.waitForCode(opts.clock, opts.timeoutMs ?? SIGN_IN_TIMEOUT_MS);
    code.catch(() => undefined);
    await opts.openBrowser(authorize.toString());
    const received = await code;
    const tokens = await exchangeCode(http, endpoints, { clientId, code: received, verifier: pkce.verifier, redirectUri: listener.redirectUri });
    const binding = { backend: 'litellm' as const, url, ca_file: opts.caFile ?? null, allow_insecure_tls: opts.allowInsecureTls === true };
    return recordFromTokens({ binding, endpoints, clientId }, tokens, opts.clock.now());
  } finally {
    await listener.close();
  }
}
