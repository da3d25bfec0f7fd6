// Lease state as a long-running Keyfob would have it, without issuing thousands of keys through Keyfob: the keys are
// created on the simulator by plain admin calls (so the server side is real), and the ledger file is written with a
// lease for each, the way the lease manager writes it. Secrets go to the keychain only when a part needs them.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LEDGER_FORMAT_VERSION, mapBounded } from '../../main/core/leases/index.js';
import { redactKey } from '../../main/core/errors.js';
import { LEDGER_FILE } from '../../main/core/settings/index.js';
import { leaseAccount } from '../../main/core/keychain/index.js';
import type { SecretStore } from '../../main/core/ports.js';
import type { Lease } from '../../main/core/types.js';
import { BareClient } from './bare-http.js';
import { ledgerLease } from '../../test/support/lease-builder.js';

export interface SeededLease {
  lease: Lease;
  key: string;
}

export interface SeedOptions {
  url: string;
  adminKey: string;
  ledgerId: string;
  count: number;
  /** Seconds of `duration` for the i-th key (its expiry counted from the simulator's clock). */
  durationSeconds: (i: number) => number;
  /** Issue time written to the ledger for the i-th lease (epoch ms). */
  issuedAt: (i: number) => number;
  ttlSeconds: number;
  maxTtlSeconds: number;
}

/** Creates `count` keys on the proxy (16 at a time) and the ledger's lease for each. */
export async function seedLeases(opts: SeedOptions): Promise<SeededLease[]> {
  const client = new BareClient(opts.url, opts.adminKey);
  const indexes = Array.from({ length: opts.count }, (_, i) => i);
  const results = await mapBounded(indexes, async (i): Promise<SeededLease> => {
    const leaseId = randomUUID();
    const alias = `keyfob-dev-${randomUUID().slice(0, 8)}`;
    const answer = await client.post('/key/generate', {
      models: ['gpt-4o'],
      key_alias: alias,
      metadata: { keyfob_role: 'dev', keyfob_lease_id: leaseId, keyfob_ledger: opts.ledgerId },
      duration: `${opts.durationSeconds(i)}s`,
    });
    const key = answer.key as string;
    const issued = opts.issuedAt(i);
    return {
      key,
      lease: ledgerLease({
        lease_id: leaseId,
        key_alias: alias,
        token_hash: answer.token as string,
        key_hint: redactKey(key),
        models: ['gpt-4o'],
        issued_at: new Date(issued).toISOString(),
        expires_at: new Date(Date.parse(answer.expires as string)).toISOString(),
        max_expires_at: new Date(issued + opts.maxTtlSeconds * 1000).toISOString(),
        ttl_seconds: opts.ttlSeconds,
      }),
    };
  }, { limit: 16 });
  return results.map((r) => {
    if (r?.status !== 'fulfilled') throw r?.reason ?? new Error('seeding stopped');
    return r.value;
  });
}

/** Writes the ledger file the lease manager would have written for these leases. */
export function writeLedger(stateDir: string, ledgerId: string, leases: readonly Lease[]): void {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const doc = {
    ledger_id: ledgerId,
    format_version: LEDGER_FORMAT_VERSION,
    revision: 1,
    recovery_needed: false,
    leases: Object.fromEntries(leases.map((l) => [l.lease_id, l])),
    claims: {},
  };
  fs.writeFileSync(path.join(stateDir, LEDGER_FILE), JSON.stringify(doc), { mode: 0o600 });
}

/** Puts each lease's key in the keychain, as issuing would have (8 at a time). */
export async function storeSecrets(store: SecretStore, seeded: readonly SeededLease[]): Promise<void> {
  await mapBounded(seeded, (s) => store.set(leaseAccount(s.lease.lease_id), s.key), { limit: 8 });
}

export async function removeSecrets(store: SecretStore, seeded: readonly SeededLease[]): Promise<void> {
  await mapBounded(seeded, (s) => store.delete(leaseAccount(s.lease.lease_id)).catch(() => false), { limit: 8 });
}
