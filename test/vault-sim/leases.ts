// The expiration manager: leases registered on a creds read, renewed (re-based on now, capped at issue + max TTL
// with Vault's warning), revoked through the engine (an unknown lease is a no-op), expired = revoked, and revoked
// with the token that created them.
import type { EngineSecret, LiteLLMEngine } from './litellm-engine.js';
import { badRequest, base62, capWarning, goTime, multierror, VaultHttpError } from './wire.js';

export interface LeaseRecord {
  id: string;
  path: string;
  issueMs: number;
  expireMs: number;
  maxExpireMs: number;
  renewable: boolean;
  lastRenewalMs: number | null;
  /** The token that read the creds: the lease dies with it. */
  tokenId: string;
  engine: LiteLLMEngine;
  secret: EngineSecret;
  namespace: string;
}

export class LeaseStore {
  private readonly byId = new Map<string, LeaseRecord>();
  /** Leases revoked so far, by id (tests check what expiry or a token's end took away). */
  readonly revokedIds: string[] = [];

  constructor(private readonly now: () => number) {}

  register(spec: Omit<LeaseRecord, 'id' | 'issueMs' | 'expireMs' | 'maxExpireMs' | 'lastRenewalMs'> & { ttl: number; maxTtl: number; nsId: string | null }): LeaseRecord {
    const now = this.now();
    const id = `${spec.path}/${base62(24)}${spec.nsId ? `.${spec.nsId}` : ''}`;
    const record: LeaseRecord = {
      id, path: spec.path, issueMs: now, expireMs: now + spec.ttl * 1000, maxExpireMs: now + spec.maxTtl * 1000,
      renewable: spec.renewable, lastRenewalMs: null, tokenId: spec.tokenId, engine: spec.engine, secret: spec.secret, namespace: spec.namespace,
    };
    this.byId.set(id, record);
    return record;
  }

  get(id: string): LeaseRecord | null {
    return this.byId.get(id) ?? null;
  }

  all(): LeaseRecord[] {
    return [...this.byId.values()];
  }

  due(): LeaseRecord[] {
    const now = this.now();
    return this.all().filter((l) => l.expireMs <= now);
  }

  ownedBy(tokenIds: ReadonlySet<string>): LeaseRecord[] {
    return this.all().filter((l) => tokenIds.has(l.tokenId));
  }

  async renew(id: string, increment: number | undefined): Promise<{ lease: LeaseRecord; ttl: number; warnings: string[] }> {
    const lease = this.byId.get(id);
    if (!lease) throw badRequest('lease not found');
    const now = this.now();
    if (lease.expireMs <= now) throw badRequest('lease expired');
    if (!lease.renewable) throw badRequest('lease is not renewable');
    const asked = increment ?? lease.engine.defaultIncrement(lease.secret);
    const left = Math.floor((lease.maxExpireMs - now) / 1000);
    if (left <= 0) throw badRequest('past the max TTL, cannot renew');
    const warnings: string[] = [];
    let ttl = asked;
    if (ttl > left) {
      warnings.push(capWarning(asked, left));
      ttl = left;
    }
    try {
      await lease.engine.renew(lease.secret, ttl);
    } catch (e) {
      const why = e instanceof VaultHttpError ? e.errors.join(' ') : String(e);
      throw badRequest(`failed to renew entry: resp: <nil> err: ${why.trim()}`);
    }
    lease.expireMs = now + ttl * 1000;
    lease.lastRenewalMs = now;
    return { lease, ttl, warnings };
  }

  /** Revokes through the engine; an unknown lease is nothing to do (Vault answers 204). */
  async revoke(id: string): Promise<void> {
    const lease = this.byId.get(id);
    if (!lease) return;
    try {
      await lease.engine.revoke(lease.secret);
    } catch (e) {
      const why = e instanceof VaultHttpError ? e.errors.join(' ') : String(e);
      throw new VaultHttpError(400, [multierror(`failed to revoke entry: resp: <nil> err: ${why.trim()}`)]);
    }
    this.byId.delete(id);
    this.revokedIds.push(id);
  }

  lookupData(lease: LeaseRecord): Record<string, unknown> {
    return {
      id: lease.id,
      issue_time: goTime(lease.issueMs),
      expire_time: goTime(lease.expireMs),
      last_renewal: lease.lastRenewalMs === null ? null : goTime(lease.lastRenewalMs),
      renewable: lease.renewable,
      ttl: Math.max(0, Math.floor((lease.expireMs - this.now()) / 1000)),
      ...(lease.namespace ? { namespace_path: `${lease.namespace}/` } : {}),
    };
  }
}
