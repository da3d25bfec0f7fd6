// keychain/: where secrets live — the OS keychain store (@github/keytar on the Secret Service, macOS Keychain,
// Windows Credential Manager), the explicit session-only store, the closed set of account names, and how a
// keychain failure becomes a typed error.
export * from './secret-store.js';
export * from './session-secret-store.js';
export * from './secret-accounts.js';
export * from './keychain-errors.js';
export * from './credential-binding.js';
