// Reads the connected credential back from the keychain: the static LiteLLM key (`admin-key`, with its binding in
// `admin-key-binding`) or a sign-in session (`sso-session`, one JSON document holding its binding). At most one is
// stored: connecting one way removes the other. A Vault token (`vault-token`) will be read here the same way.
import type { Credential, CredentialBinding } from '../backend/index.js';
import { ADMIN_KEY_ACCOUNT, ADMIN_KEY_BINDING_ACCOUNT, bindingBelongsTo, decodeBinding, encodeBinding } from '../keychain/index.js';
import type { Clock, SecretStore } from '../ports.js';
import { SsoSessionCredential } from '../sso/index.js';
import type { Settings } from '../types.js';
import { StaticKeyCredential } from './static-key-credential.js';

/** A stored credential: its binding is null when it has none of its own (then it is sent nowhere). */
export interface StoredCredential {
  credential: Credential | null;
  /**
   * What tells this stored credential from another, across processes: the key itself, or for a sign-in session its
   * client id and user (stable across refreshes, new on every sign-in). Compared and fingerprinted, never shown.
   */
  secret: string;
  /** Who signed in, for a sign-in session; null for a key. */
  session: { userId: string; teamId: string | null; endsAt: string | null } | null;
}

/** What reading a sign-in session needs besides the keychain: its refresh shares a lock in the state directory. */
export interface SessionContext {
  clock: Clock;
  stateDir: string;
}

/**
 * The stored credential, or null when none is stored. A key stored before bindings existed has none: it is bound to
 * the settings it has been used with until now, and that binding is written at once, so no later settings change
 * can move it. A binding that names another key (a crash mid-connect) leaves the key unbound.
 */
export async function loadStoredCredential(store: SecretStore, settings: Readonly<Settings>, sso: SessionContext): Promise<StoredCredential | null> {
  // The key first: on Linux an empty answer costs a keychain probe, so the common case reads one entry. Connecting
  // either way removes the other entry; a key left beside a session by a crash is still bound to its own URL.
  const key = await store.get(ADMIN_KEY_ACCOUNT);
  if (key === null) {
    const session = await SsoSessionCredential.load({ secrets: store, clock: sso.clock, stateDir: sso.stateDir });
    if (!session) return null;
    const { userId, teamId } = session.user;
    return { credential: session, secret: `sso-session:${session.clientId}:${userId}`, session: { userId, teamId, endsAt: session.endsAt() } };
  }
  const raw = await store.get(ADMIN_KEY_BINDING_ACCOUNT);
  const stored = decodeBinding(raw);
  let binding: CredentialBinding | null = null;
  if (stored) {
    binding = bindingBelongsTo(raw, key) ? stored : null;
  } else if (settings.litellm_url) {
    binding = bindingOf(settings.litellm_url, settings);
    await store.set(ADMIN_KEY_BINDING_ACCOUNT, encodeBinding(binding, key));
  }
  return { secret: key, credential: binding ? new StaticKeyCredential(key, binding, store) : null, session: null };
}

/** The binding these settings ask for on the LiteLLM proxy. */
export function bindingOf(url: string, s: Pick<Settings, 'ca_file' | 'allow_insecure_tls'>): CredentialBinding {
  return { backend: 'litellm', url, ca_file: s.ca_file, allow_insecure_tls: s.allow_insecure_tls, namespace: null };
}
