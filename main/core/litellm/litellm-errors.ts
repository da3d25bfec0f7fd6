// Every way a call to the LiteLLM proxy can fail, as one KeyfobError kind with a message a person can act on.
// The answers come in several shapes (../shared/litellm-admin-api.md): the proxy's `{"error": {...}}` envelope with
// `code` as a string or an integer, FastAPI's 422 `{"detail": [...]}`, Python-repr messages, text/plain 500s,
// HTML pages from gateways. Errors are built fresh: the axios error (whose config holds the admin key in a header)
// is never attached, and every message is redacted.
import { isAxiosError } from 'axios';
import { KeyfobError, redactKey, redactText, type ErrorKind, type FieldError } from '../errors.js';
import { oneLine, parseErrorBody } from './litellm-error-body.js';

export { parseErrorBody, unwrapPythonRepr, type ProxyErrorBody } from './litellm-error-body.js';

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

const TLS_REASONS: ReadonlyArray<[RegExp, string]> = [
  [/^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/, 'its certificate is self-signed'],
  [/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_UNTRUSTED)$/, "its certificate's issuer is not trusted"],
  [/^CERT_HAS_EXPIRED$/, 'its certificate has expired'],
  [/^CERT_NOT_YET_VALID$/, 'its certificate is not valid yet'],
  [/^(ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)$/, 'its certificate is for another host name'],
  [/^(EPROTO|ERR_SSL_WRONG_VERSION_NUMBER)$/, 'the TLS handshake failed (is that port plain http rather than https?)'],
  [/^(CERT_|ERR_TLS_|ERR_SSL_|ERR_OSSL_|UNABLE_TO_|INVALID_CA|INVALID_PURPOSE|CERT_REJECTED)/, 'the TLS handshake failed'],
];

/** Where the request timeout is raised; the CLI rewrites "in Settings" to its own `keyfob config set`. */
export const TIMEOUT_HINT = 'Is the proxy overloaded, or the network slow? The request timeout can be raised in Settings.';
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
    return make('timeout', `${base} did not answer${seconds}${via}.`, TIMEOUT_HINT);
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

/** Role fields as `upperbound_key_generate_params` and `required_params` name them. */
const ROLE_FIELD: Readonly<Record<string, string>> = {
  duration: 'ttl', max_budget: 'max_budget', budget_duration: 'budget_duration', tpm_limit: 'tpm_limit',
  rpm_limit: 'rpm_limit', max_parallel_requests: 'max_parallel_requests', team_id: 'team_id', user_id: 'user_id',
  models: 'models', metadata: 'metadata',
};

/** A key the proxy says it does not hold, in every era's words (404 `No keys found`/`Key not found`, 401 `does not exist in db`). */
const KEY_GONE = /no keys found|user key does not exist in db|key=\S* does not exist in db|key not found/i;
/** About the key's team, not the key: the key is still there. */
const TEAM_GONE = /team doesn'?t exist in db|team not found|unable to find team object/i;
/** Said by the auth layer of a proxy without a database to any key that is not its master key. */
const AUTH_NO_DB = /no connected db/i;
/** Said by an endpoint (the caller passed auth, so it holds the master key). */
const ENDPOINT_NO_DB = /db not connected|not connected to db|database not connected|no db connected|connect proxy to database/i;

interface Refusal {
  pattern: RegExp;
  /** The person's message and what to ask for, from the regex groups. */
  explain: (m: RegExpExecArray) => { text: string; hint: string; field?: string };
}

/** What the proxy refuses a credential that is not the master key, and what to ask the admin for instead. */
const REFUSALS: readonly Refusal[] = [
  {
    pattern: /user can only create keys for themselves\. got user_id=([^,\s]+),\s*your id=([^\s.,]+)/i,
    explain: (m) => ({
      text: `This credential (user ${m[2]}) may create keys only for itself, and the role asks for user ${m[1]}.`,
      hint: `Clear the role's user_id (Keyfob then sets ${m[2]}), or ask the proxy admin for a key that may create keys for ${m[1]}.`,
      field: 'user_id',
    }),
  },
  {
    pattern: /personal key creation has been restricted by admin\.?\s*allowed roles=(\[[^\]]*\])\.?\s*your role=([\w-]+)/i,
    explain: (m) => ({
      text: `This proxy lets only ${m[1]} create personal keys, and this credential is ${m[2]}.`,
      hint: "Give the role a team_id of a team you belong to (a team key), or ask the proxy admin for one of those roles.",
      field: 'team_id',
    }),
  },
  {
    pattern: /required param (\w+) not in data/i,
    explain: (m) => ({
      text: `The proxy's key_generation_settings require "${m[1]}" on every key, and the role does not set it.`,
      hint: `Set ${ROLE_FIELD[m[1] as string] ?? m[1]} in the role (ask the proxy admin which value is expected).`,
      field: ROLE_FIELD[m[1] as string] ?? (m[1] as string),
    }),
  },
  {
    pattern: /user=([^\s]+) not assigned to team=([^\s.]+)/i,
    explain: (m) => ({
      text: `User ${m[1]} is not a member of team ${m[2]}.`,
      hint: `Ask the admin of team ${m[2]} to add ${m[1]} to it, or change the role's team_id.`,
      field: 'team_id',
    }),
  },
  {
    pattern: /team member role (\S+) not in allowed_team_member_roles=(\[[^\]]*\])/i,
    explain: (m) => ({
      text: `As a team ${m[1]}, this credential may not create team keys (allowed: ${m[2]}).`,
      hint: "Ask the team's admin to give you one of those team roles.",
      field: 'team_id',
    }),
  },
  {
    pattern: /team member does not have permissions for endpoint:\s*(\S+?)\.?(?:\s|$)/i,
    explain: (m) => ({
      text: `This team member may not call ${m[1]} for the team's keys.`,
      hint: `Ask the team's admin to allow ${m[1]} in the team's member permissions (team_member_permissions), or to make you a team admin.`,
      field: 'team_id',
    }),
  },
  {
    pattern: /unable to find team object in database\.\s*team id:\s*(\S+)/i,
    explain: (m) => ({
      text: `The team ${m[1]} does not exist on the proxy.`,
      hint: "Check the role's team_id against the teams you belong to (`keyfob status`).",
      field: 'team_id',
    }),
  },
  {
    pattern: /only proxy admin can be used to generate, delete, update info.*your role=([\w-]+)/i,
    explain: (m) => ({
      text: `This credential (${m[1]}) may not create or change keys.`,
      hint: 'Ask the proxy admin for an internal-user key (personal keys) or a team key, then run `keyfob connect` with it.',
    }),
  },
  {
    pattern: /user not allowed to access this route, role=\s*([\w-]+)/i,
    explain: (m) => ({
      text: `This credential is view-only (${m[1]}): it may not create or change keys.`,
      hint: 'Ask the proxy admin for an internal-user key (personal keys) or a team key, then run `keyfob connect` with it.',
    }),
  },
  {
    pattern: /you are not authorized to delete this key|is not allowed to update key|you are not allowed to access this key's info/i,
    explain: () => ({
      text: 'This credential may not manage this key (it was created by someone else, or for a team you do not administer).',
      hint: "Ask the key's owner or the team's admin to delete it, or connect with the credential that created it.",
    }),
  },
  {
    pattern: /no 'user_id' is associated with your api key|not authorized to check another user's keys|not authorized to check this team's keys/i,
    explain: () => ({
      text: "This credential may not list the proxy's keys.",
      hint: 'Ask the proxy admin for a key that belongs to a user (an internal-user key), then run `keyfob connect` with it.',
    }),
  },
];

/** `'duration is over max limit set in config - user_value=86400s; max_value=3600s'` → the role field it names. */
const OVER_MAX = /(\w+) is over max limit set in config - user_value=([^;]*);\s*max_value=(\S+)/i;

/** Maps an HTTP error answer (status, body, content type) to a KeyfobError. */
export function errorFromResponse(status: number, data: unknown, contentType: string, ctx: LiteLLMErrorContext, location?: string): KeyfobError {
  const body = parseErrorBody(data, contentType);
  const reason = body.reason || `HTTP ${status}`;
  const base = ctx.baseUrl;
  const detail = scrub(reason, ctx.secrets);
  const make = (kind: ErrorKind, text: string, hint?: string, fields?: FieldError[]) =>
    fresh(kind, text, ctx, { status, detail, ...(hint === undefined ? {} : { hint }), ...(fields ? { fields } : {}) });
  const type = body.type ?? '';

  if ((status === 400 || status === 401) && AUTH_NO_DB.test(reason)) {
    return make('admin-key-rejected', `The proxy at ${base} runs without a database, so it accepts only its master key, and this key is not it (${status}).`,
      "Connect with the proxy's master key, or give the proxy a database (DATABASE_URL) to use other keys.");
  }
  if (ENDPOINT_NO_DB.test(reason) || AUTH_NO_DB.test(reason)) {
    return make('no-database', `The proxy runs without a database; virtual keys need one — set DATABASE_URL on the proxy (${reason}).`,
      'Start the LiteLLM proxy with a DATABASE_URL (PostgreSQL), then try again.');
  }
  if (body.shape === 'html') {
    return make('server-error', `${base} answered ${status} with ${reason} instead of LiteLLM's JSON.`,
      'Check that the URL points at the LiteLLM proxy itself, not a web page, login portal or gateway.');
  }
  if (status >= 300 && status < 400) {
    const target = location ? ` to ${oneLine(location)}` : '';
    // Never followed: the request carries the admin key, and a redirect may lead anywhere.
    return make('server-error', `${base} redirects${target} (${status}); Keyfob does not follow redirects with the admin key.`,
      'If that address is really your proxy, connect to it directly.');
  }
  const overMax = OVER_MAX.exec(reason);
  if (overMax) {
    const [, param = '', asked = '', max = ''] = overMax;
    const field = ROLE_FIELD[param] ?? param;
    const message = `is over the proxy's limit (upperbound_key_generate_params.${param}: at most ${max}, asked ${asked.trim()})`;
    return make('invalid-request', `${field}: ${message}.`, `Lower the role's ${field} to ${max} or less, or ask the proxy admin to raise the limit.`,
      [{ field, message }]);
  }
  if (ctx.keyTarget && TEAM_GONE.test(reason)) {
    return make('invalid-request', `The proxy refused the request (${status}) because of the key's team, not the key: the team no longer exists on the proxy (${reason}).`,
      'The key is still there. Ask the proxy admin to restore the team, or revoke the lease and issue a new key.');
  }
  for (const refusal of REFUSALS) {
    const m = refusal.pattern.exec(reason);
    if (!m) continue;
    const { text, hint, field } = refusal.explain(m);
    return make('invalid-request', `The proxy refused (${status}): ${text}`, hint, field ? [{ field, message: text }] : undefined);
  }
  if (ctx.keyTarget && (status === 401 || status === 403 || status === 404) && KEY_GONE.test(reason)) {
    return make('not-found', `The proxy does not know this key (${status}).`);
  }
  if (status === 401 || status === 403) {
    if (/^(expired_key|budget_exceeded|key_model_access_denied)$/.test(type) || /key is blocked|expired key|budget has been exceeded/i.test(reason)) {
      return make('invalid-request', `The proxy refused the request (${status}): ${reason}`);
    }
    if (/enterprise|premium (feature|user)|licen[cs]e/i.test(reason)) {
      return make('invalid-request', `The proxy refused the request: it needs LiteLLM Enterprise (${status}): ${reason}`);
    }
    return make('admin-key-rejected', `The proxy at ${base} rejected the admin key (${status}).`,
      "Use the proxy's master key, or a personal or team key it accepts, and connect again.");
  }
  if (status === 404) {
    if (body.routeNotFound || !ctx.keyTarget) {
      return make('server-error', `${base} has no ${ctx.endpoint} (404): is this a LiteLLM proxy, and is the URL (with any path prefix) right?`);
    }
    // A 404 about something else than the key (its wording unknown): the key may well still be there.
    return make('server-error', `The proxy answered ${ctx.endpoint} with 404 for a reason Keyfob does not know: ${reason}`,
      'The key is kept; Keyfob will try again.');
  }
  if (status === 400 && (body.param === 'key_alias' || /alias.*already exists|already exists.*alias/i.test(reason))) {
    return make('alias-taken', `The key alias is already taken on the proxy: ${reason}`);
  }
  if (/invalid duration format|unsupported duration unit/i.test(reason)) {
    // Current releases answer 500 for a bad duration; it is still the request that is wrong.
    return make('invalid-request', `The proxy refused the request's duration (${status}): ${reason}`);
  }
  if (/monthly resets currently only support 1 month/i.test(reason)) {
    return make('invalid-request', `The proxy supports only "1mo" as a monthly budget period (${status}).`, 'Use days instead, like "90d".',
      [{ field: 'budget_duration', message: 'the proxy supports only "1mo" as a monthly period' }]);
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

// ---------------------------------------------------------------------------------------------------------------

function fresh(kind: ErrorKind, message: string, ctx: LiteLLMErrorContext,
  opts: { hint?: string; status?: number; networkCode?: string; detail?: string; fields?: FieldError[] }): KeyfobError {
  const fields = opts.fields?.map((f) => ({ field: f.field, message: scrub(f.message, ctx.secrets) }));
  return new KeyfobError(kind, scrub(message, ctx.secrets), {
    ...opts,
    ...(opts.hint === undefined ? {} : { hint: scrub(opts.hint, ctx.secrets) }),
    ...(fields ? { fields } : {}),
  });
}

/** Redacts `sk-` material and any exact secret the caller named (an admin key need not start with `sk-`). */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(redactKey(secret));
  }
  return redactText(out);
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
