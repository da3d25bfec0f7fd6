// The Vault backend as the lease operations see it once the session may have ended. Vault revokes a token's leases
// (and those of its child tokens) when the token expires or is revoked, so after that every lease of the session is
// already gone: a revocation has nothing left to do, a crash clean-up finds nothing, and a renewal closes the lease.
// This needs no request, which matters because the ended token could not make one.
import { KeyfobError } from '../errors.js';
import type { CallerIdentity, IssuedKey, KeyBackend, KeyIssueRequest, LeaseHandle, OwnedKey, RemoteRoles, RenewedKey } from '../backend/index.js';
import { sessionEnded } from './vault-errors.js';

export class SessionAwareVaultBackend implements KeyBackend {
  readonly kind = 'vault' as const;
  readonly roles: RemoteRoles | undefined;

  constructor(private readonly inner: KeyBackend) {
    this.roles = inner.roles;
  }

  issue(req: KeyIssueRequest): Promise<IssuedKey> {
    return this.inner.issue(req);
  }

  async renew(lease: LeaseHandle, seconds: number): Promise<RenewedKey> {
    try {
      return await this.inner.renew(lease, seconds);
    } catch (e) {
      if (!sessionEnded(e)) throw e;
      throw new KeyfobError('not-found', 'Your Vault session has ended, and this key ended with it.', { hint: 'Sign in again: keyfob connect --vault …' });
    }
  }

  async revoke(lease: LeaseHandle): Promise<{ alreadyGone: boolean }> {
    try {
      return await this.inner.revoke(lease);
    } catch (e) {
      if (sessionEnded(e)) return { alreadyGone: true };
      throw e;
    }
  }

  async cleanUpInterrupted(lease: LeaseHandle): Promise<{ found: boolean }> {
    try {
      return await this.inner.cleanUpInterrupted(lease);
    } catch (e) {
      if (sessionEnded(e)) return { found: false };
      throw e;
    }
  }

  listOwned(ledgerId: string): Promise<OwnedKey[]> {
    return this.inner.listOwned(ledgerId);
  }

  describeCaller(): Promise<CallerIdentity> {
    return this.inner.describeCaller();
  }
}
