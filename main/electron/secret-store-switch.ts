// The secret store the core sees. It delegates to the keychain store, until the person explicitly chooses
// "session only" (no keychain works): then to a memory store for the rest of the process. Swapping the delegate
// instead of rebuilding the core keeps one lease manager, one scheduler and one ledger view for the whole process.
import type { SecretAccount, SecretStore } from '../core/ports.js';

export class SwitchableSecretStore implements SecretStore {
  constructor(private current: SecretStore) {}

  get backend(): string {
    return this.current.backend;
  }

  get sessionOnly(): boolean {
    return this.current.sessionOnly;
  }

  /** The store in use now. */
  get delegate(): SecretStore {
    return this.current;
  }

  switchTo(store: SecretStore): void {
    this.current = store;
  }

  get(account: SecretAccount): Promise<string | null> {
    return this.current.get(account);
  }

  set(account: SecretAccount, secret: string): Promise<void> {
    return this.current.set(account, secret);
  }

  delete(account: SecretAccount): Promise<boolean> {
    return this.current.delete(account);
  }
}
