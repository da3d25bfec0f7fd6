// The explicit session-only SecretStore: secrets live in this process's memory and die with it. Only ever chosen
// by the person (the UI and CLI say so plainly); nothing falls back to it on its own.
import { KeyfobError } from '../errors.js';
import type { SecretAccount, SecretStore } from '../ports.js';
import { assertSecretAccount } from './secret-accounts.js';

export const SESSION_ONLY_BACKEND = 'session only (memory) — secrets are lost when Keyfob quits';

export class SessionSecretStore implements SecretStore {
  readonly backend = SESSION_ONLY_BACKEND;
  readonly sessionOnly = true;
  private readonly secrets = new Map<SecretAccount, string>();

  async get(account: SecretAccount): Promise<string | null> {
    assertSecretAccount(account);
    return this.secrets.get(account) ?? null;
  }

  async set(account: SecretAccount, secret: string): Promise<void> {
    assertSecretAccount(account);
    if (typeof secret !== 'string' || secret === '') throw new KeyfobError('internal', 'Refusing to store an empty secret.');
    this.secrets.set(account, secret);
  }

  async delete(account: SecretAccount): Promise<boolean> {
    assertSecretAccount(account);
    return this.secrets.delete(account);
  }

  /** Always usable; present so callers can probe any store the same way. */
  async probe(): Promise<void> {}
}
