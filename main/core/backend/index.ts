// backend/: the seam. The lease operations reach every key backend (the LiteLLM proxy, Vault/OpenBao) through the
// KeyBackend port, and every backend authenticates with a Credential bound to where it may be sent.
export * from './key-backend.js';
export * from './credential.js';
export * from './caller-identity.js';
