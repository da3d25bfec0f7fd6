// The Vault simulator's public API: what the Vault tests, the hvac cross-check and `npm run vault-sim` use.
export { VaultSimulator } from './vault-simulator.js';
export type { RequestLogEntry, VaultFault, VaultSimOptions, VaultUser } from './vault-simulator.js';
export type { EngineRole, MountConfig } from './litellm-engine.js';
export { resolveTTLs } from './litellm-engine.js';
export { developerPolicy, DEFAULT_POLICY } from './policies.js';
export type { PolicyRule } from './policies.js';
export { EXPIRED_STATE, STATE_LIFETIME_MS, validRedirect } from './oidc.js';
export { capWarning, goDuration } from './wire.js';
