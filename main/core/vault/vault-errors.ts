// How a Vault answer that is not a success becomes a KeyfobError that says what to do. Vault's body is the
// `{"errors":[…]}` envelope (core errors wrapped by go-multierror); a 403 never names the path, so the message adds
// the path and the capability that was asked for. Remote text is cleaned (control characters, keys, tokens).
import { KeyfobError } from '../errors.js';
import { cleanRemoteText, scrub } from '../litellm/index.js';

export interface VaultErrorContext {
  /** The server URL, for messages. */
  url: string;
  /** `GET litellm/creds/dev`. */
  method: string;
  path: string;
  /** Strings that must never appear in a message: the token. */
  secrets: readonly string[];
}

/** The capability a request needs, for a 403 message: Vault's policy words. */
export function capabilityOf(method: string, list: boolean): string {
  if (list) return 'list';
  if (method === 'GET') return 'read';
  if (method === 'DELETE') return 'delete';
  return 'update';
}

/** The messages of the envelope, unwrapped from go-multierror's "1 error occurred:\n\t* …". */
export function envelopeErrors(body: string, contentType: string): string[] | null {
  if (!/^application\/json\b/i.test(contentType.trim())) return null;
  try {
    const parsed = JSON.parse(body) as unknown;
    const errors = (parsed as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) return null;
    return errors.map((e) => String(e).replace(/^\d+ errors? occurred:\s*/, '').replace(/^\s*\*\s*/gm, '').trim()).filter((e) => e !== '');
  } catch {
    return null;
  }
}

const LEASE_GONE = /^(lease not found|invalid lease|lease expired|lease is expired)/i;
const NOT_RENEWABLE = /^(lease is not renewable|past the max TTL)/i;

/** Everything but the 403, which needs a lookup-self to tell a dead token from a policy denial (see VaultClient). */
export function vaultError(status: number, body: string, contentType: string, ctx: VaultErrorContext): KeyfobError {
  const errors = envelopeErrors(body, contentType);
  const said = scrub(cleanRemoteText((errors ?? []).join('; ')), ctx.secrets);
  const detail = said === '' ? undefined : said;
  const where = `${ctx.method} ${ctx.path}`;
  const opts = { status, ...(detail === undefined ? {} : { detail }) };
  if (status === 503) {
    const sealed = /sealed/i.test(said);
    return new KeyfobError('server-error', sealed ? `Vault at ${ctx.url} is sealed.` : `Vault at ${ctx.url} is not available (${said || 'HTTP 503'}).`, {
      ...opts, hint: sealed ? 'Ask your platform team to unseal Vault, then try again.' : 'Try again in a moment; if it persists, ask your platform team.',
    });
  }
  if (status === 429) {
    return new KeyfobError('server-error', `Vault refused ${where}: a rate-limit or lease-count quota is exceeded.`, {
      ...opts, hint: 'Wait a minute and try again, or revoke keys you no longer use; your platform team sets the quota.',
    });
  }
  if (status === 404) {
    if (/namespace not found/i.test(said)) {
      return new KeyfobError('invalid-request', `Vault at ${ctx.url} has no such namespace.`, { ...opts, hint: 'Check --namespace with your platform team.' });
    }
    return new KeyfobError('invalid-request', `Vault has nothing at ${ctx.path} (unknown path, role or mount).`, {
      ...opts, hint: 'Check the mount name (--mount) and the role with your platform team.',
    });
  }
  if (status === 400 && errors !== null) {
    const first = errors[0] ?? '';
    if (LEASE_GONE.test(first)) return new KeyfobError('not-found', 'Vault no longer knows this lease: it expired or was revoked.', { ...opts, hint: 'Issue a new key.' });
    if (NOT_RENEWABLE.test(first)) return new KeyfobError('not-renewable', `Vault will not renew this: ${said}.`, { ...opts, hint: 'Issue a new key.' });
    return new KeyfobError('invalid-request', `Vault refused ${where}: ${said}.`, opts);
  }
  if (status >= 500) return new KeyfobError('server-error', `Vault at ${ctx.url} failed on ${where}${said ? `: ${said}` : ` (HTTP ${status})`}.`, opts);
  if (status >= 300 && status < 400) {
    return new KeyfobError('server-error', `Vault at ${ctx.url} answered ${where} with a redirect (HTTP ${status}); Keyfob does not follow it with your token.`, {
      ...opts, hint: 'Use the URL Vault redirects to (often https:// or the active node) in keyfob connect.',
    });
  }
  return new KeyfobError('server-error', `Vault at ${ctx.url} answered ${where} with HTTP ${status}${said ? `: ${said}` : ''}.`, opts);
}

/** A 403 whose token still works: the policy lacks the capability on the path. */
export function policyDenied(ctx: VaultErrorContext, capability: string): KeyfobError {
  return new KeyfobError('admin-key-rejected', `Vault denied ${ctx.method} ${ctx.path}: your policy lacks "${capability}" on "${ctx.path}".`, {
    status: 403, hint: 'Ask your platform team to grant it (docs/team-vault.md lists the policy Keyfob needs).',
  });
}

/** Errors that say the Vault session (the token) has ended: Vault revoked every lease of it at that moment. */
const SESSION_ENDED = new WeakSet<KeyfobError>();

/** Marks `e` as "the Vault token has ended" (see sessionEnded). */
export function markSessionEnded(e: KeyfobError): KeyfobError {
  SESSION_ENDED.add(e);
  return e;
}

/** True when `e` says the token has ended (expired, revoked): its leases, and their keys, ended with it. */
export function sessionEnded(e: unknown): boolean {
  return e instanceof KeyfobError && SESSION_ENDED.has(e);
}

/** A 403 on lookup-self too: the token is missing, expired or revoked. */
export function tokenRejected(ctx: VaultErrorContext): KeyfobError {
  return markSessionEnded(new KeyfobError('admin-key-rejected', `Vault at ${ctx.url} no longer accepts your sign-in: the token is missing, expired or revoked.`, {
    status: 403, hint: 'Sign in again: keyfob connect --vault … (your keys from that session ended with it).',
  }));
}
