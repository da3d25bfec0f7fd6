// The SecretStore port on the OS keychain through @github/keytar: Secret Service (libsecret) on Linux, Keychain
// Services on macOS, Credential Manager on Windows. There is no fallback here: when the keychain cannot be used,
// the error says why and what to do, and the person may choose the SessionSecretStore instead.
import { randomUUID } from 'node:crypto';
import { KeyfobError } from '../errors.js';
import { keychainError } from './keychain-errors.js';
import type * as keytarApi from '@github/keytar';
import type { SecretAccount, SecretStore } from '../ports.js';
import { assertProbeAccount, assertSecretAccount, newProbeAccount } from './secret-accounts.js';

type Keytar = Pick<typeof keytarApi, 'getPassword' | 'setPassword' | 'deletePassword'>;

let keytarModule: Promise<Keytar> | undefined;

/** Loaded on first use, so a missing libsecret is a typed error the caller can handle, not a failed import. */
function loadKeytar(): Promise<Keytar> {
  keytarModule ??= import('@github/keytar').then((m) => m.default);
  return keytarModule;
}

export function keychainBackendName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service (gnome-keyring/KWallet via libsecret)';
}

export interface KeytarSecretStoreOptions {
  /** The keychain service name: `keychainServiceFor(stateDir)` (`Keyfob` for the default state directory). */
  service: string;
  platform?: NodeJS.Platform;
}

export class KeytarSecretStore implements SecretStore {
  readonly backend: string;
  readonly sessionOnly = false;
  readonly service: string;
  private readonly platform: NodeJS.Platform;
  private probing: Promise<void> | undefined;

  constructor(opts: KeytarSecretStoreOptions) {
    if (typeof opts?.service !== 'string' || opts.service.trim() === '') {
      throw new KeyfobError('internal', 'KeytarSecretStore needs a keychain service name.');
    }
    this.service = opts.service;
    this.platform = opts.platform ?? process.platform;
    this.backend = keychainBackendName(this.platform);
  }

  async get(account: SecretAccount): Promise<string | null> {
    assertSecretAccount(account);
    const found = await this.call((k) => k.getPassword(this.service, account));
    if (found !== null || !this.lockedLooksAbsent()) return found;
    // libsecret answers "nothing" for a locked collection: make sure it really is nothing.
    await this.probe();
    return this.call((k) => k.getPassword(this.service, account));
  }

  async set(account: SecretAccount, secret: string): Promise<void> {
    assertSecretAccount(account);
    if (typeof secret !== 'string' || secret === '') throw new KeyfobError('internal', 'Refusing to store an empty secret.');
    await this.call((k) => k.setPassword(this.service, account, secret));
  }

  async delete(account: SecretAccount): Promise<boolean> {
    assertSecretAccount(account);
    const deleted = await this.call((k) => k.deletePassword(this.service, account));
    if (deleted || !this.lockedLooksAbsent()) return deleted;
    await this.probe();
    return this.call((k) => k.deletePassword(this.service, account));
  }

  /**
   * Writes, reads back and deletes a throw-away entry, so that a missing, locked or refusing keychain shows up as
   * a typed error at start-up rather than in the middle of issuing a key.
   */
  probe(): Promise<void> {
    this.probing ??= this.runProbe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private async runProbe(): Promise<void> {
    // A name of its own for every probe: concurrent probes (the app and CLI commands, all reading an empty keychain
    // at once) never see each other's value.
    const account = newProbeAccount();
    assertProbeAccount(account);
    const value = `probe-${randomUUID()}`;
    let readBack: string | null;
    await this.call((k) => k.setPassword(this.service, account, value));
    try {
      readBack = await this.call((k) => k.getPassword(this.service, account));
    } catch (e) {
      await this.call((k) => k.deletePassword(this.service, account)).catch(() => false); // leave no litter
      throw e;
    }
    await this.call((k) => k.deletePassword(this.service, account));
    if (readBack !== value) {
      throw new KeyfobError('keychain-unavailable', `The keychain (${this.backend}) accepted a test entry but did not return it.`, {
        hint: 'Check your keychain, or choose session-only storage (keys are kept in memory until Keyfob quits).',
      });
    }
  }

  /** On Linux a locked collection reads as empty (libsecret swallows the failed unlock prompt). */
  private lockedLooksAbsent(): boolean {
    return this.platform !== 'darwin' && this.platform !== 'win32';
  }

  private async call<T>(operation: (keytar: Keytar) => Promise<T>): Promise<T> {
    try {
      return await operation(await loadKeytar());
    } catch (e) {
      throw keychainError(e, this.platform);
    }
  }
}
