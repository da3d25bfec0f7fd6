// settings/: where Keyfob keeps its state — the settings store and its JSON schema (with the fast checker), the
// state directory's paths, and the cross-process state lock that the ledger shares.
export * from './settings-store.js';
export * from './settings-schema.js';
export * from './json-schema-check.js';
export * from './paths.js';
export * from './state-lock.js';
