// The LiteLLM simulator's public API: what every HTTP test, the benchmarks and `npm run sim` use.
export { Simulator, startSimulator } from './simulator.js';
export type {
  SimDefaultKeyParams, SimEra, SimFault, SimFlavor, SimKey, SimKeyGenerationSettings, SimKeyParamLimits, SimOptions,
  SimRequestLogEntry, SimTeam, SimTeamRole, SimUser, SimUserRole,
} from './types.js';
export { ERA_RULES, ERAS, eraOf, isEra } from './eras.js';
export type { EraRules } from './eras.js';
export { nextStandardizedResetUs, FIXED_ZONES } from './calendar.js';
/** @deprecated flavors: `current` = era N3, `older` = era N. */
export { FLAVOR_RULES, FLAVORS } from './flavors.js';
export type { FlavorRules } from './flavors.js';
export { hashKey } from './key-store.js';
export { llmCalls, SIM_REPLY } from './routes/llm.js';
export type { LlmCall } from './routes/llm.js';
export { LaterReleases, removeTeamMember, scimDeprovision } from './later-releases.js';
export { SsoState, SSO_RELEASES } from './sso-state.js';
export type { SsoRelease } from './sso-state.js';
export { ScriptedBrowser } from './sso-browser.js';
export type { BrowserScript, BrowserVisit } from './sso-browser.js';
