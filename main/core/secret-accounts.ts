// The closed set of keychain account names Keyfob writes: the LiteLLM admin key, and one entry per lease.
// Anything else is refused, so no caller can scatter free-form entries through the person's keychain.
import { KeyfobError } from './errors.js';
import type { SecretAccount } from './ports.js';

export const ADMIN_KEY_ACCOUNT = 'admin-key' satisfies SecretAccount;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isSecretAccount(value: unknown): value is SecretAccount {
  if (value === ADMIN_KEY_ACCOUNT) return true;
  return typeof value === 'string' && value.startsWith('lease:') && UUID.test(value.slice('lease:'.length));
}

/** The account of a lease's key; `leaseId` must be a lower-case UUID (what crypto.randomUUID returns). */
export function leaseAccount(leaseId: string): SecretAccount {
  const account = `lease:${leaseId}` as const;
  assertSecretAccount(account);
  return account;
}

export function assertSecretAccount(value: unknown): asserts value is SecretAccount {
  if (!isSecretAccount(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : typeof value;
    throw new KeyfobError('internal', `Refusing keychain account ${shown}: only "admin-key" and "lease:<uuid>" are used.`);
  }
}
