// A LiteLLM sign-in session as the connection's Credential: the access token is the secret, refreshed before it
// expires (< 6 minutes left, as LiteLLM's own client does) and once when the proxy rejects it. The refresh token
// rotates and a reused one is refused, so the app, the CLI and every `keyfob token` share one refresh: under a lock
// file in the state directory, each re-reads the stored session first and refreshes only if it still needs to, and
// saves the rotated pair before using it.
import path from 'node:path';
import type { Credential, CredentialBinding } from '../backend/index.js';
import { KeyfobError } from '../errors.js';
import type { Clock, SecretStore } from '../ports.js';
import { SSO_SESSION_ACCOUNT } from '../keychain/index.js';
import { StateLock } from '../settings/index.js';
import { decodeSessionRecord, encodeSessionRecord, recordFromTokens, type SsoSessionRecord } from './session-record.js';
import { SsoHttp } from './sso-http.js';
import { refreshTokens, revokeRefreshToken, SIGNED_OUT_MESSAGE } from './token-endpoint.js';

/** Refresh when less than this is left (LiteLLM's `CLI_TOKEN_FRESHNESS_BUFFER_SECONDS`). */
export const REFRESH_MARGIN_MS = 360_000;
/** The lock file that makes one refresh at a time across processes. It is held across the `/token` call. */
export const SSO_REFRESH_LOCK = 'sso-refresh.lock';

export interface SsoSessionCredentialOptions {
  secrets: SecretStore;
  clock: Clock;
  /** The state directory: the refresh lock lives there. */
  stateDir: string;
  http?: SsoHttp;
}

function signedOut(): KeyfobError {
  return new KeyfobError('not-connected', SIGNED_OUT_MESSAGE);
}

/** A refresh failure that says nothing about the session itself: the proxy or the network is down. */
function isPassing(e: unknown): boolean {
  if (!(e instanceof KeyfobError)) return false;
  if (e.kind === 'unreachable' || e.kind === 'timeout' || e.kind === 'dns') return true;
  return e.status !== undefined && (e.status >= 500 || e.status === 429);
}

export class SsoSessionCredential implements Credential {
  readonly kind = 'sso-session' as const;
  private record: SsoSessionRecord;
  private readonly secrets: SecretStore;
  private readonly clock: Clock;
  private readonly http: SsoHttp;
  private readonly lock: StateLock;

  private constructor(record: SsoSessionRecord, opts: SsoSessionCredentialOptions) {
    this.record = record;
    this.secrets = opts.secrets;
    this.clock = opts.clock;
    this.http = opts.http ?? new SsoHttp({ caFile: record.binding.ca_file, allowInsecureTls: record.binding.allow_insecure_tls });
    // Stale after 30 s, above the 10 s request deadline: a holder is taken over only when it cannot still be refreshing.
    this.lock = new StateLock({ path: path.join(opts.stateDir, SSO_REFRESH_LOCK), staleMs: 30_000, timeoutMs: 60_000 });
  }

  /** Stores a new sign-in (replacing any earlier one) and answers its credential. */
  static async store(record: SsoSessionRecord, opts: SsoSessionCredentialOptions): Promise<SsoSessionCredential> {
    await opts.secrets.set(SSO_SESSION_ACCOUNT, encodeSessionRecord(record));
    return new SsoSessionCredential(record, opts);
  }

  /** The stored session, or null when there is none. */
  static async load(opts: SsoSessionCredentialOptions): Promise<SsoSessionCredential | null> {
    const record = decodeSessionRecord(await opts.secrets.get(SSO_SESSION_ACCOUNT));
    return record === null ? null : new SsoSessionCredential(record, opts);
  }

  get binding(): CredentialBinding {
    return this.record.binding;
  }

  /** The client this sign-in registered: new on every sign-in, the same across refreshes. */
  get clientId(): string {
    return this.record.clientId;
  }

  /** Who signed in, and the team consented to (null: none). */
  get user(): { userId: string; teamId: string | null } {
    return { userId: this.record.userId, teamId: this.record.teamId };
  }

  async secret(): Promise<string> {
    if (this.isFresh(this.record)) return this.record.accessToken;
    return this.refresh(null);
  }

  async rejected(): Promise<boolean> {
    const used = this.record.accessToken;
    try {
      return (await this.refresh(used)) !== used;
    } catch (e) {
      if (e instanceof KeyfobError && e.message === SIGNED_OUT_MESSAGE) throw e;
      return false;
    }
  }

  endsAt(): string | null {
    return this.record.refreshExpiresAt;
  }

  /** Burns the refresh token on the proxy, then removes the session. A proxy that cannot be reached keeps it. */
  async discard(): Promise<void> {
    await this.lock.withLock(async () => {
      const stored = decodeSessionRecord(await this.secrets.get(SSO_SESSION_ACCOUNT)) ?? this.record;
      await revokeRefreshToken(this.http, stored.endpoints, stored.clientId, stored.refreshToken);
      await this.secrets.delete(SSO_SESSION_ACCOUNT);
    });
  }

  private isFresh(record: SsoSessionRecord): boolean {
    return this.clock.now() < Date.parse(record.accessExpiresAt) - REFRESH_MARGIN_MS;
  }

  /**
   * One refresh across processes. `rejectedToken`: the token the proxy refused (refresh unless a sibling already
   * replaced it); null: refresh only if the stored token is still close to its end.
   */
  private async refresh(rejectedToken: string | null): Promise<string> {
    return this.lock.withLock(async () => {
      const stored = decodeSessionRecord(await this.secrets.get(SSO_SESSION_ACCOUNT));
      // Gone (signed out elsewhere) or now bound to another proxy (connected elsewhere): nothing to send here.
      if (stored === null || stored.binding.url !== this.record.binding.url) throw signedOut();
      this.record = stored;
      const siblingRotated = rejectedToken !== null && stored.accessToken !== rejectedToken;
      if (siblingRotated || (rejectedToken === null && this.isFresh(stored))) return stored.accessToken;
      let next: SsoSessionRecord;
      try {
        const tokens = await refreshTokens(this.http, stored.endpoints, stored.clientId, stored.refreshToken);
        next = recordFromTokens(stored, tokens, this.clock.now());
      } catch (e) {
        if (!isPassing(e)) throw e;
        // The proxy is away: the old access token serves until its own end, then the person is told.
        if (rejectedToken === null && this.clock.now() < Date.parse(stored.accessExpiresAt)) return stored.accessToken;
        throw new KeyfobError('unreachable',
          `The sign-in session could not be refreshed (${(e as KeyfobError).message.replace(/\.$/, '')}) and its access ended at ${stored.accessExpiresAt}; try again when the proxy answers.`);
      }
      // Saved before use: the old refresh token is burned now, and a crash here must not lose the new one.
      await this.secrets.set(SSO_SESSION_ACCOUNT, encodeSessionRecord(next));
      this.record = next;
      return next.accessToken;
    });
  }
}
