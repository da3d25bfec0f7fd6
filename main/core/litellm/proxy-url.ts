// The LiteLLM proxy's base URL as Keyfob stores it: http(s) origin plus any path prefix (proxies mounted under
// `/litellm`, or LiteLLM's own `SERVER_ROOT_PATH=/api/v1`), without trailing slashes. A trailing `/v1` is kept: it may
// be the proxy's root path, or an OpenAI-style base copied from a client config — the client tries it as given and
// drops it only when the proxy is not found there (litellm-client.ts).
import { KeyfobError } from '../errors.js';
import { textProblem } from '../text-rules.js';

const EXAMPLE = 'for example "https://litellm.example.com" or "http://localhost:4000"';

function urlError(field: string, message: string): KeyfobError {
  return new KeyfobError('validation', `${field}: ${message}`, { fields: [{ field, message }] });
}

/** Matches the settings schema's bound: longer is never a real proxy address. */
export const MAX_URL_LENGTH = 2048;

/** Validates and normalises a proxy URL; errors name `field` and never echo credentials. */
export function normalizeProxyUrl(input: unknown, field = 'url'): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw urlError(field, `is required: the address of your LiteLLM proxy, ${EXAMPLE}`);
  }
  const text = input.trim();
  const problem = textProblem(text, MAX_URL_LENGTH);
  if (problem) throw urlError(field, problem);
  if (!/^https?:\/\//i.test(text)) {
    throw urlError(field, `must start with http:// or https://, ${EXAMPLE}`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw urlError(field, `is not a valid URL: write it ${EXAMPLE}`);
  }
  if (url.username !== '' || url.password !== '' || /^https?:\/\/[^/?#]*@/i.test(text)) {
    throw urlError(field, 'must not contain a user name or password: put the key in the admin-key field instead');
  }
  if (text.includes('?') || text.includes('#')) {
    throw urlError(field, `must not contain a query ("?…") or fragment ("#…"), ${EXAMPLE}`);
  }
  if (url.hostname === '') {
    throw urlError(field, `needs a host name, ${EXAMPLE}`);
  }
  const pathname = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${pathname}`;
}

/** A normalised URL without its trailing `/v1` (unchanged when it has none). */
export function withoutV1Suffix(url: string): string {
  return url.replace(/\/v1$/i, '');
}
