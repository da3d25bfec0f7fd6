// The assembled core: what the CLI and the Electron app hold. It wires the settings store (roles and settings), the
// secret store (the admin key), the LiteLLM client (built lazily from the current settings and the stored admin key),
// the lease ledger and manager, the one timer, the clipboard guard and the audit log.
import fs from 'node:fs';
import path from 'node:path';
import { AuditLog } from './audit-log.js';
import { ClipboardGuard } from './clipboard-guard.js';
import { KeyfobError, isKeyfobError, toKeyfobError } from './errors.js';
import { LeaseLedger, LeaseManager } from './leases/index.js';
import { LiteLLMClient, LiteLLMKeyBackend, normalizeProxyUrl, roleProblems } from './litellm/index.js';
import { applySettingsPatch, AUDIT_FILE, LEDGER_FILE, LOCK_FILE, readSettingsShared } from './settings/index.js';
import { normalizeRoleName, validateRole } from './roles/index.js';
import { ADMIN_KEY_ACCOUNT, ADMIN_KEY_BINDING_ACCOUNT, bindingBelongsTo, bindingProblem, decodeBinding, encodeBinding, keyNeededAgain } from './keychain/index.js';
import type { AdminKeyBinding } from './keychain/index.js';
import { SingleTimer } from './single-timer.js';
import type { ConnectInput, ConnectionStatus, CoreDeps, KeyfobCore, ProbeResult, ReconcileReport } from './core-api.js';
import type { CallerIdentity, ClientOptions, KeyInfo, LiteLLMAdmin } from './litellm/index.js';
import type { SecretStore, SettingsStore } from './ports.js';
import type { AuditEntry, Notice, Role, RoleInput, Settings, SettingsPatch } from './types.js';

export interface KeyfobCoreOptions extends CoreDeps {
  /** Builds the admin client (tests may wrap it). Default: `new LiteLLMClient(options)`. */
  clientFactory?: (options: ClientOptions) => LiteLLMAdmin;
  /** Watch the ledger file and pick up other processes' changes at once (default true). */
  watchLedger?: boolean;
  /** Jitter source for the revoke back-off (tests pin it). */
  random?: () => number;
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
  private readonly clientFactory: (options: ClientOptions) => LiteLLMAdmin;
  /** undefined: not read from the keychain yet; null: none stored. */
  private adminKey: string | null | undefined;
  /** Where the stored admin key may be sent (read with it); null while no key is stored. */
  private binding: AdminKeyBinding | null = null;
  private client: { options: ClientOptions; client: LiteLLMAdmin } | null = null;
  private watcher: fs.FSWatcher | null = null;
  private settingsNoticesTaken = false;
  /** What the connected credential may do, as last learned from the proxy (null: not asked yet in this process). */
  private identity: CallerIdentity | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly deps: KeyfobCoreOptions) {
    this.secretStore = deps.secretStore;
    this.settingsStore = deps.settingsStore;
    this.clientFactory = deps.clientFactory ?? ((o) => new LiteLLMClient(o));
    this.timer = new SingleTimer(deps.clock);
    this.ledger = new LeaseLedger({ stateDir: deps.stateDir, clock: deps.clock, ledgerFile: LEDGER_FILE, lockFile: LOCK_FILE });
    this.audit = new AuditLog({ stateDir: deps.stateDir, clock: deps.clock, fileName: AUDIT_FILE });
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
      withBackend: (call) => this.withClient((client) => call(new LiteLLMKeyBackend(client))),
      connected: () => this.isConnected(),
      ledgerId: () => this.ledger.current().ledgerId ?? '',
      ...(deps.maxConcurrency === undefined ? {} : { maxConcurrency: deps.maxConcurrency }),
      ...(deps.random === undefined ? {} : { random: deps.random }),
    });
    this.timer.add(this.leases);
    this.timer.add(this.clipboardGuard);
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────────────────────

  async start(): Promise<ReconcileReport> {
    if (this.stopping) throw new KeyfobError('state-unavailable', 'This Keyfob core has been stopped; create a new one.');
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
    return [...settingsNotices, ...this.leases.takeNotices()];
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

  // ── connection ───────────────────────────────────────────────────────────────────────────────────────────────

  async connect(input: ConnectInput): Promise<void> {
    const url = normalizeProxyUrl(input?.url, 'url');
    const adminKey = checkAdminKey(input?.adminKey);
    const tls = applySettingsPatch(this.getSettings(), {
      ca_file: input.caFile ?? null,
      allow_insecure_tls: input.allowInsecureTls ?? false,
    });
    let resolvedUrl: string | null = null;
    const client = this.clientFactory({ ...this.clientOptions(url, adminKey, tls), onBaseUrlResolved: (u) => (resolvedUrl = u) });
    let identity: CallerIdentity | null;
    try {
      // Prove URL, admin key and database before anything is stored.
      await client.verifyAdmin();
      identity = await client.identity().catch(() => null);
    } catch (e) {
      this.audit.append({ action: 'connect', outcome: 'failed', detail: `${url}: ${toKeyfobError(e).message}` });
      throw e;
    }
    const binding: AdminKeyBinding = { url, ca_file: tls.ca_file, allow_insecure_tls: tls.allow_insecure_tls };
    // The binding first, naming the new key: a crash before the key is written leaves the old key with a binding
    // that is not its own, which sends it nowhere.
    await this.deps.secretStore.set(ADMIN_KEY_BINDING_ACCOUNT, encodeBinding(binding, adminKey));
    await this.deps.secretStore.set(ADMIN_KEY_ACCOUNT, adminKey);
    this.binding = binding;
    this.settingsStore.update((c) => ({
      ...c,
      settings: applySettingsPatch(c.settings, {
        litellm_url: url, litellm_resolved_url: resolvedUrl, ca_file: tls.ca_file, allow_insecure_tls: tls.allow_insecure_tls,
      }),
    }));
    this.adminKey = adminKey;
    this.identity = identity;
    this.client = null;
    this.audit.append({ action: 'connect', outcome: 'ok', detail: url });
    this.leases.announceChange();
  }

  async testConnection(input: Partial<ConnectInput> = {}): Promise<ProbeResult> {
    const result: ProbeResult = { reachable: false, admin_ok: false, db_connected: null, error: null, identity: null };
    let client: LiteLLMAdmin;
    let haveKey: boolean;
    let unboundKey: KeyfobError | null = null;
    try {
      const settings = this.getSettings();
      const urlInput = input.url ?? settings.litellm_url;
      if (!urlInput) throw notConnected();
      const url = normalizeProxyUrl(urlInput, 'url');
      const tls = {
        ...settings,
        ca_file: input.caFile !== undefined ? input.caFile : settings.ca_file,
        allow_insecure_tls: input.allowInsecureTls ?? settings.allow_insecure_tls,
      };
      let adminKey: string | null;
      if (input.adminKey !== undefined && input.adminKey !== '') {
        adminKey = checkAdminKey(input.adminKey);
      } else {
        // The stored key only where it was entered: another URL or weaker TLS is probed without it.
        const stored = await this.storedAdminKey();
        const target: AdminKeyBinding = { url, ca_file: tls.ca_file, allow_insecure_tls: tls.allow_insecure_tls };
        const problem = stored === null ? null : this.bindingProblemFor(target);
        if (problem) unboundKey = keyNeededAgain(problem, target, 'validation');
        adminKey = problem ? null : stored;
      }
      haveKey = adminKey !== null;
      client = this.clientFactory(this.clientOptions(url, adminKey ?? 'sk-none', tls));
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
      result.error = (unboundKey ?? notConnected('No admin key is stored.')).toJSON();
      return result;
    }
    try {
      await client.verifyAdmin();
      result.admin_ok = true;
      result.identity = await client.identity().catch(() => null);
      if (input.url === undefined && input.adminKey === undefined) this.identity = result.identity;
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

  async forgetAdminKey(): Promise<void> {
    await this.deps.secretStore.delete(ADMIN_KEY_ACCOUNT);
    await this.deps.secretStore.delete(ADMIN_KEY_BINDING_ACCOUNT);
    this.adminKey = null;
    this.binding = null;
    this.identity = null;
    this.client = null;
    this.audit.append({ action: 'connect', outcome: 'ok', detail: 'admin key forgotten' });
    this.leases.announceChange();
  }

  async connectionStatus(): Promise<ConnectionStatus> {
    let stored: boolean;
    try {
      stored = (await this.storedAdminKey(true)) !== null;
    } catch {
      stored = false;
    }
    return {
      url: this.getSettings().litellm_url,
      admin_key_stored: stored,
      keychain_backend: this.deps.secretStore.backend,
      session_only: this.deps.secretStore.sessionOnly,
      identity: stored ? this.identity : null,
    };
  }

  async listModels(): Promise<string[]> {
    return this.withClient((c) => c.listModels());
  }

  async keyInfo(leaseId: string): Promise<KeyInfo> {
    const lease = this.leases.get(leaseId);
    const target = lease.token_hash;
    if (!target) throw new KeyfobError('lease-not-found', `Lease ${lease.key_alias} has no key on the proxy (state ${lease.state}).`);
    return this.withClient((c) => c.keyInfo(target));
  }

  private async isConnected(): Promise<boolean> {
    const settings = this.settingsNow();
    if (!settings.litellm_url) return false;
    try {
      return (await this.storedAdminKey()) !== null && this.bindingProblemFor(bindingOf(settings.litellm_url, settings)) === null;
    } catch {
      return false;
    }
  }

  /** The stored admin key, with its binding (`this.binding`) read alongside. */
  private async storedAdminKey(reload = false): Promise<string | null> {
    if (!reload && this.adminKey !== undefined) return this.adminKey;
    const before = this.adminKey;
    const key = await this.deps.secretStore.get(ADMIN_KEY_ACCOUNT);
    this.binding = key === null ? null : await this.storedBinding(key);
    if (before !== undefined && before !== key) this.identity = null; // another credential now
    this.adminKey = key;
    return key;
  }

  /**
   * The stored key's binding. A key stored before bindings existed has none: it is bound to the settings it has been
   * used with until now, and that binding is written at once, so that no later settings change can move it.
   */
  private async storedBinding(adminKey: string): Promise<AdminKeyBinding | null> {
    const raw = await this.deps.secretStore.get(ADMIN_KEY_BINDING_ACCOUNT);
    const stored = decodeBinding(raw);
    if (stored) return bindingBelongsTo(raw, adminKey) ? stored : null;
    const settings = this.settingsNow();
    if (!settings.litellm_url) return null;
    const adopted = bindingOf(settings.litellm_url, settings);
    await this.deps.secretStore.set(ADMIN_KEY_BINDING_ACCOUNT, encodeBinding(adopted, adminKey));
    return adopted;
  }

  /** Why the stored admin key may not go to `target` (null: it may). A key without any binding goes nowhere. */
  private bindingProblemFor(target: AdminKeyBinding): string | null {
    if (!this.binding) return 'the stored admin key has no record of the proxy it was entered for';
    return bindingProblem(this.binding, target);
  }

  /** The client for the current settings and admin key, rebuilt only when one of them changed. */
  private async currentClient(): Promise<LiteLLMAdmin> {
    const settings = this.settingsNow();
    const adminKey = await this.storedAdminKey();
    if (!settings.litellm_url || !adminKey) throw notConnected();
    const target = bindingOf(settings.litellm_url, settings);
    const problem = this.bindingProblemFor(target);
    if (problem) throw keyNeededAgain(problem, target, 'not-connected');
    const options: ClientOptions = {
      ...this.clientOptions(settings.litellm_url, adminKey, settings),
      knownIdentity: this.identity,
      onIdentity: (who) => {
        if (this.adminKey === adminKey) this.identity = who;
      },
    };
    if (!this.client || !sameClientOptions(this.client.options, options)) this.client = { options, client: this.clientFactory(options) };
    return this.client.client;
  }

  /**
   * Runs a proxy call. When the proxy rejects the admin key, the keychain is read again once: another process (the
   * CLI's `keyfob connect`) may have stored a new one, and a rejected admin call was never carried out, so it is
   * safe to repeat.
   */
  private async withClient<T>(call: (client: LiteLLMAdmin) => Promise<T>): Promise<T> {
    const client = await this.currentClient();
    try {
      return await call(client);
    } catch (e) {
      if (!isKeyfobError(e) || e.kind !== 'admin-key-rejected') throw e;
      const before = this.adminKey;
      const fresh = await this.storedAdminKey(true).catch(() => before);
      if (!fresh || fresh === before) throw e;
      return call(await this.currentClient());
    }
  }

  private clientOptions(url: string, adminKey: string,
    s: Pick<Settings, 'request_timeout_seconds' | 'ca_file' | 'allow_insecure_tls' | 'auth_header' | 'litellm_resolved_url' | 'litellm_url'>): ClientOptions {
    return {
      baseUrl: url,
      adminKey,
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
      this.settingsStore.update((c) => (c.settings.litellm_url === url && c.settings.litellm_resolved_url !== resolved
        ? { ...c, settings: { ...c.settings, litellm_resolved_url: resolved } }
        : c));
    } catch {
      // not remembered: the next process probes again
    }
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
    this.client = null;
    this.leases.announceChange();
    this.timer.rearm();
    return stored.settings;
  }

  listRoles(): Role[] {
    return Object.values(this.settingsStore.read().roles).sort((a, b) => a.name.localeCompare(b.name));
  }

  getRole(name: string): Role {
    return structuredClone(this.roleNow(name));
  }

  /** Like getRole, shared and frozen (see settingsNow). */
  private roleNow(name: string): Readonly<Role> {
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
    const role = validateRole(input);
    // A role the connected credential cannot use is stopped now, with the reason, rather than at its first issue.
    const problems = this.identity ? roleProblems(this.identity, role) : [];
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

function bindingOf(url: string, s: Pick<Settings, 'ca_file' | 'allow_insecure_tls'>): AdminKeyBinding {
  return { url, ca_file: s.ca_file, allow_insecure_tls: s.allow_insecure_tls };
}

/** Every field that shapes the client (the comparison runs on every proxy call: a few `===`, no hashing). */
function sameClientOptions(a: ClientOptions, b: ClientOptions): boolean {
  return a.baseUrl === b.baseUrl && a.adminKey === b.adminKey && a.timeoutMs === b.timeoutMs && a.caFile === b.caFile &&
    a.allowInsecureTls === b.allowInsecureTls && (a.authHeader ?? null) === (b.authHeader ?? null);
}

function checkAdminKey(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    const message = 'is required: your LiteLLM key (a personal or team key), or the master key';
    throw new KeyfobError('validation', `adminKey: ${message}`, { fields: [{ field: 'adminKey', message }] });
  }
  const key = value.trim();
  if (key.length > 4096 || !/^[\x21-\x7e]+$/.test(key)) {
    const message = 'must be a single key of printable ASCII characters, without spaces';
    throw new KeyfobError('validation', `adminKey: ${message}`, { fields: [{ field: 'adminKey', message }] });
  }
  return key;
}

function notConnected(detail = 'Keyfob is not connected to a LiteLLM proxy.'): KeyfobError {
  return new KeyfobError('not-connected', `${detail} Run \`keyfob connect --url URL\`, or open Settings in the Keyfob window.`, {
    hint: 'Run `keyfob connect --url URL` (the admin key is read from stdin or a prompt), or open Settings in the Keyfob window.',
  });
}
