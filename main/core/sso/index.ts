// sso/: signing in with the person's own SSO session through LiteLLM's native CLI contract (≥ 1.99): discovery,
// registration, PKCE through a loopback redirect, the token exchange, and the session kept in the keychain as a
// Credential that refreshes itself once across processes. A proxy older than 1.99 is told to connect with a key.
export * from './discovery.js';
export * from './sso-http.js';
export * from './pkce.js';
export * from './loopback-listener.js';
export * from './token-endpoint.js';
export * from './session-record.js';
export * from './sign-in.js';
export * from './sso-session-credential.js';
export * from './open-browser.js';
