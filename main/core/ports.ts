// The ports through which main/core talks to the world. The Electron app, the CLI and the tests each inject their own.
import type { StoredConfig } from './types.js';

export interface TimerHandle {
  cancel(): void;
}

/** Wall-clock time and timers. Nothing in core calls Date.now() or setTimeout directly. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` (real clocks: setTimeout, unref'd where the caller asks). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/**
 * The closed set of keychain accounts Keyfob uses under the service `Keyfob`:
 * the LiteLLM key, where it may be sent (`admin-key-binding`), an SSO session (`sso-session`: its tokens and binding,
 * one JSON document), a Vault token (`vault-token`, likewise), the ledger's sealing key (`ledger-seal`), and one entry
 * per lease (`lease:<lease_id>`).
 */
export type SecretAccount = 'admin-key' | 'admin-key-binding' | 'sso-session' | 'vault-token' | 'ledger-seal' | `lease:${string}`;

export interface SecretStore {
  /** Human-readable backend, e.g. "Secret Service (gnome-keyring)" or "session only (memory)". */
  readonly backend: string;
  /** True for the explicit session-only store: secrets vanish when the process ends. */
  readonly sessionOnly: boolean;
  get(account: SecretAccount): Promise<string | null>;
  set(account: SecretAccount, secret: string): Promise<void>;
  /** Resolves true when something was deleted. */
  delete(account: SecretAccount): Promise<boolean>;
}

/** Roles and settings, persisted as one JSON document (electron-store in the app, conf in plain Node). */
export interface SettingsStore {
  /** Absolute path of the backing file. */
  readonly path: string;
  read(): StoredConfig;
  /** Read-modify-write; returns the stored result. */
  update(change: (current: StoredConfig) => StoredConfig): StoredConfig;
  /** Messages for the person produced while opening the store (e.g. "settings were corrupt; backed up to …"). */
  readonly notices: readonly string[];
}

export interface Clipboard {
  /** Writes a secret, marked as such for clipboard-history tools where the platform allows it. */
  writeSecret(text: string): Promise<void>;
  readText(): Promise<string>;
  clear(): Promise<void>;
}

export interface ActivitySnapshot {
  /** Seconds since the last keyboard/mouse input, as the OS reports it. */
  idleSeconds: number;
  locked: boolean;
}

/** Is the person working? Polled by the scheduler at each renew point. */
export interface Activity {
  current(): ActivitySnapshot;
}

export interface Notification {
  title: string;
  body: string;
  /** `critical` for things the person must act on (irrevocable keys). */
  urgency: 'low' | 'normal' | 'critical';
}

export interface Notifier {
  notify(n: Notification): void;
}
