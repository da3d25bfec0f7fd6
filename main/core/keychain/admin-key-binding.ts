// The admin key is bound to where it was entered: the proxy URL and the TLS options it was verified with. The
// binding lives in the keychain next to the key (account `admin-key-binding`), out of reach of anything that can
// only change settings (a compromised window, a hand-edited config.json). A call may use the stored key only on
// that URL, with TLS at least as strict; anything else needs the key entered again, in the same call.
import { createHash } from 'node:crypto';
import { KeyfobError } from '../errors.js';
import type { SecretAccount } from '../ports.js';
import { isPlainObject } from '../text-rules.js';

export const ADMIN_KEY_BINDING_ACCOUNT = 'admin-key-binding' satisfies SecretAccount;

/** Where a stored admin key may be sent. */
export interface AdminKeyBinding {
  /** The normalised proxy URL (scheme, host, port, path). */
  url: string;
  /** The extra CA file the key was verified with, or null (public CAs only). */
  ca_file: string | null;
  allow_insecure_tls: boolean;
}

/**
 * The binding as stored. With `adminKey`, it also names the key it belongs to (its SHA-256), so that a crash between
 * the two keychain writes of a connect can never pair a key with another key's binding.
 */
export function encodeBinding(binding: AdminKeyBinding, adminKey?: string): string {
  const doc: Record<string, unknown> = { v: 1, url: binding.url, ca_file: binding.ca_file, allow_insecure_tls: binding.allow_insecure_tls };
  if (adminKey !== undefined) doc.key_sha256 = keyFingerprint(adminKey);
  return JSON.stringify(doc);
}

/** False when the stored binding names another key than `adminKey` (one written before fingerprints matches any). */
export function bindingBelongsTo(stored: string | null, adminKey: string): boolean {
  if (stored === null) return false;
  try {
    const doc: unknown = JSON.parse(stored);
    return !isPlainObject(doc) || doc.key_sha256 === undefined || doc.key_sha256 === keyFingerprint(adminKey);
  } catch {
    return true;
  }
}

function keyFingerprint(adminKey: string): string {
  return createHash('sha256').update(adminKey, 'utf8').digest('hex');
}

/** The stored binding, or null when there is none or it cannot be read (then the key is treated as unbound). */
export function decodeBinding(stored: string | null): AdminKeyBinding | null {
  if (stored === null) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(stored);
  } catch {
    return null;
  }
  if (!isPlainObject(doc) || doc.v !== 1 || typeof doc.url !== 'string' || doc.url === '') return null;
  if (doc.ca_file !== null && typeof doc.ca_file !== 'string') return null;
  if (typeof doc.allow_insecure_tls !== 'boolean') return null;
  return { url: doc.url, ca_file: doc.ca_file, allow_insecure_tls: doc.allow_insecure_tls };
}

/**
 * Why the stored key may not go to `target`, or null when it may: the same URL, certificate checks not switched
 * off when they were on, and no CA file other than the one it was verified with (dropping the CA file, back to
 * public CAs only, is stricter and allowed).
 */
export function bindingProblem(binding: AdminKeyBinding, target: AdminKeyBinding): string | null {
  if (target.url !== binding.url) return `the stored admin key was entered for ${binding.url}, not ${target.url}`;
  if (target.allow_insecure_tls && !binding.allow_insecure_tls) {
    return `the stored admin key was entered for ${binding.url} with TLS certificate checks on`;
  }
  if (target.ca_file !== null && target.ca_file !== binding.ca_file) {
    const was = binding.ca_file === null ? 'without an extra CA file' : `with the CA file ${binding.ca_file}`;
    return `the stored admin key was entered for ${binding.url} ${was}`;
  }
  return null;
}

/**
 * The error for a call that would take the stored key elsewhere: the key must be entered again. `validation` (on the
 * field adminKey) where the caller could have passed the key (a connection test); `not-connected` for any other
 * call, which cannot take a key: both mean no request was sent.
 */
export function keyNeededAgain(problem: string, target: AdminKeyBinding, kind: 'validation' | 'not-connected'): KeyfobError {
  const message = `is needed again: ${problem}`;
  const text = kind === 'validation' ? `adminKey: ${message}.` : `The admin key is needed again: ${problem}; the settings now say ${target.url}.`;
  return new KeyfobError(kind, `${text} Enter the admin key for ${target.url} to use these settings.`, {
    fields: kind === 'validation' ? [{ field: 'adminKey', message }] : [],
    hint: `Run \`keyfob connect --url ${target.url}\` (the admin key is read from stdin or a prompt), or enter it in Settings → Connection in the Keyfob window.`,
  });
}
