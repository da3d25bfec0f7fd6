// The seam between the lease lifecycle and whatever issues keys. The lease operations (main/core/leases/) speak only
// this port; each backend lives in its own core group and owns its wire format: the LiteLLM proxy's admin API
// (litellm/, with a stored key or an SSO session as its credential) and Vault/OpenBao running the seed's engine
// (vault/, with a Vault token). A lease records which backend issued it and that backend's own reference to it.
import { KeyfobError } from '../errors.js';
import type { CallerIdentity } from './caller-identity.js';
import type { BackendKind, Role } from '../types.js';

export type { BackendKind };

/** What an issue asks of the backend, after the lease is written ahead to the ledger. */
export interface KeyIssueRequest {
  role: Readonly<Role>;
  /** Keyfob's lease id (stamped on the key where the backend allows, for recovery). */
  leaseId: string;
  /**
   * The alias written ahead in the ledger. A backend that names the key itself (LiteLLM) creates the key under it;
   * one whose server chooses (Vault) ignores it and returns the alias the server chose.
   */
  alias: string;
  /** The resolved TTL in whole seconds (0 = none). */
  ttlSeconds: number;
  /** This ledger's id, stamped on the key so that recovery only ever touches this ledger's keys. */
  ledgerId: string;
  /**
   * Durably records `ref` as the lease's backend_ref before the issue request is sent (the ledger write-ahead). A
   * backend whose crash clean-up needs a handle only it can mint first (Vault's child-token accessor) awaits it.
   */
  recordBackendRef?(ref: string): Promise<void>;
}

/** A key the backend has just created. The only moment the plaintext exists. */
export interface IssuedKey {
  key: string;
  /** SHA-256 hex of `key`, computed locally. */
  tokenHash: string;
  /** The key's alias on the LiteLLM proxy. */
  alias: string;
  /** The backend's real expiry (ISO-8601 UTC, `Z`), or null when the key does not expire. */
  expiresAt: string | null;
  /** The backend's own handle on the lease (Vault's `lease_id`), or null when the key itself is the handle. */
  backendRef: string | null;
  /** When the backend decides renewability itself (Vault's `renewable`); absent = Keyfob's rule (ttl > 0). */
  renewable?: boolean;
  /** What the person should know about the key as issued (a proxy-shortened expiry, Vault's cap warning). */
  notes: string[];
}

/**
 * Thrown by `issue` when it gave up before the issue request itself was sent (a look-up it needs first did not
 * answer): nothing can have been created, so there is nothing to clean up. Same kind and words as its cause.
 */
export class IssueNotSent extends KeyfobError {
  constructor(cause: KeyfobError) {
    super(cause.kind, cause.message, {
      ...(cause.hint === undefined ? {} : { hint: cause.hint }),
      ...(cause.status === undefined ? {} : { status: cause.status }),
      ...(cause.networkCode === undefined ? {} : { networkCode: cause.networkCode }),
      ...(cause.detail === undefined ? {} : { detail: cause.detail }),
      cause,
    });
  }
}

/** The part of a ledger entry a backend needs to act on a lease. */
export interface LeaseHandle {
  lease_id: string;
  role: string;
  key_alias: string;
  /** Null while the issue is unfinished. */
  token_hash: string | null;
  /** Null for LiteLLM leases and for an unfinished Vault issue. */
  backend_ref: string | null;
}

export interface RenewedKey {
  /** The new expiry (ISO-8601 UTC), or null when unknown (then Keyfob computes now + seconds). */
  expiresAt: string | null;
  /** The backend granted less than asked (Vault's max-TTL warning). */
  capped: boolean;
  notes: string[];
}

/** A key found on the backend that Keyfob issued (recovery after a lost ledger). */
export interface OwnedKey {
  leaseId: string | null;
  role: string | null;
  alias: string;
  tokenHash: string | null;
  backendRef: string | null;
  expiresAt: string | null;
  createdAt: string | null;
  /** The ledger that stamped it (null when the backend cannot say): another ledger's key is touched only with its secret. */
  ledgerId?: string | null;
  /** What the key allows, as the backend reports it (shown in the rebuilt lease). */
  models?: string[];
  maxBudget?: number;
  /** The backend's redacted form of the key (`sk-...abcd`), when it has one. */
  keyHint?: string | null;
}

/** Where roles come from when the backend defines them (Vault); absent = Keyfob's own, local roles. */
export interface RemoteRoles {
  /** Shown when a person tries to change one: "roles are defined in Vault: ask your platform team". */
  readonly readOnlyReason: string;
  list(): Promise<Role[]>;
  get(name: string): Promise<Role>;
}

export interface KeyBackend {
  readonly kind: BackendKind;
  issue(req: KeyIssueRequest): Promise<IssuedKey>;
  /** Extends the key to now + `seconds` (already capped by Keyfob at the lease's max TTL). Throws `not-found` when gone. */
  renew(lease: LeaseHandle, seconds: number): Promise<RenewedKey>;
  /** Idempotent: `alreadyGone` when there was nothing left to revoke. */
  revoke(lease: LeaseHandle): Promise<{ alreadyGone: boolean }>;
  /**
   * An issue whose answer was lost (timeout, crash): find the key it may have created and delete it. `found: false`
   * proves nothing is left only once the issue request has surely ended.
   */
  cleanUpInterrupted(lease: LeaseHandle): Promise<{ found: boolean }>;
  /**
   * Keys Keyfob stamped, for rebuilding a lost ledger: those stamped with `ledgerId`, and those of another ledger
   * (each with its `ledgerId`), which the caller adopts only when it still holds their secret.
   */
  listOwned(ledgerId: string): Promise<OwnedKey[]>;
  /** Who the credential is, and what it may do. */
  describeCaller(): Promise<CallerIdentity>;
  /** Set when roles come from the backend rather than from Keyfob's settings. */
  readonly roles?: RemoteRoles;
}
