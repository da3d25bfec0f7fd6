// A Vault token as Keyfob's credential: signed in with a token (from stdin), userpass or OIDC, kept in the keychain
// account `vault-token` as one JSON document with its binding (URL, namespace, TLS), sent nowhere else, renewed
// with `renew-self` while leases live, and revoked (`revoke-self`) then removed on logout. Vault revokes a token's
// leases when the token ends, so `endsAt()` is also when every key of the session ends.
import { KeyfobError } from '../errors.js';
import { VAULT_TOKEN_ACCOUNT } from '../keychain/index.js';
import type { Clock, SecretStore } from '../ports.js';
import type { Credential, CredentialBinding } from '../backend/index.js';
import { VaultClient, normalizeVaultUrl } from './vault-client.js';
import { loginWithOidc, type OidcLoginOptions } from './oidc-login.js';
import { readAuthReply, readTokenLookup, type AuthReply } from './vault-responses.js';
import { markSessionEnded } from './vault-errors.js';


export type VaultLoginMethod = 'token' | 'userpass' | 'oidc';

/** What the keychain holds: the token with where it may be sent. */
export interface StoredVaultToken {
  v: 1;
  token: string;
  accessor: string;
  binding: CredentialBinding;
  method: VaultLoginMethod;
  /** ISO-8601 UTC; null = never (a root token). */
  expires_at: string | null;
  renewable: boolean;
  /** When the current TTL was granted (sign-in or the last renew-self), ISO-8601 UTC: renewals are timed from it. */
  granted_at?: string;
}

/** Renew once this share of the granted TTL has passed, as Vault Agent does (about ⅔). */
export const TOKEN_RENEW_FRACTION = 2 / 3;

export interface VaultConnectOptions {
  url: string;
  namespace?: string | null;
  caFile?: string | null;
  allowInsecureTls?: boolean;
  timeoutMs?: number;
}

export function vaultBinding(opts: VaultConnectOptions): CredentialBinding {
  return {
    backend: 'vault', url: normalizeVaultUrl(opts.url), ca_file: opts.caFile ?? null, allow_insecure_tls: opts.allowInsecureTls === true,
    namespace: opts.namespace?.replace(/^\/+|\/+$/g, '') || null,
  };
}

function sameBinding(a: CredentialBinding, b: CredentialBinding): boolean {
  return a.backend === b.backend && a.url === b.url && (a.namespace ?? null) === (b.namespace ?? null) && a.ca_file === b.ca_file && a.allow_insecure_tls === b.allow_insecure_tls;
}

function anonymousClient(opts: VaultConnectOptions): VaultClient {
  return new VaultClient({ url: opts.url, namespace: opts.namespace ?? null, caFile: opts.caFile ?? null, allowInsecureTls: opts.allowInsecureTls === true, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
}

export class VaultTokenCredential implements Credential {
  readonly kind = 'vault-token' as const;
  readonly binding: CredentialBinding;
  /** A client that sends this credential's token, bound to its URL and namespace. */
  readonly client: VaultClient;
  private doc: StoredVaultToken;

  private constructor(doc: StoredVaultToken, private readonly store: SecretStore, private readonly clock: Clock, timeoutMs?: number) {
    this.doc = doc;
    this.binding = doc.binding;
    this.client = new VaultClient({
      url: doc.binding.url, namespace: doc.binding.namespace ?? null, caFile: doc.binding.ca_file, allowInsecureTls: doc.binding.allow_insecure_tls,
      ...(timeoutMs ? { timeoutMs } : {}), token: () => this.secret(),
    });
  }

  /** Checks a token the person gave (lookup-self) and keeps it. */
  static async signInWithToken(opts: VaultConnectOptions, token: string, store: SecretStore, clock: Clock): Promise<VaultTokenCredential> {
    const trimmed = token.trim();
    if (!/^[\x21-\x7e]+$/.test(trimmed)) throw new KeyfobError('validation', 'token: the Vault token must be one line of printable ASCII', { fields: [{ field: 'token', message: 'is not a Vault token' }] });
    const who = readTokenLookup(await anonymousClient(opts).read('auth/token/lookup-self', { asToken: trimmed }));
    const expires = who.expireTime === null ? null : new Date(clock.now() + who.ttl * 1000).toISOString();
    return VaultTokenCredential.keep(opts, { token: trimmed, accessor: who.accessor, expires, renewable: who.renewable, method: 'token' }, store, clock);
  }

  static async signInWithUserpass(opts: VaultConnectOptions & { mount?: string }, username: string, password: string, store: SecretStore, clock: Clock): Promise<VaultTokenCredential> {
    const answer = await anonymousClient(opts).write(`auth/${opts.mount ?? 'userpass'}/login/${encodeURIComponent(username)}`, { password }, { anonymous: true, secrets: [password] });
    return VaultTokenCredential.fromAuth(opts, readAuthReply(answer), 'userpass', store, clock);
  }

  static async signInWithOidc(opts: VaultConnectOptions, oidc: Omit<OidcLoginOptions, 'client' | 'clock'>, store: SecretStore, clock: Clock): Promise<VaultTokenCredential> {
    const auth = await loginWithOidc({ ...oidc, client: anonymousClient(opts), clock });
    return VaultTokenCredential.fromAuth(opts, auth, 'oidc', store, clock);
  }

  /** The stored token, if it is bound to exactly this server, namespace and TLS setting. */
  static async load(opts: VaultConnectOptions, store: SecretStore, clock: Clock): Promise<VaultTokenCredential | null> {
    const raw = await store.get(VAULT_TOKEN_ACCOUNT);
    if (raw === null) return null;
    let doc: StoredVaultToken;
    try {
      doc = JSON.parse(raw) as StoredVaultToken;
    } catch {
      return null;
    }
    if (doc.v !== 1 || typeof doc.token !== 'string' || !sameBinding(doc.binding, vaultBinding(opts))) return null;
    return new VaultTokenCredential(doc, store, clock, opts.timeoutMs);
  }

  private static fromAuth(opts: VaultConnectOptions, auth: AuthReply, method: VaultLoginMethod, store: SecretStore, clock: Clock): Promise<VaultTokenCredential> {
    const expires = auth.leaseDuration > 0 ? new Date(clock.now() + auth.leaseDuration * 1000).toISOString() : null;
    return VaultTokenCredential.keep(opts, { token: auth.clientToken, accessor: auth.accessor, expires, renewable: auth.renewable, method }, store, clock);
  }

  private static async keep(opts: VaultConnectOptions, t: { token: string; accessor: string; expires: string | null; renewable: boolean; method: VaultLoginMethod }, store: SecretStore, clock: Clock): Promise<VaultTokenCredential> {
    const doc: StoredVaultToken = {
      v: 1, token: t.token, accessor: t.accessor, binding: vaultBinding(opts), method: t.method, expires_at: t.expires, renewable: t.renewable,
      granted_at: new Date(clock.now()).toISOString(),
    };
    await store.set(VAULT_TOKEN_ACCOUNT, JSON.stringify(doc));
    return new VaultTokenCredential(doc, store, clock, opts.timeoutMs);
  }

  get method(): VaultLoginMethod {
    return this.doc.method;
  }

  secret(): Promise<string> {
    if (this.doc.expires_at !== null && Date.parse(this.doc.expires_at) <= this.clock.now()) {
      return Promise.reject(markSessionEnded(new KeyfobError('admin-key-rejected', 'Your Vault session has ended, and its keys ended with it.', { hint: 'Sign in again: keyfob connect --vault …' })));
    }
    return Promise.resolve(this.doc.token);
  }

  /** A Vault token cannot be refreshed: a refused token means signing in again. */
  rejected(): Promise<boolean> {
    return Promise.resolve(false);
  }

  endsAt(): string | null {
    return this.doc.expires_at;
  }

  /** Whether renew-self can extend the token (a root token, or a non-renewable one, ends when it ends). */
  get renewable(): boolean {
    return this.doc.renewable && this.doc.expires_at !== null;
  }

  /** When a renewal is due (⅔ of the granted TTL passed), in ms; null when the token cannot be renewed. */
  renewDueAt(): number | null {
    if (!this.renewable || this.doc.expires_at === null) return null;
    const end = Date.parse(this.doc.expires_at);
    const granted = this.doc.granted_at ? Date.parse(this.doc.granted_at) : end - 3600_000;
    return granted + (end - granted) * TOKEN_RENEW_FRACTION;
  }

  /** The token's accessor (not a secret: it cannot be used to authenticate), to tell two sign-ins apart. */
  get accessor(): string {
    return this.doc.accessor;
  }

  /**
   * `renew-self` (call it while leases live): the token's new end, capped by Vault at its max TTL. Returns whether
   * the renewal fell short of `incrementSeconds` (the session is near its hard end: warn the person).
   */
  async renew(incrementSeconds?: number): Promise<{ endsAt: string | null; capped: boolean; warnings: string[] }> {
    if (!this.doc.renewable) return { endsAt: this.doc.expires_at, capped: false, warnings: [] };
    const answer = await this.client.write('auth/token/renew-self', incrementSeconds === undefined ? {} : { increment: Math.floor(incrementSeconds) });
    const auth = readAuthReply(answer);
    const now = this.clock.now();
    this.doc = { ...this.doc, expires_at: new Date(now + auth.leaseDuration * 1000).toISOString(), granted_at: new Date(now).toISOString() };
    await this.store.set(VAULT_TOKEN_ACCOUNT, JSON.stringify(this.doc));
    const capped = auth.warnings.some((w) => /capped/i.test(w)) || (incrementSeconds !== undefined && auth.leaseDuration < Math.floor(incrementSeconds));
    return { endsAt: this.doc.expires_at, capped, warnings: auth.warnings };
  }

  /** `revoke-self` (which revokes every lease the token and its children hold), then the keychain entry goes. */
  async discard(): Promise<void> {
    try {
      await this.client.write('auth/token/revoke-self', {});
    } catch (e) {
      // A token Vault no longer accepts has ended already, and its leases with it. Any other failure keeps the token,
      // so that logging out can be tried again rather than leaving a live session nobody can revoke.
      if (!(e instanceof KeyfobError && e.kind === 'admin-key-rejected')) throw e;
    }
    await this.store.delete(VAULT_TOKEN_ACCOUNT);
    // From now on this session has ended, here too: its leases are known gone without asking (see sessionEnded).
    this.doc = { ...this.doc, expires_at: new Date(this.clock.now()).toISOString(), renewable: false };
  }
}
