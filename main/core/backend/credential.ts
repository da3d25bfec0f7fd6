// What a backend authenticates with: a stored static key (a LiteLLM key), a sign-in session that refreshes itself
// (LiteLLM's native SSO), or a Vault token that is renewed. One object per connection, kept only in the keychain,
// and bound to where it may be sent: a credential is never sent to any other URL, namespace or weaker TLS.
import type { BackendKind } from '../types.js';

export type CredentialKind = 'static-key' | 'sso-session' | 'vault-token';

/** Where a credential may be sent. Every credential kind has one, checked before every request. */
export interface CredentialBinding {
  backend: BackendKind;
  /** The normalised server URL (scheme, host, port, path). */
  url: string;
  ca_file: string | null;
  allow_insecure_tls: boolean;
  /** Vault/OpenBao namespace, or null. */
  namespace?: string | null;
}

export interface Credential {
  readonly kind: CredentialKind;
  readonly binding: CredentialBinding;
  /** The secret to send now; a session or token close to its end is refreshed first (once, across processes). */
  secret(): Promise<string>;
  /** The server refused the secret: refresh once if that can help. True when a different secret is now available. */
  rejected(): Promise<boolean>;
  /** When the credential ends on its own (an SSO session's refresh horizon, a Vault token's TTL); null = never. */
  endsAt(): string | null;
  /** Signs out where the server allows it (revoke the refresh token, `revoke-self`) and removes it from the keychain. */
  discard(): Promise<void>;
}
