// Every credential is bound to where it was entered: the server URL, the TLS options it was verified with and, for
// Vault, the namespace. The binding lives in the keychain with the credential, out of reach of anything that can
// only change settings (a compromised window, a hand-edited config.json): a static LiteLLM key has it in its own
// account (`admin-key-binding`, naming the key by its SHA-256); an SSO session and a Vault token keep it inside
// their own entry (`sso-session`, `vault-token`), one JSON document with the secret (bindingDocument /
// readBindingDocument). A call may use a credential only on that URL, with TLS at least as strict; anything else
// needs the credential entered again, in the same call.
import { createHash } from 'node:crypto';
import type { CredentialBinding } from '../backend/index.js';
import { KeyfobError } from '../errors.js';
import type { SecretAccount } from '../ports.js';
import { isPlainObject } from '../text-rules.js';

export const ADMIN_KEY_BINDING_ACCOUNT = 'admin-key-binding' satisfies SecretAccount;

/** Where a stored credential may be sent; `backend` defaults to the LiteLLM proxy, `namespace` to none. */
export type BindingInput = Omit<CredentialBinding, 'backend' | 'namespace'> & Partial<Pick<CredentialBinding, 'backend' | 'namespace'>>;

/** @deprecated the static key's binding is a CredentialBinding like every other; kept for existing callers. */
export type AdminKeyBinding = BindingInput;

/** The binding as a plain object, to store inside a credential's own keychain entry. */
export function bindingDocument(binding: BindingInput): Record<string, unknown> {
  const doc: Record<string, unknown> = { v: 1, url: binding.url, ca_file: binding.ca_file, allow_insecure_tls: binding.allow_insecure_tls };
  if (binding.backend !== undefined && binding.backend !== 'litellm') doc.backend = binding.backend;
  if (binding.namespace) doc.namespace = binding.namespace;
  return doc;
}

/** The binding read back from bindingDocument's object, or null when it is not one (then the credential goes nowhere). */
export function readBindingDocument(doc: unknown): CredentialBinding | null {
  if (!isPlainObject(doc) || doc.v !== 1 || typeof doc.url !== 'string' || doc.url === '') return null;
  if (doc.ca_file !== null && typeof doc.ca_file !== 'string') return null;
  if (typeof doc.allow_insecure_tls !== 'boolean') return null;
  const backend = doc.backend ?? 'litellm';
  if (backend !== 'litellm' && backend !== 'vault') return null;
  const namespace = doc.namespace ?? null;
  if (namespace !== null && typeof namespace !== 'string') return null;
  return { backend, url: doc.url, ca_file: doc.ca_file, allow_insecure_tls: doc.allow_insecure_tls, namespace };
}

/**
 * The static key's binding as stored in `admin-key-binding`. With `secret`, it also names the key it belongs to (its
 * SHA-256), so that a crash between the two keychain writes of a connect can never pair a key with another's binding.
 */
export function encodeBinding(binding: BindingInput, secret?: string): string {
  const doc = bindingDocument(binding);
  if (secret !== undefined) doc.key_sha256 = secretFingerprint(secret);
  return JSON.stringify(doc);
}

/** False when the stored binding names another key than `secret` (one written before fingerprints matches any). */
export function bindingBelongsTo(stored: string | null, secret: string): boolean {
  if (stored === null) return false;
  try {
    const doc: unknown = JSON.parse(stored);
    return !isPlainObject(doc) || doc.key_sha256 === undefined || doc.key_sha256 === secretFingerprint(secret);
  } catch {
    return true;
  }
}

/** SHA-256 hex of a secret: names it (in a binding, in the identity cache) without holding it. */
export function secretFingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The stored binding, or null when there is none or it cannot be read (then the credential is treated as unbound). */
export function decodeBinding(stored: string | null): CredentialBinding | null {
  if (stored === null) return null;
  try {
    return readBindingDocument(JSON.parse(stored));
  } catch {
    return null;
  }
}

/**
 * Why the stored credential may not go to `target`, or null when it may: the same backend, URL and namespace,
 * certificate checks not switched off when they were on, and no CA file other than the one it was verified with
 * (dropping the CA file, back to public CAs only, is stricter and allowed). `noun` names the credential.
 */
export function bindingProblem(binding: BindingInput, target: BindingInput, noun = 'the stored LiteLLM key'): string | null {
  if ((target.backend ?? 'litellm') !== (binding.backend ?? 'litellm')) return `${noun} was entered for another kind of server`;
  if (target.url !== binding.url) return `${noun} was entered for ${binding.url}, not ${target.url}`;
  if ((target.namespace ?? null) !== (binding.namespace ?? null)) {
    return `${noun} was entered for ${binding.namespace ? `the namespace ${binding.namespace}` : 'no namespace'}`;
  }
  if (target.allow_insecure_tls && !binding.allow_insecure_tls) {
    return `${noun} was entered for ${binding.url} with TLS certificate checks on`;
  }
  if (target.ca_file !== null && target.ca_file !== binding.ca_file) {
    const was = binding.ca_file === null ? 'without an extra CA file' : `with the CA file ${binding.ca_file}`;
    return `${noun} was entered for ${binding.url} ${was}`;
  }
  return null;
}

/**
 * The error for a call that would take the stored key elsewhere: the key must be entered again. `validation` (on the
 * field adminKey) where the caller could have passed the key (a connection test); `not-connected` for any other
 * call, which cannot take a key: both mean no request was sent.
 */
export function keyNeededAgain(problem: string, target: BindingInput, kind: 'validation' | 'not-connected'): KeyfobError {
  const message = `is needed again: ${problem}`;
  const text = kind === 'validation' ? `adminKey: ${message}.` : `Your LiteLLM key is needed again: ${problem}; the settings now say ${target.url}.`;
  return new KeyfobError(kind, `${text} Enter your LiteLLM key for ${target.url} to use these settings.`, {
    fields: kind === 'validation' ? [{ field: 'adminKey', message }] : [],
    hint: `Run \`keyfob connect --url ${target.url}\` (your LiteLLM key is read from stdin or a prompt), or enter it in Settings → Connection in the Keyfob window.`,
  });
}
