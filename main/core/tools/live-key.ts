// The hot path of `keyfob token` and `keyfob env`: a live lease with enough left is answered from the ledger file
// and the keychain, with no request, no lock and no settings store (conf alone costs ~175 ms to load). Anything
// this reader is not sure about — no ledger, a ledger it cannot parse, a lease to renew or issue — returns null,
// and the caller takes the slow path through the lease manager, which has the full rules.
import fs from 'node:fs';
import { leaseAccount } from '../keychain/index.js';
import type { SecretStore } from '../ports.js';
import type { Lease } from '../types.js';
import { decideToken } from './token-policy.js';
import { recordToolAsk } from './tool-asks.js';

/** The ledger formats this reader understands (leases/lease-ledger.ts LEDGER_FORMAT_VERSION; 2 added backends). */
const LEDGER_FORMATS: readonly unknown[] = [1, 2];

export interface LiveKeyInput {
  /** `<stateDir>/leases.json`. */
  ledgerPath: string;
  /** The normalised role name. */
  role: string;
  now: number;
  minLeftSeconds?: number;
  secretStore: Pick<SecretStore, 'get'>;
}

export interface LiveKey {
  key: string;
  lease: Lease;
}

/** `keyfob token --json`'s shape for scripts. */
export function tokenJson(t: { key: string; lease: Pick<Lease, 'lease_id' | 'expires_at' | 'max_expires_at'> }): { key: string; lease_id: string; expires_at: string | null; max_expires_at: string | null } {
  return { key: t.key, lease_id: t.lease.lease_id, expires_at: t.lease.expires_at, max_expires_at: t.lease.max_expires_at };
}

/** The ledger's leases, or null when the file is missing or not a ledger this reader knows. */
export function readLedgerLeases(ledgerPath: string): Lease[] | null {
  let text: string;
  try {
    text = fs.readFileSync(ledgerPath, 'utf8');
  } catch {
    return null;
  }
  try {
    const doc = JSON.parse(text) as { format_version?: unknown; leases?: unknown };
    if (!LEDGER_FORMATS.includes(doc.format_version) || typeof doc.leases !== 'object' || doc.leases === null) return null;
    return Object.values(doc.leases as Record<string, Lease>).filter((l) => typeof l?.lease_id === 'string' && typeof l.state === 'string');
  } catch {
    return null;
  }
}

/** The key of a live lease that needs no request, or null (take the slow path). Keychain errors are thrown. */
export async function readLiveKey(input: LiveKeyInput): Promise<LiveKey | null> {
  const leases = readLedgerLeases(input.ledgerPath);
  if (!leases) return null;
  const decision = decideToken({ leases, role: input.role, now: input.now, ...(input.minLeftSeconds === undefined ? {} : { minLeftSeconds: input.minLeftSeconds }) });
  if (decision.action !== 'use') return null;
  const key = await input.secretStore.get(leaseAccount(decision.lease.lease_id));
  return key ? { key, lease: decision.lease } : null;
}

/** readLiveKey, and the ask recorded for the Keys screen (`stateDir` holds the ledger). */
export async function answerFromLedger(input: LiveKeyInput & { stateDir: string; via: 'token' | 'env' }): Promise<LiveKey | null> {
  const live = await readLiveKey(input);
  if (live) recordToolAsk(input.stateDir, { lease_id: live.lease.lease_id, role: live.lease.role, last_asked_at: new Date(input.now).toISOString(), via: input.via });
  return live;
}
