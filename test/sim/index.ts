// The LiteLLM simulator's public API: what every HTTP test, the benchmarks and `npm run sim` use.
export { Simulator, startSimulator } from './simulator.js';
export type { SimFault, SimFlavor, SimKey, SimOptions, SimRequestLogEntry } from './types.js';
export { FLAVOR_RULES, FLAVORS } from './flavors.js';
export type { FlavorRules } from './flavors.js';
export { hashKey } from './key-store.js';
export { llmCalls, SIM_REPLY } from './routes/llm.js';
export type { LlmCall } from './routes/llm.js';
