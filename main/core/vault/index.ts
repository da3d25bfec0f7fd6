// vault/: Keyfob as the desktop client of Vault/OpenBao running the LiteLLM engine — the HTTP client and its errors,
// the KeyBackend (creds, sys/leases, roles, the child-token crash safety), and the Vault token as a Credential with
// its token, userpass and OIDC sign-ins.
export * from './vault-client.js';
export * from './vault-errors.js';
export * from './vault-responses.js';
export * from './vault-key-backend.js';
export * from './vault-token-credential.js';
export * from './oidc-login.js';
export * from './session-aware-backend.js';
