// Team mode: the connection to Vault/OpenBao running the LiteLLM engine. The Vault token is the credential (keychain
// account `vault-token`, bound to URL + namespace + TLS, see vault/vault-token-credential.ts); where it goes and the
// engine's roles are kept in the state file `vault.json` (no secret in it). Its presence is what puts Keyfob in Vault
// mode, for every process sharing the state directory.
//
// Roles: the core reads roles synchronously (an issue resolves its role before any request), so the engine's roles
// are read at connect and at every `role list`/`role show` (refreshRoles) and kept here as a read-only set. The
// settings file's own roles stay as they were: leaving Vault mode brings them back unchanged.
import fs from 'node:fs';
import path from 'node:path';
import type { KeyBackend } from '../backend/index.js';
import type { AuditLog } from '../audit-log.js';
import type { VaultConnectInput, VaultMode, VaultStatus } from '../core-api.js';
import { KeyfobError, toKeyfobError } from '../errors.js';
import { VAULT_TOKEN_ACCOUNT } from '../keychain/index.js';
import { normalizeProxyUrl } from '../litellm/index.js';
import type { Clock, SecretStore } from '../ports.js';
import { normalizeRoleName } from '../roles/index.js';
import { isPlainObject } from '../text-rules.js';
import type { Role } from '../types.js';
import {
  SessionAwareVaultBackend, VaultKeyBackend, VaultTokenCredential, VAULT_ROLES_READ_ONLY, normalizeVaultUrl, type VaultConnectOptions,
} from '../vault/index.js';

export const VAULT_STATE_FILE = 'vault.json';

interface VaultState {
  v: 1;
  url: string;
  namespace: string | null;
  mount: string;
  method: VaultConnectInput['method'];
  proxy_url: string;
  ca_file: string | null;
  allow_insecure_tls: boolean;
  roles: Role[];
  roles_read_at: string | null;
  /** Changes at every connect: another process's connect is noticed and its token read. */
  connected_at: string;
}

export interface VaultConnectionDeps {
  stateDir: string;
  secretStore: SecretStore;
  clock: Clock;
  audit: AuditLog;
  /** Request timeout in seconds (the settings' `request_timeout_seconds`). */
  timeoutSeconds: () => number;
  /** Mint the next issue's child token after each issue (a long-lived process); false for a one-shot CLI. */
  premint: boolean;
  /** Whether leases live: the token is renewed only while they do. */
  hasLiveLeases: () => boolean;
  /** Told after the connection changed (connect, forget). */
  changed: () => void;
}

interface Current {
  connectedAt: string;
  credential: VaultTokenCredential;
  backend: KeyBackend;
}

const MOUNT = /^[\w.-]+(\/[\w.-]+)*$/;

export class VaultConnection implements VaultMode {
  private readonly file: string;
  private current: Current | null = null;

  constructor(private readonly deps: VaultConnectionDeps) {
    this.file = path.join(deps.stateDir, VAULT_STATE_FILE);
  }

  active(): boolean {
    return this.readState() !== null;
  }

  async connect(input: VaultConnectInput): Promise<VaultStatus> {
    const url = normalizeVaultUrl(input?.url ?? '');
    const mount = String(input?.mount ?? '').replace(/^\/+|\/+$/g, '');
    if (!MOUNT.test(mount)) throw field('mount', 'is required: the LiteLLM engine\'s mount path in Vault, e.g. litellm');
    const proxyUrl = normalizeProxyUrl(input.proxyUrl, 'proxy');
    const opts: VaultConnectOptions = {
      url, namespace: input.namespace ?? null, caFile: input.caFile ?? null, allowInsecureTls: input.allowInsecureTls === true,
      timeoutMs: this.deps.timeoutSeconds() * 1000,
    };
    // A failed connect leaves the previous sign-in as it was.
    const previous = await this.deps.secretStore.get(VAULT_TOKEN_ACCOUNT);
    let credential: VaultTokenCredential;
    let roles: Role[];
    try {
      credential = await this.signIn(input, opts);
      try {
        const backend = new VaultKeyBackend({ client: credential.client, mount, clock: this.deps.clock });
        await backend.describeCaller(); // lookup-self: the token works
        roles = await backend.roles.list(); // the engine is there and this policy may read its roles
      } catch (e) {
        if (previous === null) await this.deps.secretStore.delete(VAULT_TOKEN_ACCOUNT);
        else await this.deps.secretStore.set(VAULT_TOKEN_ACCOUNT, previous);
        // A token Keyfob obtained by signing in is nobody else's: revoke it. A token the person gave stays theirs.
        if (input.method !== 'token') await credential.client.write('auth/token/revoke-self', {}).catch(() => undefined);
        throw e;
      }
    } catch (e) {
      this.deps.audit.append({ action: 'connect', outcome: 'failed', detail: `vault ${url}: ${toKeyfobError(e).message}` });
      throw e;
    }
    const now = new Date(this.deps.clock.now()).toISOString();
    this.writeState({
      v: 1, url, namespace: credential.binding.namespace ?? null, mount, method: input.method, proxy_url: proxyUrl,
      ca_file: opts.caFile ?? null, allow_insecure_tls: opts.allowInsecureTls === true, roles, roles_read_at: now, connected_at: now,
    });
    this.current = null;
    await this.load(); // the session watch times renewals from this credential
    this.deps.audit.append({ action: 'connect', outcome: 'ok', detail: `vault ${url} (${input.method}, mount ${mount})` });
    this.deps.changed();
    return (await this.status()) as VaultStatus;
  }

  async status(): Promise<VaultStatus | null> {
    const state = this.readState();
    if (!state) return null;
    const credential = await VaultTokenCredential.load(optionsOf(state, 0), this.deps.secretStore, this.deps.clock).catch(() => null);
    const endsAt = credential?.endsAt() ?? null;
    return {
      url: state.url, namespace: state.namespace, mount: state.mount, method: state.method, proxy_url: state.proxy_url,
      token_stored: credential !== null, session_ends_at: endsAt, session_renewable: credential?.renewable ?? false,
      session_ended: credential === null || (endsAt !== null && Date.parse(endsAt) <= this.deps.clock.now()),
      roles: state.roles.map((r) => r.name), roles_read_at: state.roles_read_at,
    };
  }

  async refreshRoles(): Promise<Role[]> {
    const roles = await this.withBackend((b) => (b.roles as NonNullable<KeyBackend['roles']>).list());
    const state = this.readState();
    if (state) this.writeState({ ...state, roles, roles_read_at: new Date(this.deps.clock.now()).toISOString() });
    return roles;
  }

  /** The engine's roles as last read (sorted); [] when not in Vault mode. */
  roles(): Role[] {
    return [...(this.readState()?.roles ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  }

  role(name: string): Role {
    const key = typeof name === 'string' ? normalizeRoleName(name) : '';
    const role = this.readState()?.roles.find((r) => r.name === key);
    if (!role) {
      throw new KeyfobError('role-not-found', `Vault has no role "${String(name).slice(0, 64)}" (as last read).`, {
        hint: 'Run `keyfob role list` to read the roles from Vault again; roles are defined in Vault by your platform team.',
      });
    }
    return role;
  }

  /** Refuses a role change: the engine's roles are the platform team's. */
  refuseRoleChange(): never {
    throw new KeyfobError('invalid', `${VAULT_ROLES_READ_ONLY[0]?.toUpperCase()}${VAULT_ROLES_READ_ONLY.slice(1)}.`, { hint: VAULT_ROLES_READ_ONLY });
  }

  /** The proxy URL keys are used with (tool setup, env, exec), or null when not in Vault mode. */
  proxyUrl(): string | null {
    return this.readState()?.proxy_url ?? null;
  }

  async isConnected(): Promise<boolean> {
    try {
      await this.load();
      return true;
    } catch {
      return false;
    }
  }

  /** The credential as last loaded by this process (synchronous, for the timer), or null. */
  knownCredential(): VaultTokenCredential | null {
    return this.readState() === null ? null : this.current?.credential ?? null;
  }

  /** The credential in use, or null (for the session watch). */
  async credential(): Promise<VaultTokenCredential | null> {
    return (await this.load().catch(() => null))?.credential ?? null;
  }

  /**
   * Runs a lease operation on the Vault backend. The token is renewed first when its renewal is due and leases
   * live: a CLI process lives too briefly for the timer, so every lease operation is also a renewal point.
   */
  async withBackend<T>(call: (backend: KeyBackend) => Promise<T>): Promise<T> {
    const { credential, backend } = await this.load();
    await this.renewIfDue(credential);
    return call(backend);
  }

  /** renew-self when ⅔ of the granted TTL has passed and leases live. Best effort: a failure shows on the next call. */
  async renewIfDue(credential: VaultTokenCredential): Promise<{ capped: boolean; warnings: string[] } | null> {
    const due = credential.renewDueAt();
    if (due === null || this.deps.clock.now() < due || !this.deps.hasLiveLeases()) return null;
    const ends = credential.endsAt();
    if (ends !== null && Date.parse(ends) <= this.deps.clock.now()) return null;
    try {
      const renewed = await credential.renew();
      this.deps.audit.append({ action: 'connect', outcome: 'ok', detail: `vault session renewed until ${renewed.endsAt ?? 'never'}${renewed.capped ? ' (capped at its max TTL)' : ''}` });
      return renewed;
    } catch (e) {
      this.deps.audit.append({ action: 'connect', outcome: 'failed', detail: `vault session renewal: ${toKeyfobError(e).message}` });
      return null;
    }
  }

  /**
   * Logout: `revoke-self` (Vault revokes every lease of the session with it), then `closeLeases` while this session
   * is known ended (its leases close without a request), then the keychain entry and the state file go.
   */
  async forget(closeLeases: () => Promise<unknown>): Promise<void> {
    const credential = await this.credential();
    if (credential) {
      await credential.discard();
      await closeLeases();
    } else {
      await this.deps.secretStore.delete(VAULT_TOKEN_ACCOUNT);
    }
    fs.rmSync(this.file, { force: true });
    this.current = null;
    this.deps.audit.append({ action: 'connect', outcome: 'ok', detail: 'vault session ended (logout)' });
    this.deps.changed();
  }

  private async load(): Promise<Current> {
    const state = this.readState();
    if (!state) throw new KeyfobError('not-connected', 'Keyfob is not connected to Vault.', { hint: 'Run `keyfob connect --vault URL --mount litellm --method …`.' });
    if (this.current?.connectedAt === state.connected_at) return this.current;
    const credential = await VaultTokenCredential.load(optionsOf(state, this.deps.timeoutSeconds() * 1000), this.deps.secretStore, this.deps.clock);
    if (!credential) {
      throw new KeyfobError('not-connected', `No Vault sign-in for ${state.url} is in the keychain.`, { hint: 'Sign in again: keyfob connect --vault …' });
    }
    const vault = new VaultKeyBackend({ client: credential.client, mount: state.mount, clock: this.deps.clock, premint: this.deps.premint });
    // A long-lived process has the first child token ready, so that even its first issue is one request.
    if (this.deps.premint) void vault.prepare().catch(() => undefined);
    const backend = new SessionAwareVaultBackend(vault);
    this.current = { connectedAt: state.connected_at, credential, backend };
    return this.current;
  }

  private signIn(input: VaultConnectInput, opts: VaultConnectOptions): Promise<VaultTokenCredential> {
    const { secretStore: store, clock } = this.deps;
    switch (input.method) {
      case 'token':
        if (!input.secret) throw field('token', 'is required (from stdin or a prompt)');
        return VaultTokenCredential.signInWithToken(opts, input.secret, store, clock);
      case 'userpass':
        if (!input.username) throw field('username', 'is required with --method userpass');
        if (!input.secret) throw field('password', 'is required (from stdin or a prompt)');
        return VaultTokenCredential.signInWithUserpass({ ...opts, ...(input.authMount ? { mount: input.authMount } : {}) }, input.username, input.secret, store, clock);
      case 'oidc':
        return VaultTokenCredential.signInWithOidc(opts, {
          ...(input.oidcRole ? { role: input.oidcRole } : {}),
          ...(input.oidcPort === undefined ? {} : { port: input.oidcPort }),
          ...(input.authMount ? { mount: input.authMount } : {}),
          openBrowser: input.openBrowser ?? (() => Promise.resolve()),
          print: input.print ?? (() => undefined),
        }, store, clock);
      default:
        throw field('method', 'must be token, userpass or oidc');
    }
  }

  private readState(): VaultState | null {
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      return null;
    }
    if (!isPlainObject(doc) || doc.v !== 1 || typeof doc.url !== 'string' || typeof doc.mount !== 'string' || !Array.isArray(doc.roles)) return null;
    return doc as unknown as VaultState;
  }

  private writeState(state: VaultState): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}

function optionsOf(state: VaultState, timeoutMs: number): VaultConnectOptions {
  return {
    url: state.url, namespace: state.namespace, caFile: state.ca_file, allowInsecureTls: state.allow_insecure_tls,
    ...(timeoutMs > 0 ? { timeoutMs } : {}),
  };
}

function field(name: string, message: string): KeyfobError {
  return new KeyfobError('validation', `${name}: ${message}`, { fields: [{ field: name, message }] });
}
