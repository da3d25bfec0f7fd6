// The token store: service tokens with a TTL and a max TTL, parents and children, accessors. Revoking a token revokes
// its children and every lease any of them created (RevokeByToken); the lease side is the caller's (`onRevoke`).
import { badRequest, base62, capWarning, goTime } from './wire.js';

export interface TokenRecord {
  id: string;
  accessor: string;
  policies: string[];
  /** Path it was created on: auth/token/create, auth/userpass/login/alice, auth/oidc/oidc/callback. */
  path: string;
  displayName: string;
  meta: Record<string, string> | null;
  creationMs: number;
  /** Seconds the token was created with (0 = no TTL: root). */
  creationTtl: number;
  /** Null = never expires (root). */
  expireMs: number | null;
  /** Null = no cap. */
  maxExpireMs: number | null;
  lastRenewalMs: number | null;
  parent: string | null;
  orphan: boolean;
  namespace: string;
}

export interface NewToken {
  policies: string[];
  path: string;
  displayName: string;
  meta?: Record<string, string> | null;
  ttlSeconds: number;
  maxTtlSeconds: number;
  parent?: string | null;
  namespace?: string;
  /** Use exactly this id (a test's well-known root token). */
  id?: string;
}

export class TokenStore {
  private readonly byId = new Map<string, TokenRecord>();

  constructor(private readonly now: () => number) {}

  create(spec: NewToken): TokenRecord {
    const now = this.now();
    const parent = spec.parent ? this.byId.get(spec.parent) ?? null : null;
    let maxExpireMs = spec.maxTtlSeconds > 0 ? now + spec.maxTtlSeconds * 1000 : null;
    // A child never outlives its parent's cap.
    if (parent?.maxExpireMs != null) maxExpireMs = Math.min(maxExpireMs ?? Infinity, parent.maxExpireMs);
    let expireMs = spec.ttlSeconds > 0 ? now + spec.ttlSeconds * 1000 : null;
    if (expireMs !== null && maxExpireMs !== null) expireMs = Math.min(expireMs, maxExpireMs);
    const record: TokenRecord = {
      id: spec.id ?? `hvs.${base62(24)}`,
      accessor: base62(24),
      policies: [...spec.policies].sort(),
      path: spec.path,
      displayName: spec.displayName,
      meta: spec.meta ?? null,
      creationMs: now,
      creationTtl: spec.ttlSeconds,
      expireMs,
      maxExpireMs,
      lastRenewalMs: null,
      parent: parent?.id ?? null,
      orphan: parent === null,
      namespace: spec.namespace ?? '',
    };
    this.byId.set(record.id, record);
    return record;
  }

  get(id: string | undefined): TokenRecord | null {
    return id ? this.byId.get(id) ?? null : null;
  }

  byAccessor(accessor: string): TokenRecord | null {
    for (const t of this.byId.values()) if (t.accessor === accessor) return t;
    return null;
  }

  /** Tokens whose TTL has run out. */
  due(): TokenRecord[] {
    const now = this.now();
    return [...this.byId.values()].filter((t) => t.expireMs !== null && t.expireMs <= now);
  }

  /** The token and all its descendants, children first, removed from the store. */
  revokeTree(id: string): TokenRecord[] {
    const root = this.byId.get(id);
    if (!root) return [];
    const out: TokenRecord[] = [];
    for (const child of [...this.byId.values()].filter((t) => t.parent === id)) out.push(...this.revokeTree(child.id));
    this.byId.delete(id);
    out.push(root);
    return out;
  }

  /** renew-self: re-base on now, capped at the max TTL with Vault's warning. */
  renew(token: TokenRecord, increment: number | undefined): { ttl: number; warnings: string[] } {
    if (token.expireMs === null) throw badRequest('lease is not renewable');
    const now = this.now();
    const asked = increment ?? token.creationTtl;
    let ttl = asked;
    const warnings: string[] = [];
    if (token.maxExpireMs !== null) {
      const left = Math.floor((token.maxExpireMs - now) / 1000);
      if (left <= 0) throw badRequest('past the max TTL, cannot renew');
      if (ttl > left) {
        warnings.push(capWarning(asked, left));
        ttl = left;
      }
    }
    token.expireMs = now + ttl * 1000;
    token.lastRenewalMs = now;
    return { ttl, warnings };
  }

  ttlSeconds(token: TokenRecord): number {
    return token.expireMs === null ? 0 : Math.max(0, Math.floor((token.expireMs - this.now()) / 1000));
  }

  /** `auth` of a login or renew reply. */
  authBlock(token: TokenRecord, withSecret = true): Record<string, unknown> {
    return {
      client_token: withSecret ? token.id : '',
      accessor: token.accessor,
      policies: token.policies,
      token_policies: token.policies,
      metadata: token.meta,
      lease_duration: this.ttlSeconds(token),
      renewable: token.expireMs !== null,
      entity_id: '',
      token_type: 'service',
      orphan: token.orphan,
      mfa_requirement: null,
      num_uses: 0,
    };
  }

  /** `data` of lookup-self / lookup-accessor. */
  lookupData(token: TokenRecord, withId = true): Record<string, unknown> {
    return {
      accessor: token.accessor,
      creation_time: Math.floor(token.creationMs / 1000),
      creation_ttl: token.creationTtl,
      display_name: token.displayName,
      entity_id: '',
      expire_time: token.expireMs === null ? null : goTime(token.expireMs),
      explicit_max_ttl: 0,
      id: withId ? token.id : '',
      issue_time: goTime(token.creationMs),
      meta: token.meta,
      num_uses: 0,
      orphan: token.orphan,
      path: token.path,
      policies: token.policies,
      renewable: token.expireMs !== null,
      ttl: this.ttlSeconds(token),
      type: 'service',
      ...(token.lastRenewalMs === null ? {} : { last_renewal: goTime(token.lastRenewalMs), last_renewal_time: Math.floor(token.lastRenewalMs / 1000) }),
      ...(token.namespace ? { namespace_path: `${token.namespace}/` } : {}),
    };
  }
}
