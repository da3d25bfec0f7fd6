// The assembled core: what the CLI and the Electron app hold. It wires the settings store (roles and settings), the
// connection (connection/: the credential in the keychain, its binding, the caller identity and the LiteLLM client),
// the lease ledger and manager, the one timer, the clipboard guard and the audit log.
import fs from 'node:fs';
import path from 'node:path';
import { AuditLog } from './audit-log.js';
import { ClipboardGuard } from './clipboard-guard.js';
import { KeyfobError } from './errors.js';
import { LeaseLedger, LeaseManager } from './leases/index.js';
import { LiteLLMClient, LiteLLMKeyBackend, roleProblems } from './litellm/index.js';
import { applySettingsPatch, AUDIT_FILE, LEDGER_FILE, LOCK_FILE, readSettingsShared } from './settings/index.js';
import { normalizeRoleName, validateRole } from './roles/index.js';
import { Connection, VaultConnection, VaultSessionWatch } from './connection/index.js';
import { SingleTimer } from './single-timer.js';
import { toolBaseUrls } from './tools/index.js';
import type { ToolBaseUrls } from './tools/index.js';
import type { ConnectInput, ConnectionStatus, CoreDeps, KeyfobCore, ProbeResult, ReconcileReport, SignOutReport, SsoConnectInput, SsoSignIn, VaultMode } from './core-api.js';
import type { ClientOptions, KeyInfo, LiteLLMAdmin } from './litellm/index.js';
import type { SecretStore, SettingsStore } from './ports.js';
import type { AuditEntry, Notice, Role, RoleInput, Settings, SettingsPatch } from './types.js';

export interface KeyfobCoreOptions extends CoreDeps {
  /** Builds the admin client (tests may wrap it). Default: `new LiteLLMClient(options)`. */
  clientFactory?: (options: ClientOptions) => LiteLLMAdmin;
  /** Watch the ledger file and pick up other processes' changes at once (default true). */
  watchLedger?: boolean;
  /** Jitter source for the revoke back-off (tests pin it). */
  random?: () => number;
  /** Vault mode: mint the next issue's child token right after each issue (default true; the one-shot CLI: false). */
  vaultPremint?: boolean;
}

/** What createKeyfobCore returns: the KeyfobCore contract plus what the app and the tests need beyond it. */
export interface KeyfobCoreInstance extends KeyfobCore {
  readonly leases: LeaseManager;
  readonly clipboardGuard: ClipboardGuard;
  readonly ledger: LeaseLedger;
  /** Clears the clipboard if it still holds a key Keyfob copied. The app calls it at quit (after revokeAll). */
  clearClipboard(): Promise<boolean>;
  /** Messages for the person (corrupt settings or ledger backed up, recovery, waiting revocations); each once. */
  takeNotices(): Notice[];
  readonly lastReconcile: ReconcileReport | null;
}

export function createKeyfobCore(deps: KeyfobCoreOptions): KeyfobCoreInstance {
  return new Core(deps);
}

class Core implements KeyfobCoreInstance {
  readonly leases: LeaseManager;
  readonly clipboardGuard: ClipboardGuard;
  readonly ledger: LeaseLedger;
  readonly secretStore: SecretStore;
  readonly settingsStore: SettingsStore;
  lastReconcile: ReconcileReport | null = null;

  private readonly audit: AuditLog;
  private readonly timer: SingleTimer;
  private readonly connection: Connection;
  /** Team mode (vault.json present): Vault's backend, roles and session instead of the LiteLLM connection's. */
  private readonly vaultConnection: VaultConnection;
  private readonly vaultSession: VaultSessionWatch;
  private watcher: fs.FSWatcher | null = null;
  private settingsNoticesTaken = false;
  private stopping: Promise<void> | null = null;

  constructor(private readonly deps: KeyfobCoreOptions) {
    this.secretStore = deps.secretStore;
    this.settingsStore = deps.settingsStore;
    this.timer = new SingleTimer(deps.clock);
    this.ledger = new LeaseLedger({ stateDir: deps.stateDir, clock: deps.clock, ledgerFile: LEDGER_FILE, lockFile: LOCK_FILE });
    this.audit = new AuditLog({ stateDir: deps.stateDir, clock: deps.clock, fileName: AUDIT_FILE });
    this.connection = new Connection({
      stateDir: deps.stateDir,
      secretStore: deps.secretStore,
      settingsStore: deps.settingsStore,
      clock: deps.clock,
      audit: this.audit,
      clientFactory: deps.clientFactory ?? ((o) => new LiteLLMClient(o)),
      changed: () => this.leases.announceChange(),
    });
    this.vaultConnection = new VaultConnection({
      stateDir: deps.stateDir,
      secretStore: deps.secretStore,
      clock: deps.clock,
      audit: this.audit,
      timeoutSeconds: () => this.settingsNow().request_timeout_seconds,
      premint: deps.vaultPremint !== false,
      hasLiveLeases: () => this.leases.list().length > 0,
      changed: () => {
        this.leases.announceChange();
        this.timer.rearm();
      },
    });
    this.vaultSession = new VaultSessionWatch({
      vault: this.vaultConnection, clock: deps.clock, notifier: deps.notifier,
      hasLiveLeases: () => this.leases.list().length > 0,
      closeLeases: async () => {
        await this.leases.revokeAll({ reason: 'the Vault session ended' });
      },
    });
    this.clipboardGuard = new ClipboardGuard({
      clipboard: deps.clipboard,
      clock: deps.clock,
      clearAfterSeconds: () => this.settingsNow().clipboard_clear_seconds,
      onDeadlineChange: () => this.timer.rearm(),
    });
    this.leases = new LeaseManager({
      ledger: this.ledger,
      audit: this.audit,
      secretStore: deps.secretStore,
      clock: deps.clock,
      activity: deps.activity,
      notifier: deps.notifier,
      clipboard: this.clipboardGuard,
      timer: this.timer,
      settings: () => this.settingsNow(),
      role: (name) => this.roleNow(name),
      withBackend: (call) => (this.vaultConnection.active()
        ? this.vaultConnection.withBackend(call)
        : this.connection.withClient((client) => call(new LiteLLMKeyBackend(client)))),
      connected: () => (this.vaultConnection.active() ? this.vaultConnection.isConnected() : this.connection.isConnected()),
      ledgerId: () => this.ledger.current().ledgerId ?? '',
      ...(deps.maxConcurrency === undefined ? {} : { maxConcurrency: deps.maxConcurrency }),
      ...(deps.random === undefined ? {} : { random: deps.random }),
    });
    this.timer.add(this.leases);
    this.timer.add(this.clipboardGuard);
    this.timer.add(this.vaultSession);
  }

  get vault(): VaultMode {
    return this.vaultConnection;
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────────────────────

  async start(): Promise<ReconcileReport> {
    if (this.stopping) throw new KeyfobError('state-unavailable', 'This Keyfob core has been stopped; create a new one.');
    if (this.vaultConnection.active()) await this.vaultConnection.credential(); // the session watch times from it
    const report = await this.leases.reconcile();
    this.lastReconcile = report;
    if (this.stopping) return report; // stopped while reconciling: arm nothing
    this.leases.sync();
    this.timer.start();
    if (this.deps.watchLedger !== false) this.watchLedger();
    return report;
  }

  /**
   * Stops the core for good. Resolves once this core will write nothing more to the state directory: the timer is
   * cancelled, the ledger watcher closed, the lease manager's claims released and its ledger closed (calls still in
   * flight are abandoned without a later write, see LeaseManager.stop), and the audit log closed — its appends are
   * synchronous, so none is left half-done.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.timer.stop();
      this.watcher?.close();
      this.watcher = null;
      await this.leases.stop();
      this.audit.close();
    })();
    return this.stopping;
  }

  async clearClipboard(): Promise<boolean> {
    return this.clipboardGuard.clearOnQuit();
  }

  takeNotices(): Notice[] {
    const settingsNotices = this.settingsNoticesTaken ? [] : this.settingsStore.notices.map((text): Notice => ({ kind: 'settings', text }));
    this.settingsNoticesTaken = true;
    return [...settingsNotices, ...this.leases.takeNotices(), ...this.vaultSession.takeNotices()];
  }

  /** Another process (the CLI beside the app) changed the ledger: re-read it and re-arm, without polling. */
  private watchLedger(): void {
    try {
      this.watcher = fs.watch(path.resolve(this.deps.stateDir), { persistent: false }, (_event, file) => {
        if (file === LEDGER_FILE) {
          try {
            this.leases.sync();
          } catch {
            // a half-visible state directory: the next event or refresh() catches up
          }
        }
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      this.watcher = null; // no file watching here: refresh() on resume still picks changes up
    }
  }

  // ── connection (connection/: the credential, its binding, the caller identity, the client) ──────────────────────

  connect(input: ConnectInput): Promise<void> {
    return this.connection.connect(input);
  }

  connectSso(input: SsoConnectInput, openBrowser: (url: string) => void | Promise<void>): Promise<SsoSignIn> {
    return this.connection.connectSso(input, openBrowser);
  }

  async signOut(): Promise<SignOutReport> {
    if (this.vaultConnection.active()) {
      // Each key revoked now; then revoke-self, which takes whatever the session still held, so nothing is left.
      const summary = await this.leases.revokeAll({ reason: 'signed out' });
      await this.vaultConnection.forget(() => this.leases.revokeAll({ reason: 'signed out' }));
      return { revoked: summary.revoked, left: this.leases.list(), discarded: true, kind: 'vault-token' };
    }
    const status = await this.connection.status();
    const kind = status.sso ? 'sso-session' : status.admin_key_stored ? 'static-key' : null;
    const summary = this.leases.list().length > 0 ? await this.leases.revokeAll({ reason: 'signed out' }) : { revoked: 0, failed: 0, left: [] };
    const left = this.leases.list();
    if (left.length > 0 || summary.left.length > 0) {
      return { revoked: summary.revoked, left: left.length > 0 ? left : summary.left, discarded: false, kind };
    }
    if (kind !== null) await this.connection.forget();
    return { revoked: summary.revoked, left: [], discarded: kind !== null, kind };
  }

  testConnection(input: Partial<ConnectInput> = {}): Promise<ProbeResult> {
    return this.connection.testConnection(input);
  }

  /** In Vault mode this is the logout: revoke-self (the session's leases end with it), then the keychain entry. */
  forgetAdminKey(): Promise<void> {
    if (this.vaultConnection.active()) return this.vaultConnection.forget(() => this.leases.revokeAll({ reason: 'logout' }));
    return this.connection.forget();
  }

  async connectionStatus(): Promise<ConnectionStatus> {
    const status = await this.connection.status();
    const vault = this.vaultConnection.active() ? await this.vaultConnection.status() : null;
    if (!vault) return status;
    // Vault mode: connected means signed in to Vault, and keys go to the proxy given at connect.
    return { ...status, url: vault.proxy_url, admin_key_stored: vault.token_stored && !vault.session_ended, identity: null, vault };
  }

  boundUrl(): Promise<string | null> {
    const proxy = this.vaultConnection.proxyUrl();
    if (proxy !== null) return Promise.resolve(proxy);
    return this.connection.boundUrl();
  }

  async toolBaseUrls(): Promise<ToolBaseUrls | null> {
    // Vault mode: the proxy given at connect; which form of it answered (with or without /v1) is not known here.
    const proxy = this.vaultConnection.proxyUrl();
    if (proxy !== null) return toolBaseUrls(proxy, null);
    const bound = await this.connection.boundUrl();
    return bound === null ? null : toolBaseUrls(bound, this.settingsNow().litellm_resolved_url);
  }

  async listModels(): Promise<string[]> {
    // Vault mode has no LiteLLM credential: the models are those the engine's roles allow.
    if (this.vaultConnection.active()) return [...new Set(this.vaultConnection.roles().flatMap((r) => r.models))].sort();
    return this.connection.withClient((c) => c.listModels());
  }

  async keyInfo(leaseId: string): Promise<KeyInfo> {
    const lease = this.leases.get(leaseId);
    const target = lease.token_hash;
    if (!target) throw new KeyfobError('lease-not-found', `Lease ${lease.key_alias} has no key on the proxy (state ${lease.state}).`);
    return this.connection.withClient((c) => c.keyInfo(target));
  }

  // ── settings and roles ───────────────────────────────────────────────────────────────────────────────────────

  getSettings(): Settings {
    return structuredClone(this.settingsNow());
  }

  /**
   * The current settings for the core's own reads (several per operation; every one still sees another process's
   * change): shared and frozen, not copied. What leaves the core (getSettings, getRole, listRoles) is a copy.
   */
  private settingsNow(): Readonly<Settings> {
    return readSettingsShared(this.settingsStore).settings;
  }

  updateSettings(patch: SettingsPatch): Settings {
    const stored = this.settingsStore.update((c) => ({ ...c, settings: applySettingsPatch(c.settings, patch) }));
    this.connection.settingsChanged();
    this.leases.announceChange();
    this.timer.rearm();
    return stored.settings;
  }

  listRoles(): Role[] {
    if (this.vaultConnection.active()) return structuredClone(this.vaultConnection.roles());
    return Object.values(this.settingsStore.read().roles).sort((a, b) => a.name.localeCompare(b.name));
  }

  getRole(name: string): Role {
    return structuredClone(this.roleNow(name));
  }

  /** Like getRole, shared and frozen (see settingsNow). */
  private roleNow(name: string): Readonly<Role> {
    if (this.vaultConnection.active()) return this.vaultConnection.role(name);
    const key = typeof name === 'string' ? normalizeRoleName(name) : '';
    const role = readSettingsShared(this.settingsStore).roles[key];
    if (!role) {
      throw new KeyfobError('role-not-found', `There is no role "${String(name).slice(0, 64)}".`, {
        hint: 'Check the role name against your roles, or create the role first.',
      });
    }
    return role;
  }

  saveRole(input: RoleInput): Role {
    if (this.vaultConnection.active()) this.vaultConnection.refuseRoleChange();
    const role = validateRole(input);
    // The proxy refuses it (a session token cannot delegate a budget to a personal key): said now, with the fix.
    if (this.connection.knownKind() === 'sso-session' && role.max_budget > 0 && role.team_id === null) {
      const message = 'a sign-in session cannot give a personal key a budget: set --team-id';
      throw new KeyfobError('validation', `Role "${role.name}": ${message}.`, { fields: [{ field: 'team_id', message }] });
    }
    // A role the connected credential cannot use is stopped now, with the reason, rather than at its first issue.
    const identity = this.connection.knownIdentity();
    const problems = identity ? roleProblems(identity, role) : [];
    if (problems.length > 0) {
      throw new KeyfobError('validation', `Role "${role.name}" cannot be used with this credential: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`, {
        fields: problems,
      });
    }
    this.settingsStore.update((c) => ({ ...c, roles: { ...c.roles, [role.name]: role } }));
    this.audit.append({ action: 'role', outcome: 'ok', role: role.name, detail: 'saved' });
    this.leases.announceChange();
    return role;
  }

  deleteRole(name: string): void {
    if (this.vaultConnection.active()) this.vaultConnection.refuseRoleChange();
    const role = this.getRole(name);
    this.settingsStore.update((c) => {
      const roles = { ...c.roles };
      delete roles[role.name];
      return { ...c, roles };
    });
    this.audit.append({ action: 'role', outcome: 'ok', role: role.name, detail: 'deleted' });
    this.leases.announceChange();
  }

  auditLog(limit = 100): AuditEntry[] {
    return this.audit.read(limit);
  }
}
