// `GET {base}/.well-known/litellm-cli-auth`: where the proxy's sign-in lives. The document is trusted only as far as
// it can be checked: contract version 1, S256, the issuer equal to the base URL, and every endpoint and the
// `resource` on the proxy's own origin — a code or refresh token is never sent anywhere else.
import { KeyfobError } from '../errors.js';
import type { SsoHttp } from './sso-http.js';

export interface SsoEndpoints {
  /** The proxy base URL (origin + root path, no trailing slash): the issuer and the `resource`. */
  baseUrl: string;
  authorization: string;
  token: string;
  registration: string;
  revocation: string;
  resource: string;
}

export const DISCOVERY_PATH = '/.well-known/litellm-cli-auth';

export const OLDER_THAN_1_99 = 'this proxy is older than 1.99 (it has no sign-in for command-line clients): connect with a key';

/** Origin + path without a trailing slash: how the contract compares the issuer with the base URL. */
export function comparableUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

function refuse(baseUrl: string, why: string): KeyfobError {
  return new KeyfobError('server-error', `${baseUrl} offers a sign-in Keyfob will not use: ${why}.`, {
    hint: 'Ask the proxy admin to check PROXY_BASE_URL, or connect with a key.',
  });
}

function field(doc: Record<string, unknown>, name: string, baseUrl: string): string {
  const value = doc[name];
  if (typeof value !== 'string' || value === '') throw refuse(baseUrl, `its discovery document has no ${name}`);
  return value;
}

/** The checked endpoints of a discovery document. Exported for tests of the rules alone. */
export function checkDiscovery(doc: unknown, baseUrl: string): SsoEndpoints {
  const base = comparableUrl(baseUrl);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw refuse(base, 'its discovery document is not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.contract_version !== 1) throw refuse(base, `contract_version ${JSON.stringify(d.contract_version ?? null)}, Keyfob speaks version 1`);
  const methods = d.code_challenge_methods_supported;
  if (!Array.isArray(methods) || !methods.includes('S256')) throw refuse(base, 'it does not list PKCE S256');
  const issuer = field(d, 'issuer', base);
  if (comparableUrl(issuer) !== base) throw refuse(base, `its issuer ${issuer} is not the proxy URL`);
  const origin = new URL(base).origin;
  const endpoints = {
    authorization: field(d, 'authorization_endpoint', base),
    token: field(d, 'token_endpoint', base),
    registration: field(d, 'registration_endpoint', base),
    revocation: field(d, 'revocation_endpoint', base),
    resource: field(d, 'resource', base),
  };
  for (const [name, url] of Object.entries(endpoints)) {
    let endpointOrigin: string;
    try {
      endpointOrigin = new URL(url).origin;
    } catch {
      throw refuse(base, `its ${name} endpoint ${url} is not a URL`);
    }
    if (endpointOrigin !== origin) throw refuse(base, `its ${name} endpoint ${url} is on another origin than ${origin}`);
  }
  return { baseUrl: base, ...endpoints };
}

export async function discover(http: SsoHttp, baseUrl: string): Promise<SsoEndpoints> {
  const base = comparableUrl(baseUrl);
  const answer = await http.send({ method: 'GET', url: `${base}${DISCOVERY_PATH}`, label: 'the sign-in discovery request', secrets: [] });
  if (answer.status === 404) throw new KeyfobError('not-found', `${base}: ${OLDER_THAN_1_99}.`, { status: 404 });
  if (answer.status !== 200) {
    throw new KeyfobError('server-error', `${base} answered the sign-in discovery request with HTTP ${answer.status}.`, { status: answer.status });
  }
  return checkDiscovery(answer.json, base);
}
