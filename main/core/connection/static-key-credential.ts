// Today's credential: a LiteLLM key (personal, team, or the proxy's master key) stored in the keychain account
// `admin-key`, with its binding in `admin-key-binding` (naming the key by its SHA-256). It neither refreshes nor
// ends on its own; a rejected key is replaced only by connecting again (possibly in another process, which the
// Connection notices by reading the keychain again).
import type { Credential, CredentialBinding } from '../backend/index.js';
import { ADMIN_KEY_ACCOUNT, ADMIN_KEY_BINDING_ACCOUNT, encodeBinding } from '../keychain/index.js';
import type { SecretStore } from '../ports.js';

export class StaticKeyCredential implements Credential {
  readonly kind = 'static-key' as const;

  constructor(private readonly key: string, readonly binding: CredentialBinding, private readonly store: SecretStore) {}

  /** Stores a new key with its binding: the binding first, naming the new key, so a crash in between sends the old key nowhere. */
  static async store(store: SecretStore, key: string, binding: CredentialBinding): Promise<StaticKeyCredential> {
    await store.set(ADMIN_KEY_BINDING_ACCOUNT, encodeBinding(binding, key));
    await store.set(ADMIN_KEY_ACCOUNT, key);
    return new StaticKeyCredential(key, binding, store);
  }

  async secret(): Promise<string> {
    return this.key;
  }

  /** A static key cannot refresh itself. */
  async rejected(): Promise<boolean> {
    return false;
  }

  endsAt(): string | null {
    return null;
  }

  /** LiteLLM has no sign-out for a key the person brought: forgetting it removes it from the keychain only. */
  async discard(): Promise<void> {
    await this.store.delete(ADMIN_KEY_ACCOUNT);
    await this.store.delete(ADMIN_KEY_BINDING_ACCOUNT);
  }
}
