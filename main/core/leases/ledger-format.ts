// The ledger file's format: the document's shape, reading it (every field Keyfob acts on validated, older formats
// migrated: format 1 had no `backend`/`backend_ref`) and writing it (each frozen lease's JSON cached). The ledger
// itself (lease-ledger.ts) owns the file, its lock and its history.
import { randomUUID } from 'node:crypto';
import { KeyfobError } from '../errors.js';
import type { Lease, LeaseState } from '../types.js';

/** 2: each lease records its `backend` and `backend_ref` (format 1 is read as `litellm`, `null`). */
export const LEDGER_FORMAT_VERSION = 2;

const LEASE_STATES: readonly LeaseState[] = ['pending', 'active', 'revoking', 'revoked', 'expired', 'irrevocable'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Lease ids are `crypto.randomUUID()`. */
export function isLeaseId(s: unknown): s is string {
  return typeof s === 'string' && UUID.test(s);
}

/**
 * A lease manager working on a lease right now (issuing it, revoking it). Others leave a claimed lease alone until
 * the claim's `until`, unless its owner is gone: a process on this host that no longer exists (killed mid-call), or
 * a lease manager in this very process that was stopped (two cores in one process share the pid, so the pid alone
 * cannot tell them apart — the instance does).
 */
export interface LeaseClaim {
  /** `<host>:<pid>:<instance>` — one per lease manager. */
  owner: string;
  host: string;
  pid: number;
  /** The owning lease manager's nonce (a UUID; absent in claims written by older builds). */
  instance?: string;
  /** When the owning lease manager was created (ISO, informational). */
  started_at?: string;
  until: string;
}

/** The document on disk. `ledger_id` is written first so that it survives truncation (see `salvageLedgerId`). */
export interface LedgerDocument {
  ledger_id: string;
  format_version: number;
  revision: number;
  /** Set when the ledger was lost or corrupt: the next start reconciles against the proxy's key list. */
  recovery_needed: boolean;
  leases: Record<string, Lease>;
  claims: Record<string, LeaseClaim>;
}

/** The id written first in the file: a truncated ledger usually still holds it. */
export function salvageLedgerId(text: string): string | null {
  const m = /"ledger_id"\s*:\s*"([0-9a-f-]{36})"/.exec(text);
  return m?.[1] ?? null;
}

/**
 * `JSON.stringify(doc)` for a ledger document, byte for byte, but with each lease's JSON cached: a lease object in
 * a snapshot is frozen and never changes, so one change to a 1,000-lease ledger serialises one lease, not 1,000.
 */
export function serializeLedger(doc: LedgerDocument): string {
  // Appending builds a rope that writeSync flattens once while encoding it; an array and join() would copy twice.
  let leases = '';
  for (const id in doc.leases) leases += (leases === '' ? '' : ',') + leaseEntryJson(id, doc.leases[id] as Lease);
  return (
    `{"ledger_id":${JSON.stringify(doc.ledger_id)},"format_version":${JSON.stringify(doc.format_version)},` +
    `"revision":${JSON.stringify(doc.revision)},"recovery_needed":${JSON.stringify(doc.recovery_needed)},` +
    `"leases":{${leases}},"claims":${JSON.stringify(doc.claims)}}`
  );
}

/** `"<id>":{...}` of a frozen lease object, computed once per object. */
const leaseEntryCache = new WeakMap<Lease, string>();

function leaseEntryJson(id: string, lease: Lease): string {
  const cached = id === lease.lease_id ? leaseEntryCache.get(lease) : undefined;
  if (cached !== undefined) return cached;
  const json = `${JSON.stringify(id)}:${JSON.stringify(lease)}`;
  if (id === lease.lease_id && Object.isFrozen(lease)) leaseEntryCache.set(lease, json);
  return json;
}

export function newDocument(ledgerId: string, recoveryNeeded: boolean): LedgerDocument {
  return { ledger_id: ledgerId, format_version: LEDGER_FORMAT_VERSION, revision: 0, recovery_needed: recoveryNeeded, leases: {}, claims: {} };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The instants a lease's timers are read from: each must be an ISO date, or null where the type allows. */
const INSTANT_FIELDS = ['issued_at', 'expires_at', 'max_expires_at', 'next_attempt_at', 'ended_at'] as const;

function isInstantOrNull(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));
}

function isOwnerShape(v: unknown): boolean {
  return v === undefined || v === null || (isRecord(v) && typeof v.host === 'string' && typeof v.pid === 'number' && typeof v.instance === 'string');
}

function isLeaseShape(v: unknown): v is Lease {
  return (
    isRecord(v) &&
    (v.scope === undefined || v.scope === 'process' || v.scope === 'free') &&
    isOwnerShape(v.owner) &&
    typeof v.lease_id === 'string' &&
    typeof v.role === 'string' &&
    typeof v.key_alias === 'string' &&
    typeof v.issued_at === 'string' &&
    typeof v.ttl_seconds === 'number' &&
    typeof v.revoke_attempts === 'number' &&
    LEASE_STATES.includes(v.state as LeaseState)
  );
}

function isBackendShape(v: Lease): boolean {
  return (v.backend === 'litellm' || v.backend === 'vault') && (v.backend_ref === null || typeof v.backend_ref === 'string');
}

function isClaimShape(v: unknown): v is LeaseClaim {
  return isRecord(v) && typeof v.owner === 'string' && typeof v.host === 'string' && typeof v.pid === 'number' && typeof v.until === 'string';
}

export type ParseResult = { ok: true; doc: LedgerDocument } | { ok: false; reason: string };

/** The document in `text`, or why it cannot be read (a newer format is refused: it is never overwritten). */
export function parseLedger(text: string, file: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: text.trim() === '' ? 'empty file' : 'not valid JSON (truncated?)' };
  }
  if (!isRecord(raw) || typeof raw.format_version !== 'number' || !isRecord(raw.leases)) {
    return { ok: false, reason: 'not a lease ledger' };
  }
  if (raw.format_version > LEDGER_FORMAT_VERSION) {
    throw new KeyfobError('state-unavailable', `The lease ledger ${file} was written by a newer Keyfob (format ${raw.format_version}).`, {
      hint: 'Update Keyfob, or use a different state directory.',
    });
  }
  const leases: Record<string, Lease> = {};
  for (const [id, lease] of Object.entries(raw.leases)) {
    const name = JSON.stringify(id.slice(0, 40));
    if (!isLeaseShape(lease) || lease.lease_id !== id) return { ok: false, reason: `lease ${name} is malformed` };
    const badInstant = INSTANT_FIELDS.find((f) => !isInstantOrNull(lease[f]));
    if (badInstant) {
      // A lease whose expiry cannot be read would never expire: the whole ledger is rebuilt from the proxy instead.
      return { ok: false, reason: `lease ${name} has an unreadable ${badInstant}, not a date (${JSON.stringify(String(lease[badInstant]).slice(0, 40))})` };
    }
    // Format 1 (before backends): every lease was issued by the LiteLLM proxy, which has no handle of its own.
    const migrated = raw.format_version < 2 ? { ...lease, backend: 'litellm' as const, backend_ref: null } : lease;
    if (!isBackendShape(migrated)) return { ok: false, reason: `lease ${name} names no known backend` };
    // Ledgers written before lease scopes: every lease is free, and nobody is its owner (nobody renews it).
    leases[id] = { ...migrated, scope: lease.scope ?? 'free', owner: lease.owner ?? null };
  }
  const claims: Record<string, LeaseClaim> = {};
  if (isRecord(raw.claims)) {
    for (const [id, claim] of Object.entries(raw.claims)) if (isClaimShape(claim) && id in leases) claims[id] = claim;
  }
  return {
    ok: true,
    doc: {
      ledger_id: typeof raw.ledger_id === 'string' && raw.ledger_id ? raw.ledger_id : randomUUID(),
      format_version: LEDGER_FORMAT_VERSION,
      revision: typeof raw.revision === 'number' ? raw.revision : 1,
      recovery_needed: raw.recovery_needed === true,
      leases,
      claims,
    },
  };
}
