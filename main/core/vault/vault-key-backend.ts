// The KeyBackend for Vault/OpenBao running the seed's LiteLLM engine. Issue reads `creds/<role>`, renew and revoke
// are `sys/leases/renew|revoke`, roles come from the engine's `roles/`, and Vault owns the leases.
//
// Crash safety: only the creds reply carries the lease id, and listing leases needs sudo, so a reply lost to a crash
// would leave a lease nobody can name. But a lease dies with the token that read it. So each key is read with its own
// child token, minted before it is needed; its accessor is written ahead (`backend_ref = "accessor:<a>"`) before the
// creds read, and `cleanUpInterrupted` revokes that token by accessor, which revokes any lease it created. The creds
// read stays the one request on an issue's critical path; minting the next child token follows it.
import { createHash } from 'node:crypto';
import { KeyfobError } from '../errors.js';
import type { Clock } from '../ports.js';
import type { Role } from '../types.js';
import type { CallerIdentity, IssuedKey, KeyBackend, KeyIssueRequest, LeaseHandle, OwnedKey, RemoteRoles, RenewedKey } from '../backend/index.js';
import type { VaultClient } from './vault-client.js';
import { readAuthReply, readRole, readSecretReply, readTokenLookup } from './vault-responses.js';

export const ACCESSOR_REF_PREFIX = 'accessor:';
/** Appended to the accessor ref: when the creds read sent with it has surely ended (ms since the epoch). */
const SETTLES_SEPARATOR = ';settles=';
/** A server may still work on a request a little after the client gave up on it. */
const CREDS_SETTLE_MARGIN_MS = 5_000;
export const VAULT_ROLES_READ_ONLY = 'roles are defined in Vault: ask your platform team';

/** An issue that can write the child token's accessor ahead to the ledger before the key exists. */
export interface VaultIssueRequest extends KeyIssueRequest {
  /** Durably records `ref` as the lease's backend_ref (the ledger write-ahead). Awaited before the creds read. */
  recordBackendRef?(ref: string): Promise<void>;
}

export interface VaultKeyBackendOptions {
  client: VaultClient;
  /** The engine's mount, e.g. `litellm`. */
  mount: string;
  clock: Clock;
  /** Mint the next child token right after an issue, so the next issue costs one request. Default true. */
  premint?: boolean;
}

interface ChildToken {
  token: string;
  accessor: string;
}

/**
 * A child token must outlive the lease it reads, or the lease dies early: ask for Vault's default system max
 * (768h). Vault caps it at the mount's max and at the parent's end, and it dies with the parent in any case.
 */
export const CHILD_TOKEN_TTL = '768h';

export class VaultKeyBackend implements KeyBackend {
  readonly kind = 'vault' as const;
  readonly roles: RemoteRoles;
  private readonly client: VaultClient;
  private readonly mount: string;
  private readonly clock: Clock;
  private readonly premint: boolean;
  /** Minted for the next issue. */
  private spare: Promise<ChildToken> | null = null;

  constructor(opts: VaultKeyBackendOptions) {
    this.client = opts.client;
    this.mount = opts.mount.replace(/^\/+|\/+$/g, '');
    this.clock = opts.clock;
    this.premint = opts.premint !== false;
    this.roles = {
      readOnlyReason: VAULT_ROLES_READ_ONLY,
      list: () => this.listRoles(),
      get: (name) => this.getRole(name),
    };
  }

  async issue(req: VaultIssueRequest): Promise<IssuedKey> {
    const child = await this.takeChild();
    const settles = this.clock.now() + this.client.timeoutMs + CREDS_SETTLE_MARGIN_MS;
    await req.recordBackendRef?.(`${ACCESSOR_REF_PREFIX}${child.accessor}${SETTLES_SEPARATOR}${settles}`);
    const answer = await this.client.read(`${this.mount}/creds/${encodeURIComponent(req.role.name)}`, { asToken: child.token });
    if (this.premint) void this.prepare().catch(() => undefined);
    const secret = readSecretReply(answer, 'credentials answer');
    const key = secret.data.key;
    const alias = secret.data.key_alias;
    if (typeof key !== 'string' || typeof alias !== 'string') throw new KeyfobError('server-error', 'Vault sent credentials without a key or alias.');
    return {
      key, tokenHash: createHash('sha256').update(key).digest('hex'), alias,
      expiresAt: secret.leaseDuration > 0 ? new Date(this.clock.now() + secret.leaseDuration * 1000).toISOString() : null,
      backendRef: secret.leaseId, renewable: secret.renewable, notes: secret.warnings,
    };
  }

  async renew(lease: LeaseHandle, seconds: number): Promise<RenewedKey> {
    const leaseId = this.leaseIdOf(lease);
    const answer = await this.client.write('sys/leases/renew', { lease_id: leaseId, increment: Math.floor(seconds) });
    const secret = readSecretReply(answer, 'renewal answer');
    const capped = secret.warnings.some((w) => /capped/i.test(w)) || secret.leaseDuration < Math.floor(seconds);
    return { expiresAt: new Date(this.clock.now() + secret.leaseDuration * 1000).toISOString(), capped, notes: secret.warnings };
  }

  /** One request. Vault answers 204 for a lease it no longer knows, so `alreadyGone` comes from `vaultKnows` where it matters. */
  async revoke(lease: LeaseHandle): Promise<{ alreadyGone: boolean }> {
    if (lease.backend_ref?.startsWith(ACCESSOR_REF_PREFIX)) {
      const { found } = await this.cleanUpInterrupted(lease);
      return { alreadyGone: !found };
    }
    await this.client.write('sys/leases/revoke', { lease_id: this.leaseIdOf(lease) });
    return { alreadyGone: false };
  }

  /** `sys/leases/lookup`: false once Vault no longer knows the lease (revoked or expired). */
  async vaultKnows(lease: LeaseHandle): Promise<boolean> {
    try {
      await this.client.write('sys/leases/lookup', { lease_id: this.leaseIdOf(lease) });
      return true;
    } catch (e) {
      if (e instanceof KeyfobError && (e.kind === 'not-found' || (e.status === 400 && /invalid lease/i.test(e.detail ?? '')))) return false;
      throw e;
    }
  }

  async cleanUpInterrupted(lease: LeaseHandle): Promise<{ found: boolean }> {
    const ref = lease.backend_ref;
    if (ref === null) return { found: false }; // nothing was written ahead: the creds read was never sent
    if (!ref.startsWith(ACCESSOR_REF_PREFIX)) {
      const known = await this.vaultKnows(lease);
      if (known) await this.client.write('sys/leases/revoke', { lease_id: ref });
      return { found: known };
    }
    // Revoking the child token while its creds read still runs could let Vault register the lease under the dead
    // token afterwards, where nothing revokes it before it expires: "nothing found yet" until the read has surely
    // ended (the caller sweeps again then; its own settle instant is never earlier than this one).
    const [accessor, settles] = ref.slice(ACCESSOR_REF_PREFIX.length).split(SETTLES_SEPARATOR);
    if (settles !== undefined && Number(settles) > this.clock.now()) return { found: false };
    try {
      await this.client.write('auth/token/revoke-accessor', { accessor });
      return { found: true };
    } catch (e) {
      // The child token already ended, and every lease it read ended with it.
      if (e instanceof KeyfobError && e.status === 400 && /invalid accessor/i.test(e.detail ?? '')) return { found: false };
      throw e;
    }
  }

  /** Listing leases needs sudo and shows everyone's: Vault mode cannot rebuild a lost ledger from the server. */
  listOwned(): Promise<OwnedKey[]> {
    return Promise.resolve([]);
  }

  async describeCaller(): Promise<CallerIdentity> {
    const who = readTokenLookup(await this.client.read('auth/token/lookup-self'));
    const name = who.meta.username ?? who.displayName;
    const ends = who.expireTime === null ? 'never ends' : `ends at ${who.expireTime}`;
    return {
      userId: name || null, role: 'unknown', teams: [], keyTeamId: null,
      summary: `signed in to Vault as ${name || 'a token'} (policies: ${who.policies.join(', ') || 'none'}); the session ${ends}, and its keys end with it`,
    };
  }

  private leaseIdOf(lease: LeaseHandle): string {
    if (!lease.backend_ref || lease.backend_ref.startsWith(ACCESSOR_REF_PREFIX)) {
      throw new KeyfobError('lease-not-found', `Lease ${lease.lease_id} has no Vault lease id (its issue did not finish).`);
    }
    return lease.backend_ref;
  }

  /** Mints the child token the next issue reads with (at connect, and after each issue), so the issue is one request. */
  async prepare(): Promise<void> {
    if (this.spare === null) {
      const minting = this.mintChild();
      this.spare = minting;
      // A failed pre-mint is forgotten: the next issue mints again and reports what went wrong.
      minting.catch(() => { if (this.spare === minting) this.spare = null; });
    }
    await this.spare;
  }

  private takeChild(): Promise<ChildToken> {
    const spare = this.spare;
    this.spare = null;
    return spare ? spare.catch(() => this.mintChild()) : this.mintChild();
  }

  private async mintChild(): Promise<ChildToken> {
    const answer = await this.client.write('auth/token/create', { ttl: CHILD_TOKEN_TTL, display_name: 'keyfob-issue' });
    const auth = readAuthReply(answer);
    return { token: auth.clientToken, accessor: auth.accessor };
  }

  private async listRoles(): Promise<Role[]> {
    let answer;
    try {
      answer = await this.client.list(`${this.mount}/roles`);
    } catch (e) {
      // No roles at all is a 404 with an empty envelope.
      if (e instanceof KeyfobError && e.status === 404 && e.detail === undefined) return [];
      throw e;
    }
    const keys = (answer?.data as { keys?: unknown } | undefined)?.keys;
    const names = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
    return Promise.all(names.map((n) => this.getRole(n)));
  }

  private async getRole(name: string): Promise<Role> {
    try {
      return readRole(name, await this.client.read(`${this.mount}/roles/${encodeURIComponent(name)}`));
    } catch (e) {
      if (e instanceof KeyfobError && e.status === 404) throw new KeyfobError('role-not-found', `Vault has no role "${name}" on ${this.mount}/.`, { hint: VAULT_ROLES_READ_ONLY });
      throw e;
    }
  }
}
