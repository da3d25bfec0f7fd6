// The ledger's seal (issue 21, major 3): `leases.json` is a plain file any process of the person can edit, but the
// key it names is deleted with the admin credential. Each entry carries an HMAC over its identity fields (lease id,
// role, alias, token hash, backend, backend ref) under a per-install key kept in the keychain (`ledger-seal`,
// created on first issue). Before Keyfob writes or deletes anything on the backend for an entry (a revoke, a retry,
// the sweep of an unfinished issue, reconcile, renew, forget), the seal must hold; an entry whose seal does not is
// quarantined, never acted on. A local check: no request is added to any operation. See docs/security.md.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LEDGER_SEAL_ACCOUNT } from '../keychain/index.js';
import type { SecretStore } from '../ports.js';
import type { Lease } from '../types.js';

const SEAL_VERSION = 'v1';

/** The fields that say which key an entry aims at. Anything else (state, times, errors) may change without a reseal. */
function identity(lease: Lease): string {
  return JSON.stringify([lease.lease_id, lease.role, lease.key_alias, lease.token_hash, lease.backend, lease.backend_ref]);
}

export function sealOf(key: Buffer, lease: Lease): string {
  return `${SEAL_VERSION}:${createHmac('sha256', key).update(identity(lease)).digest('hex')}`;
}

export function sealHolds(key: Buffer, lease: Lease): boolean {
  if (typeof lease.seal !== 'string') return false;
  const expected = Buffer.from(sealOf(key, lease));
  const given = Buffer.from(lease.seal);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The sealing key in the keychain: read once it exists (then cached), created on first need. */
export class LedgerSealKey {
  private known: Buffer | null = null;

  constructor(private readonly store: SecretStore) {}

  /** The key, or null while this install has none yet (it has never issued since sealing began). Throws when the keychain cannot be read. */
  async current(): Promise<Buffer | null> {
    if (this.known) return this.known;
    const stored = await this.store.get(LEDGER_SEAL_ACCOUNT);
    const key = stored ? decode(stored) : null;
    if (key) this.known = key;
    return key;
  }

  /** The key, created now if there is none. `created`: the entries written before it must be sealed (trust on first use). */
  async ensure(): Promise<{ key: Buffer; created: boolean }> {
    const existing = await this.current();
    if (existing) return { key: existing, created: false };
    await this.store.set(LEDGER_SEAL_ACCOUNT, randomBytes(32).toString('base64'));
    // Read back: of two processes creating it at once, both go on with the one the keychain kept.
    const key = await this.current();
    if (!key) throw new Error('the keychain did not keep the ledger seal');
    return { key, created: true };
  }
}

function decode(text: string): Buffer | null {
  const key = Buffer.from(text, 'base64');
  return key.length === 32 ? key : null;
}
