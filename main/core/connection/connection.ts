// The connection to the key backend: the credential (read from the keychain), its binding checked before every
// request, what the credential is on the proxy (the caller identity, remembered across processes), and the client
// built from them, kept until one of them changes. Every proxy call of the core goes through `withClient`.
// The credential is a static LiteLLM key (connect) or the person's sign-in session (connectSso), read by
// stored-credential.ts; a Vault token will plug in beside them the same way, with its own connect operation.
import type { CallerIdentity, Credential, CredentialBinding } from '../backend/index.js';
import type { AuditLog } from '../audit-log.js';
import type { ConnectInput, ConnectionStatus, ProbeResult, SsoConnectInput, SsoSignIn } from '../core-api.js';
import { KeyfobError, isKeyfobError, toKeyfobError } from '../errors.js';
import { ADMIN_KEY_ACCOUNT, ADMIN_KEY_BINDING_ACCOUNT, SSO_SESSION_ACCOUNT, bindingProblem, keyNeededAgain, secretFingerprint } from '../keychain/index.js';
import { normalizeProxyUrl } from '../litellm/index.js';
import type { ClientOptions, LiteLLMAdmin } from '../litellm/index.js';
import type { Clock, SecretStore, SettingsStore } from '../ports.js';
import { applySettingsPatch, readSettingsShared } from '../settings/index.js';
import { signInWithSso, SsoSessionCredential, type OpenBrowser } from '../sso/index.js';
import type { Settings } from '../types.js';
import { readCaFile } from '../http/index.js';
import { sessionIdentity } from './session-identity.js';
import { IdentityCache } from './identity-cache.js';
import { StaticKeyCredential } from './static-key-credential.js';
import { bindingOf, loadStoredCredential, type StoredCredential } from './stored-credential.js';

export interface ConnectionDeps {
  stateDir: string;
  secretStore: SecretStore;
  settingsStore: SettingsStore;
  clock: Clock;
  audit: AuditLog;
  clientFactory: (options: ClientOptions) => LiteLLMAdmin;
  /** Told after the credential changed (connect, forget): the lease manager announces it to the views. */
  changed: () => void;
}

type ClientSettings = Pick<Settings, 'request_timeout_seconds' | 'ca_file' | 'allow_insecure_tls' | 'auth_header' | 'litellm_resolved_url' | 'litellm_url'>;

export class Connection {
  /** undefined: not read from the keychain yet; null: none stored. */
  private stored: StoredCredential | null | undefined;
  private client: { options: ClientOptions; client: LiteLLMAdmin } | null = null;
  /** What the connected credential may do, as last learned from the proxy or the identity file (null: unknown). */
  private identity: CallerIdentity | null = null;
  private readonly identityCache: IdentityCache;

  constructor(private readonly deps: ConnectionDeps) {
    this.identityCache = new IdentityCache(deps.stateDir);
  }

  /** The identity known for the connected credential, without asking the proxy. */
  knownIdentity(): CallerIdentity | null {
    return this.identity;
  }

  /** The settings changed: the client is rebuilt (and the binding checked again) before the next request. */
  settingsChanged(): void {
    this.client = null;
  }

  async connect(input: ConnectInput): Promise<void> {
    const url = normalizeProxyUrl(input?.url, 'url');
    const key = checkLiteLLMKey(input?.adminKey);
    const tls = applySettingsPatch(this.settings(), { ca_file: input.caFile ?? null, allow_insecure_tls: input.allowInsecureTls ?? false });
    let resolvedUrl: string | null = null;
    let identity: CallerIdentity | null;
    try {
      const options = await this.withCaPem({ ...this.clientOptions(url, key, tls), onBaseUrlResolved: (u) => (resolvedUrl = u) });
      const client = this.deps.clientFactory(options);
      // Prove URL, key and database before anything is stored.
      await client.verifyAdmin();
      identity = await client.identity().catch(() => null);
    } catch (e) {
      this.deps.audit.append({ action: 'connect', outcome: 'failed', detail: `${url}: ${toKeyfobError(e).message}` });
      throw e;
    }
    const credential = await StaticKeyCredential.store(this.deps.secretStore, key, bindingOf(url, tls));
    // One credential at a time: a sign-in session is signed out (best effort) and removed, or it would still be read first.
    const session = await SsoSessionCredential.load(this.sessionOptions()).catch(() => null);
    if (session) await session.discard().catch(() => undefined);
    await this.deps.secretStore.delete(SSO_SESSION_ACCOUNT);
    this.deps.settingsStore.update((c) => ({
      ...c,
      settings: applySettingsPatch(c.settings, {
        litellm_url: url, litellm_resolved_url: resolvedUrl, ca_file: tls.ca_file, allow_insecure_tls: tls.allow_insecure_tls,
      }),
    }));
    this.stored = { secret: key, credential, session: null };
    this.setIdentity(identity);
    this.client = null;
    this.deps.audit.append({ action: 'connect', outcome: 'ok', detail: url });
    this.deps.changed();
  }

  /**
   * Signs in with SSO, proves the session with one call (the key list, as `connect` does), then stores it: the
   * session replaces any stored key, and an earlier session's refresh token is revoked (best effort).
   */
  async connectSso(input: SsoConnectInput, openBrowser: OpenBrowser): Promise<SsoSignIn> {
    const url = normalizeProxyUrl(input?.url, 'url');
    const tls = applySettingsPatch(this.settings(), { ca_file: input.caFile ?? null, allow_insecure_tls: input.allowInsecureTls ?? false });
    let resolvedUrl: string | null = null;
    let record;
    try {
      const caFile = tls.ca_file;
      if (caFile) await readCaFile(caFile); // refused here (FIFO, huge) before the sign-in reads it
      record = await signInWithSso({
        url, clock: this.deps.clock, openBrowser, caFile, allowInsecureTls: tls.allow_insecure_tls, team: input.team ?? null,
      });
      const client = this.deps.clientFactory(await this.withCaPem({
        ...this.clientOptions(url, record.accessToken, tls), onBaseUrlResolved: (u) => (resolvedUrl = u), knownIdentity: sessionIdentity(record),
      }));
      await client.verifyAdmin();
    } catch (e) {
      this.deps.audit.append({ action: 'connect', outcome: 'failed', detail: `${url} (SSO): ${toKeyfobError(e).message}` });
      throw e;
    }
    const previous = await SsoSessionCredential.load(this.sessionOptions()).catch(() => null);
    if (previous && previous.clientId !== record.clientId) await previous.discard().catch(() => undefined);
    const credential = await SsoSessionCredential.store(record, this.sessionOptions());
    await this.deps.secretStore.delete(ADMIN_KEY_ACCOUNT);
    await this.deps.secretStore.delete(ADMIN_KEY_BINDING_ACCOUNT);
    this.deps.settingsStore.update((c) => ({
      ...c,
      settings: applySettingsPatch(c.settings, {
        litellm_url: url, litellm_resolved_url: resolvedUrl, ca_file: tls.ca_file, allow_insecure_tls: tls.allow_insecure_tls,
      }),
    }));
    const session = { userId: record.userId, teamId: record.teamId, endsAt: credential.endsAt() };
    this.stored = { credential, secret: `sso-session:${record.clientId}:${record.userId}`, session };
    this.setIdentity(sessionIdentity(record));
    this.client = null;
    this.deps.audit.append({ action: 'connect', outcome: 'ok', detail: `${url}: signed in with SSO as ${record.userId}` });
    this.deps.changed();
    return { user: record.userId, team: record.teamId, renews_until: session.endsAt };
  }

  /** What the stored credential is (`static-key`, `sso-session`), without asking the keychain; null when unknown. */
  knownKind(): string | null {
    return this.stored?.credential?.kind ?? this.identityCache.kindAt(this.settings().litellm_url);
  }

  async testConnection(input: Partial<ConnectInput> = {}): Promise<ProbeResult> {
    const result: ProbeResult = { reachable: false, admin_ok: false, db_connected: null, error: null, identity: null };
    let client: LiteLLMAdmin;
    let haveKey: boolean;
    let unboundKey: KeyfobError | null = null;
    try {
      const settings = this.settings();
      const urlInput = input.url ?? settings.litellm_url;
      if (!urlInput) throw notConnected();
      const url = normalizeProxyUrl(urlInput, 'url');
      const tls = {
        ...settings,
        ca_file: input.caFile !== undefined ? input.caFile : settings.ca_file,
        allow_insecure_tls: input.allowInsecureTls ?? settings.allow_insecure_tls,
      };
      let key: string | null;
      let who: CallerIdentity | null = null;
      if (input.adminKey !== undefined && input.adminKey !== '') {
        key = checkLiteLLMKey(input.adminKey);
      } else {
        // The stored key only where it was entered: another URL or weaker TLS is probed without it.
        const stored = await this.load();
        const target = bindingOf(url, tls);
        const problem = stored === null ? null : this.bindingProblemFor(target);
        if (problem) unboundKey = keyNeededAgain(problem, target, 'validation');
        // A session's current access token (refreshed first when close to its end), a key as stored.
        key = problem || !stored?.credential ? null : await stored.credential.secret();
        if (key !== null && stored?.session) who = sessionIdentity(stored.session);
      }
      haveKey = key !== null;
      client = this.deps.clientFactory(await this.withCaPem({ ...this.clientOptions(url, key ?? 'sk-none', tls), knownIdentity: who }));
    } catch (e) {
      result.error = toKeyfobError(e).toJSON();
      return result;
    }
    try {
      const health = await client.health();
      result.reachable = health.alive;
      result.db_connected = health.db_connected;
    } catch (e) {
      result.error = toKeyfobError(e).toJSON();
      return result;
    }
    if (!haveKey) {
      result.error = (unboundKey ?? notConnected('No LiteLLM key is stored.')).toJSON();
      return result;
    }
    try {
      await client.verifyAdmin();
      result.admin_ok = true;
      result.identity = await client.identity().catch(() => null);
      if (input.url === undefined && input.adminKey === undefined) this.setIdentity(result.identity);
    } catch (e) {
      const err = toKeyfobError(e);
      result.error = err.toJSON();
      if (err.kind === 'no-database') {
        result.db_connected = false;
        result.admin_ok = true; // the master key authenticates; only virtual keys are impossible
      }
    }
    return result;
  }

  /** Removes the credential from the keychain (an unbound or unreadable one too). */
  async forget(): Promise<void> {
    // Read again: another process may have connected since. An unreadable session is removed below without a sign-out.
    const credential = (await this.load(true).catch(() => null))?.credential;
    if (credential) await credential.discard();
    await this.deps.secretStore.delete(ADMIN_KEY_ACCOUNT);
    await this.deps.secretStore.delete(ADMIN_KEY_BINDING_ACCOUNT);
    await this.deps.secretStore.delete(SSO_SESSION_ACCOUNT);
    this.stored = null;
    this.identity = null;
    this.identityCache.clear();
    this.client = null;
    this.deps.audit.append({ action: 'connect', outcome: 'ok', detail: 'LiteLLM key forgotten' });
    this.deps.changed();
  }

  async status(): Promise<ConnectionStatus> {
    let loaded: StoredCredential | null;
    try {
      loaded = await this.load(true);
    } catch {
      loaded = null;
    }
    const session = loaded?.session ?? null;
    return {
      url: this.settings().litellm_url,
      admin_key_stored: loaded !== null,
      keychain_backend: this.deps.secretStore.backend,
      session_only: this.deps.secretStore.sessionOnly,
      identity: loaded ? this.identity : null,
      sso: session ? { user: session.userId, team: session.teamId, renews_until: session.endsAt } : null,
    };
  }

  async isConnected(): Promise<boolean> {
    const settings = this.settings();
    if (!settings.litellm_url) return false;
    try {
      return (await this.load()) !== null && this.bindingProblemFor(bindingOf(settings.litellm_url, settings)) === null;
    } catch {
      return false;
    }
  }

  /**
   * The one URL keys may be sent to: where the stored credential was entered (its binding), whatever the settings
   * say now. Tool setup, `env`, `exec` and the shell exports write only this URL. Null when no bound credential is stored.
   */
  async boundUrl(): Promise<string | null> {
    await this.load();
    return this.stored?.credential?.binding.url ?? null;
  }

  /**
   * Runs a proxy call. When the proxy rejects the credential, the keychain is read again once: another process (the
   * CLI's `keyfob connect`) may have stored a new one, and a rejected admin call was never carried out, so it is
   * safe to repeat. Any 401/403 also forgets the remembered identity: the credential's rights may have changed.
   */
  async withClient<T>(call: (client: LiteLLMAdmin) => Promise<T>): Promise<T> {
    const client = await this.currentClient();
    try {
      return await call(client);
    } catch (e) {
      if (!isKeyfobError(e)) throw e;
      if (e.kind === 'admin-key-rejected' || e.status === 401 || e.status === 403) this.setIdentity(null);
      // A session refreshes once (across processes) when the proxy refuses its access token (an expired one is a 401
      // of another kind); invalid_grant signs out. A refused call was never carried out: it is safe to repeat.
      const credential = this.stored?.credential;
      if (credential?.kind === 'sso-session' && (e.kind === 'admin-key-rejected' || e.status === 401)) {
        if (!(await credential.rejected())) throw e;
        return call(await this.currentClient());
      }
      if (e.kind !== 'admin-key-rejected') throw e;
      const before = this.stored?.secret;
      const fresh = await this.load(true).catch(() => null);
      if (!fresh || fresh.secret === before) throw e;
      return call(await this.currentClient());
    }
  }

  /** The stored credential, read from the keychain once (again with `reload`). */
  private async load(reload = false): Promise<StoredCredential | null> {
    if (!reload && this.stored !== undefined) return this.stored;
    const before = this.stored;
    const loaded = await loadStoredCredential(this.deps.secretStore, this.settings(), { clock: this.deps.clock, stateDir: this.deps.stateDir });
    if (before !== undefined && before?.secret !== loaded?.secret) this.identity = null; // another credential now
    this.stored = loaded;
    if (loaded?.session) this.identity = sessionIdentity(loaded.session);
    else if (loaded?.credential && this.identity === null) {
      this.identity = this.identityCache.read(secretFingerprint(loaded.secret), loaded.credential.binding.url);
    }
    return loaded;
  }

  /** Why the stored credential may not go to `target` (null: it may). A credential without a binding goes nowhere. */
  private bindingProblemFor(target: CredentialBinding): string | null {
    const credential: Credential | null | undefined = this.stored?.credential;
    if (!credential) return 'the stored LiteLLM key has no record of the proxy it was entered for';
    return bindingProblem(credential.binding, target);
  }

  /** The client for the current settings and credential, rebuilt only when one of them changed. */
  private async currentClient(): Promise<LiteLLMAdmin> {
    const settings = this.settings();
    const stored = await this.load();
    if (!settings.litellm_url || !stored) throw notConnected();
    const target = bindingOf(settings.litellm_url, settings);
    const problem = this.bindingProblemFor(target);
    if (problem || !stored.credential) throw keyNeededAgain(problem ?? 'unbound', target, 'not-connected');
    const secret = await stored.credential.secret();
    const options: ClientOptions = {
      ...this.clientOptions(settings.litellm_url, secret, settings),
      knownIdentity: stored.session ? sessionIdentity(stored.session) : this.identity,
      onIdentity: (who) => {
        if (this.stored?.secret === stored.secret) this.setIdentity(who);
      },
    };
    if (!this.client || !sameClientOptions(this.client.options, options)) {
      this.client = { options, client: this.deps.clientFactory(await this.withCaPem(options)) };
    }
    return this.client.client;
  }

  /** Remembers (or forgets, with null) what the connected credential is, in memory and in the state directory. */
  private setIdentity(identity: CallerIdentity | null): void {
    this.identity = identity;
    const credential = this.stored?.credential;
    if (identity === null) this.identityCache.clear();
    else if (credential && this.stored) this.identityCache.write(secretFingerprint(this.stored.secret), credential.binding.url, identity, credential.kind);
  }

  private sessionOptions(): { secrets: SecretStore; clock: Clock; stateDir: string } {
    return { secrets: this.deps.secretStore, clock: this.deps.clock, stateDir: this.deps.stateDir };
  }

  /** The CA file's text, read off the main thread with a size cap, before any client is built with it. */
  private async withCaPem(options: ClientOptions): Promise<ClientOptions> {
    return options.caFile ? { ...options, caPem: await readCaFile(options.caFile) } : options;
  }

  private clientOptions(url: string, secret: string, s: ClientSettings): ClientOptions {
    return {
      baseUrl: url,
      adminKey: secret,
      timeoutMs: s.request_timeout_seconds * 1000,
      caFile: s.ca_file,
      allowInsecureTls: s.allow_insecure_tls,
      authHeader: s.auth_header,
      knownBaseUrl: s.litellm_url === url ? s.litellm_resolved_url : null,
      onBaseUrlResolved: (resolved) => this.rememberResolvedUrl(url, resolved),
      now: () => this.deps.clock.now(),
    };
  }

  /** Which form of the URL answered (with or without its trailing /v1), kept so the next process needs no probe. */
  private rememberResolvedUrl(url: string, resolved: string): void {
    try {
      this.deps.settingsStore.update((c) => (c.settings.litellm_url === url && c.settings.litellm_resolved_url !== resolved
        ? { ...c, settings: { ...c.settings, litellm_resolved_url: resolved } }
        : c));
    } catch {
      // not remembered: the next process probes again
    }
  }

  private settings(): Readonly<Settings> {
    return readSettingsShared(this.deps.settingsStore).settings;
  }
}

/** Every field that shapes the client (the comparison runs on every proxy call: a few `===`, no hashing). */
function sameClientOptions(a: ClientOptions, b: ClientOptions): boolean {
  return a.baseUrl === b.baseUrl && a.adminKey === b.adminKey && a.timeoutMs === b.timeoutMs && a.caFile === b.caFile &&
    a.allowInsecureTls === b.allowInsecureTls && (a.authHeader ?? null) === (b.authHeader ?? null);
}

function checkLiteLLMKey(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    const message = 'is required: your LiteLLM key (a personal or team key, or the proxy\'s master key)';
    throw new KeyfobError('validation', `adminKey: ${message}`, { fields: [{ field: 'adminKey', message }] });
  }
  const key = value.trim();
  if (key.length > 4096 || !/^[\x21-\x7e]+$/.test(key)) {
    const message = 'must be a single key of printable ASCII characters, without spaces';
    throw new KeyfobError('validation', `adminKey: ${message}`, { fields: [{ field: 'adminKey', message }] });
  }
  return key;
}

export function notConnected(detail = 'Keyfob is not connected to a LiteLLM proxy.'): KeyfobError {
  return new KeyfobError('not-connected', `${detail} Run \`keyfob connect --url URL\`, or open Settings in the Keyfob window.`, {
    hint: 'Run `keyfob connect --url URL` (your LiteLLM key is read from stdin or a prompt), or open Settings in the Keyfob window.',
  });
}
