// The closed set of keychain account names Keyfob writes: the LiteLLM admin key, where it may be sent (its binding,
// see admin-key-binding.ts), and one entry per lease.
// Anything else is refused, so no caller can scatter free-form entries through the person's keychain. The one
// exception is the keychain probe's throw-away entry, `keyfob-probe-<uuid>`: a fresh name for every probe (two
// processes probing the same service at once must not read each other's test value), written and deleted at once
// by the secret store itself, never reachable through the SecretStore port.
import { randomUUID } from 'node:crypto';
import { KeyfobError } from '../errors.js';
import type { SecretAccount } from '../ports.js';
import { ADMIN_KEY_BINDING_ACCOUNT } from './credential-binding.js';

export const ADMIN_KEY_ACCOUNT = 'admin-key' satisfies SecretAccount;
export const SSO_SESSION_ACCOUNT = 'sso-session' satisfies SecretAccount;
export const VAULT_TOKEN_ACCOUNT = 'vault-token' satisfies SecretAccount;
export const LEDGER_SEAL_ACCOUNT = 'ledger-seal' satisfies SecretAccount;

const FIXED_ACCOUNTS: ReadonlySet<string> = new Set([ADMIN_KEY_ACCOUNT, ADMIN_KEY_BINDING_ACCOUNT, SSO_SESSION_ACCOUNT, VAULT_TOKEN_ACCOUNT, LEDGER_SEAL_ACCOUNT]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isSecretAccount(value: unknown): value is SecretAccount {
  if (typeof value === 'string' && FIXED_ACCOUNTS.has(value)) return true;
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
    throw new KeyfobError('internal', `Refusing keychain account ${shown}: only ${[...FIXED_ACCOUNTS].map((a) => `"${a}"`).join(', ')} and "lease:<uuid>" are used.`);
  }
}

const PROBE_PREFIX = 'keyfob-probe-';

/** A fresh account name for one keychain probe. */
export function newProbeAccount(): string {
  return `${PROBE_PREFIX}${randomUUID()}`;
}

/** Exactly `keyfob-probe-<lower-case uuid>`, and nothing else, is a probe account. */
export function isProbeAccount(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PROBE_PREFIX) && UUID.test(value.slice(PROBE_PREFIX.length));
}

export function assertProbeAccount(value: unknown): asserts value is string {
  if (!isProbeAccount(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : typeof value;
    throw new KeyfobError('internal', `Refusing keychain probe account ${shown}: only "keyfob-probe-<uuid>" is used.`);
  }
}
