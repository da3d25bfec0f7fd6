// Reads the connected credential back from the keychain. Today that is the static LiteLLM key; an SSO session
// (`sso-session`) and a Vault token (`vault-token`) will each be read here from their own entry, which holds their
// binding in the same JSON document (keychain/credential-binding.ts: readBindingDocument).
import type { Credential, CredentialBinding } from '../backend/index.js';
import { ADMIN_KEY_ACCOUNT, ADMIN_KEY_BINDING_ACCOUNT, bindingBelongsTo, decodeBinding, encodeBinding } from '../keychain/index.js';
import type { SecretStore } from '../ports.js';
import type { Settings } from '../types.js';
import { StaticKeyCredential } from './static-key-credential.js';

/** A stored credential: its binding is null when it has none of its own (then it is sent nowhere). */
export interface StoredCredential {
  credential: Credential | null;
  /** The secret as read (to notice that another process stored a different one). */
  secret: string;
}

/**
 * The stored credential, or null when none is stored. A key stored before bindings existed has none: it is bound to
 * the settings it has been used with until now, and that binding is written at once, so no later settings change
 * can move it. A binding that names another key (a crash mid-connect) leaves the key unbound.
 */
export async function loadStoredCredential(store: SecretStore, settings: Readonly<Settings>): Promise<StoredCredential | null> {
  const key = await store.get(ADMIN_KEY_ACCOUNT);
  if (key === null) return null;
  const raw = await store.get(ADMIN_KEY_BINDING_ACCOUNT);
  const stored = decodeBinding(raw);
  let binding: CredentialBinding | null = null;
  if (stored) {
    binding = bindingBelongsTo(raw, key) ? stored : null;
  } else if (settings.litellm_url) {
    binding = bindingOf(settings.litellm_url, settings);
    await store.set(ADMIN_KEY_BINDING_ACCOUNT, encodeBinding(binding, key));
  }
  return { secret: key, credential: binding ? new StaticKeyCredential(key, binding, store) : null };
}

/** The binding these settings ask for on the LiteLLM proxy. */
export function bindingOf(url: string, s: Pick<Settings, 'ca_file' | 'allow_insecure_tls'>): CredentialBinding {
  return { backend: 'litellm', url, ca_file: s.ca_file, allow_insecure_tls: s.allow_insecure_tls, namespace: null };
}
