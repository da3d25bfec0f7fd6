// The SettingsStore port on conf (plain Node) or electron-store (the app passes it as `storeClass`; it extends conf
// and writes the same file). conf does the file work — atomic writes, mode 0600 — and this module checks every read
// and write against the one schema (STORED_CONFIG_SCHEMA, with json-schema-check.ts: conf would compile it with ajv,
// ~250 ms of CPU on every CLI command) and decides what happens to a file that cannot be used: it is moved aside
// under a dated name and the person is told, never silently wiped.
import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { KeyfobError, redactText } from '../errors.js';
import { CONFIG_FILE, SETTINGS_LOCK_FILE } from './paths.js';
import type { Clock, SettingsStore } from '../ports.js';
import { StateLock } from './state-lock.js';
import { CURRENT_SCHEMA_VERSION, defaultConfig, migrateConfig, normalizeStoredConfig, storedConfigSchemaProblems } from './settings-schema.js';
import type { StoredConfig } from '../types.js';

/** What this module needs of a conf instance: the file path and the whole document (read from disk on each get). */
export interface ConfLikeStore {
  readonly path: string;
  store: Record<string, unknown>;
}

/** The options handed to the store class: conf's names, plus electron-store's `name` for the same file. */
export interface ConfStoreOptions {
  cwd: string;
  configName: string;
  name: string;
  fileExtension: string;
  configFileMode: number;
  defaults: Record<string, unknown>;
  /** Never passed (the store checks the schema itself); kept for store classes written against conf's options. */
  schema?: Record<string, object>;
  rootSchema?: object;
  clearInvalidConfig: boolean;
  accessPropertiesByDotNotation: boolean;
  watch: boolean;
}

/** `Conf` (from conf) or `ElectronStore` (from electron-store): anything constructed with conf's options. */
export type ConfLikeConstructor = new (options: ConfStoreOptions) => ConfLikeStore;

export interface SettingsStoreOptions {
  /** Directory of config.json; created (mode 0700) when missing. */
  stateDir: string;
  /** Default: conf's `Conf`. The Electron app passes `ElectronStore`. */
  storeClass?: ConfLikeConstructor;
  /** Dates the backup of an unusable file. Default: the wall clock. */
  clock?: Pick<Clock, 'now'>;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const CONFIG_NAME = path.basename(CONFIG_FILE, '.json');

/** Opens (creating when missing, migrating when old, backing up when unusable) the settings file in `stateDir`. */
export function openSettingsStore(opts: SettingsStoreOptions): SettingsStore {
  return ConfSettingsStore.open(opts);
}

/**
 * A file's identity and version as stat reports it. An atomic rename changes the inode, any write the change time
 * (which no program can set back), so a different file gives a different signature — except within the file
 * system's timestamp granularity, see RACY_WINDOW_MS.
 */
type FileSignature = string;

/**
 * Two writes closer together than the file system's timestamp granularity (a clock tick on Linux, up to 2 s on
 * FAT) can give the same signature. Until a file is this old, a read also compares its bytes (git's "racily clean").
 */
const RACY_WINDOW_MS = 3000;

interface CachedRead {
  signature: FileSignature;
  text: string;
  config: Readonly<StoredConfig>;
  /** The file's last change (mtime or ctime, the later), in ms since the epoch. */
  changedAt: number;
  /** Confirmed byte for byte after the racy window: the signature alone tells from now on. */
  settled: boolean;
}

/**
 * The current document for callers that only look at it (the core reads the settings several times per operation):
 * `read()` without its copy, deeply frozen. Any other SettingsStore gives its `read()`.
 */
export function readSettingsShared(store: SettingsStore): Readonly<StoredConfig> {
  return store instanceof ConfSettingsStore ? store.readShared() : store.read();
}

type FileVerdict =
  | { kind: 'missing' }
  | { kind: 'current'; config: StoredConfig }
  | { kind: 'migrated'; config: StoredConfig; from: number }
  | { kind: 'quarantined'; backup: string };

class ConfSettingsStore implements SettingsStore {
  readonly path: string;
  private readonly noticeList: string[] = [];
  private conf!: ConfLikeStore;
  /** The last document read, with the signature and bytes of the file it came from. */
  private cache: CachedRead | null = null;
  private readonly lock: StateLock;

  private constructor(
    private readonly stateDir: string,
    private readonly storeClass: ConfLikeConstructor,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.path = path.join(stateDir, CONFIG_FILE);
    this.lock = new StateLock({ path: path.join(stateDir, SETTINGS_LOCK_FILE) });
  }

  static open(opts: SettingsStoreOptions): ConfSettingsStore {
    const stateDir = path.resolve(opts.stateDir);
    // The wall clock only names backup files; nothing here waits on time.
    const store = new ConfSettingsStore(stateDir, opts.storeClass ?? Conf, opts.clock ?? { now: () => new Date().getTime() });
    store.ensureStateDir();
    // conf validates the file in its constructor, so an old or unusable file is dealt with before conf sees it.
    const verdict = store.inspectFile();
    if (verdict.kind === 'migrated') writeFileAtomically(store.path, serialize(verdict.config));
    try {
      store.conf = store.construct();
    } catch (e) {
      // Another process wrote between the check and conf's read, or ajv is stricter than migrateConfig.
      if (!isConfReadError(e)) throw storageError(e, store.path);
      store.quarantine(describeConfError(e));
      store.conf = store.construct();
    }
    store.tightenFileMode();
    return store;
  }

  get notices(): readonly string[] {
    return [...this.noticeList];
  }

  /**
   * The document as it is on disk now (another process may have changed it). Parsed and checked again only when the
   * file changed (see FileSignature): one operation reads the settings several times, and the CLI and the app share
   * the file, so every read still looks at the file — a stat, not a parse.
   */
  read(): StoredConfig {
    const known = this.cachedRead() ?? this.readAndRemember();
    return known ? structuredClone(known) : this.readThroughConf();
  }

  /** `read()` without the copy: deeply frozen, and the same object for as long as the file does not change. */
  readShared(): Readonly<StoredConfig> {
    return this.cachedRead() ?? this.readAndRemember() ?? deepFreeze(this.readThroughConf());
  }

  private readThroughConf(): StoredConfig {
    let doc: Record<string, unknown>;
    try {
      doc = this.conf.store;
    } catch (e) {
      if (!isConfReadError(e)) throw storageError(e, this.path);
      return this.recover(describeConfError(e));
    }
    if (!fs.existsSync(this.path)) return this.recover();
    const problems = storedConfigSchemaProblems(doc);
    if (problems.length > 0) return this.recover(schemaViolation(problems));
    try {
      return migrateConfig(doc);
    } catch (e) {
      if (e instanceof KeyfobError && e.kind === 'state-unavailable') throw e;
      return this.recover();
    }
  }

  /** The remembered document, when the file is provably the one it was parsed from. */
  private cachedRead(): Readonly<StoredConfig> | null {
    const entry = this.cache;
    if (!entry || fileSignature(this.path) !== entry.signature) return null;
    if (entry.settled) return entry.config;
    // Written moments ago: a second write within the file system's timestamp granularity could have left the same
    // signature, so the bytes decide — and once they are confirmed past that window, the signature alone will do.
    const checkedAt = systemTimeMs();
    if (readTextOrNull(this.path) !== entry.text) return null;
    entry.settled = checkedAt - entry.changedAt > RACY_WINDOW_MS;
    return entry.config;
  }

  /**
   * Parses the file the way conf reads it (JSON.parse) and remembers the result under the file's signature — only
   * when the file is usable as it is and did not change while it was read. Anything else (missing, unreadable,
   * corrupt, invalid, from a newer Keyfob) returns null and is left to readThroughConf, which deals with it.
   */
  private readAndRemember(): Readonly<StoredConfig> | null {
    this.cache = null;
    const before = fileStat(this.path);
    if (!before) return null;
    const readAt = systemTimeMs();
    const text = readTextOrNull(this.path);
    if (text === null || fileSignature(this.path) !== before.signature) return null;
    let config: StoredConfig;
    try {
      const doc = JSON.parse(text) as unknown;
      if (storedConfigSchemaProblems(doc).length > 0) return null;
      config = migrateConfig(doc);
    } catch {
      return null;
    }
    deepFreeze(config);
    this.cache = { signature: before.signature, text, config, changedAt: before.changedAt, settled: readAt - before.changedAt > RACY_WINDOW_MS };
    return config;
  }

  /**
   * Re-reads the file, applies `change` to a copy, checks and normalises the result (values may be given as people
   * type them: "15m", an un-normalised URL) and writes it (mode 0600). Invalid → KeyfobError('validation').
   */
  update(change: (current: StoredConfig) => StoredConfig): StoredConfig {
    // Under the lock, so that two processes saving at once (two `keyfob role set`, or the CLI and the window) both
    // land: without it the later write would carry the earlier file and drop the other's change.
    return this.lock.withLockSync(() => this.updateLocked(change));
  }

  private updateLocked(change: (current: StoredConfig) => StoredConfig): StoredConfig {
    const current = this.read();
    const next = change(structuredClone(current));
    if (next?.schema_version !== CURRENT_SCHEMA_VERSION) {
      throw new KeyfobError('internal', `A settings change must keep schema_version ${CURRENT_SCHEMA_VERSION}.`);
    }
    const checked = normalizeStoredConfig(next);
    this.write(checked);
    return structuredClone(checked);
  }

  private construct(): ConfLikeStore {
    // No schema for conf: it would compile it with ajv on every open. read() and write() check it instead.
    return new this.storeClass({
      cwd: this.stateDir,
      configName: CONFIG_NAME,
      name: CONFIG_NAME,
      fileExtension: 'json',
      configFileMode: FILE_MODE,
      defaults: defaultConfig() as unknown as Record<string, unknown>,
      clearInvalidConfig: false,
      accessPropertiesByDotNotation: false,
      watch: false,
    });
  }

  private write(config: StoredConfig): void {
    // The next read parses what is on disk then (another process may write right after this).
    this.cache = null;
    const problems = storedConfigSchemaProblems(config);
    if (problems.length > 0) throw new KeyfobError('validation', `Settings not saved: ${redactText(schemaViolation(problems))}.`);
    try {
      this.conf.store = structuredClone(config) as unknown as Record<string, unknown>;
    } catch (e) {
      if (isConfReadError(e)) {
        throw new KeyfobError('validation', `Settings not saved: ${redactText(describeConfError(e))}.`);
      }
      throw storageError(e, this.path);
    }
  }

  /** Reads the file itself; an unusable file is moved aside. */
  private inspectFile(): FileVerdict {
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      throw storageError(e, this.path);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      // The parser's message quotes the file's text: keep it out of the notice.
      return { kind: 'quarantined', backup: this.quarantine(text.trim() === '' ? 'the file is empty' : 'it is not valid JSON') };
    }
    try {
      const config = migrateConfig(raw);
      const from = (raw as Record<string, unknown>).schema_version;
      if (from === CURRENT_SCHEMA_VERSION) {
        // migrateConfig's rules passed; the schema has the last word on a current file (an older one is migrated,
        // then written through it).
        const problems = storedConfigSchemaProblems(raw);
        if (problems.length > 0) return { kind: 'quarantined', backup: this.quarantine(schemaViolation(problems)) };
        return { kind: 'current', config };
      }
      const fromVersion = typeof from === 'number' ? from : 0;
      this.noticeList.push(`The settings file was upgraded from schema version ${fromVersion} to ${CURRENT_SCHEMA_VERSION}.`);
      return { kind: 'migrated', config, from: fromVersion };
    } catch (e) {
      if (!(e instanceof KeyfobError) || e.kind !== 'validation') throw e;
      return { kind: 'quarantined', backup: this.quarantine(e.message.replace(/^The settings file is not valid: /, '').replace(/\.$/, '')) };
    }
  }

  /**
   * Runs when the file changed under us into something unusable: same rules as at open, then the result on disk.
   * `confError` is conf's complaint when it could not read the file at all.
   */
  private recover(confError?: string): StoredConfig {
    let verdict = this.inspectFile();
    // ajv refused what migrateConfig accepts: the file still cannot be used through conf.
    if (verdict.kind === 'current' && confError !== undefined) verdict = { kind: 'quarantined', backup: this.quarantine(confError) };
    const config = verdict.kind === 'current' || verdict.kind === 'migrated' ? verdict.config : defaultConfig();
    if (verdict.kind !== 'current') this.write(config);
    this.tightenFileMode();
    return config;
  }

  /** Moves the file aside as `config.json.corrupt-<YYYYMMDD-HHMMSS>` (UTC) and records a notice naming it. */
  private quarantine(reason: string): string {
    this.cache = null;
    const stamp = backupStamp(this.clock.now());
    let backup = `${this.path}.corrupt-${stamp}`;
    for (let n = 2; fs.existsSync(backup); n++) backup = `${this.path}.corrupt-${stamp}-${n}`;
    try {
      fs.renameSync(this.path, backup);
    } catch (e) {
      throw new KeyfobError(
        'state-unavailable',
        `The settings file ${this.path} cannot be used (${redactText(reason)}) and could not be moved aside: ${(e as Error).message}`,
        { hint: 'Move or repair the file by hand, then start Keyfob again.' },
      );
    }
    this.noticeList.push(redactText(
      `Keyfob could not use its settings file (${reason}). It was moved to ${backup} and Keyfob started with default settings; your previous roles and settings are still in that file.`,
    ));
    return backup;
  }

  private ensureStateDir(): void {
    try {
      fs.mkdirSync(this.stateDir, { recursive: true, mode: DIR_MODE });
    } catch (e) {
      throw storageError(e, this.stateDir);
    }
  }

  /** A file created by hand or by an older build may be readable by others: settings are private. */
  private tightenFileMode(): void {
    if (process.platform === 'win32') return;
    try {
      const { mode } = fs.statSync(this.path);
      if ((mode & 0o077) !== 0) fs.chmodSync(this.path, FILE_MODE);
    } catch {
      // Missing file: conf creates it with the right mode on the next write.
    }
  }
}

function fileStat(file: string): { signature: FileSignature; changedAt: number } | null {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    return null; // unreadable: the uncached read reports it
  }
  if (!st) return null;
  // The ms values keep the nanoseconds to a fraction of a microsecond (as the ledger's signature does).
  return { signature: `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`, changedAt: Math.max(st.mtimeMs, st.ctimeMs) };
}

function fileSignature(file: string): FileSignature | null {
  return fileStat(file)?.signature ?? null;
}

function readTextOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The system's real-time clock, which file timestamps come from. Deliberately not the injected Clock: that is the
 * time leases run on (a fake one in tests), and it cannot say how old a file is.
 */
function systemTimeMs(): number {
  return new Date().getTime();
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function serialize(config: StoredConfig): string {
  // conf's own format, so the file looks the same whoever wrote it last.
  return JSON.stringify(config, undefined, '\t');
}

function writeFileAtomically(file: string, data: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temp, data, { mode: FILE_MODE });
    fs.renameSync(temp, file);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw storageError(e, file);
  }
}

function backupStamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2026-04-12T04:23:03.213Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** conf throws a SyntaxError for bad JSON and "Config schema violation: …" for ajv failures. */
function isConfReadError(e: unknown): e is Error {
  return e instanceof SyntaxError || (e instanceof Error && e.message.startsWith('Config schema violation'));
}

function schemaViolation(problems: string[]): string {
  return `schema violation: ${problems.join('; ')}`;
}

function describeConfError(e: Error): string {
  return e instanceof SyntaxError ? 'it is not valid JSON' : e.message.replace(/^Config schema violation: /, 'schema violation: ');
}

function storageError(e: unknown, file: string): KeyfobError {
  const err = e as NodeJS.ErrnoException;
  const reason = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : err.code ?? err.message;
  return new KeyfobError('state-unavailable', `Cannot use ${file}: ${redactText(String(reason))}.`, {
    hint: 'Check that the state directory exists and belongs to you, or choose another with --home.',
  });
}
