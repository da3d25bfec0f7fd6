// `npm start -- --demo` (development only): runs the project's LiteLLM simulator inside the app process, with a
// throw-away state directory and session-only secrets, connects to it and creates two example roles — Keyfob working
// in a minute without a real proxy. The simulator lives in test/sim and is never packaged: a packaged Keyfob (or a
// checkout without it) says so instead of starting.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { KeyfobError } from '../core/errors.js';
import type { KeyfobCore } from '../core/core-api.js';
import type { RoleInput } from '../core/types.js';

export const DEMO_FLAG = '--demo';
/** The simulator's master key in demo mode (a throw-away local process, never a real proxy). */
export const DEMO_ADMIN_KEY = 'sk-keyfob-demo-admin';

export const DEMO_ROLES: RoleInput[] = [
  { name: 'dev', models: ['gpt-4o-mini', 'claude-sonnet-4'], max_budget: 1, ttl: '15m', max_ttl: '2h', key_alias_prefix: 'demo' },
  { name: 'review', models: ['gpt-4o'], max_budget: 0.5, ttl: '5m', max_ttl: '1h', key_alias_prefix: 'demo' },
];

interface DemoSimulator {
  readonly url: string;
  close(): Promise<void>;
}
interface SimulatorModule {
  startSimulator(opts: { masterKey?: string; realTime?: boolean }): Promise<DemoSimulator>;
}

export interface DemoEnvironment {
  stateDir: string;
  simulator: DemoSimulator;
  /** Stops the simulator and removes the throw-away state directory. */
  close(): Promise<void>;
}

/** Where the simulator can be found from the app's root: compiled, or as source under a TypeScript loader (tests). */
export function simulatorCandidates(appRoot: string): string[] {
  return ['dist/test/sim/index.js', 'test/sim/index.js', 'test/sim/index.ts'].map((p) => path.join(appRoot, p));
}

export async function startDemoEnvironment(appRoot: string): Promise<DemoEnvironment> {
  const entry = simulatorCandidates(appRoot).find((file) => existsSync(file));
  if (!entry) {
    throw new KeyfobError('internal', 'The demo needs the LiteLLM simulator (test/sim), which only a source checkout has.', {
      hint: 'Run the demo from a checkout of Keyfob: npm start -- --demo.',
    });
  }
  const sim = (await import(pathToFileURL(entry).href)) as SimulatorModule;
  const simulator = await sim.startSimulator({ masterKey: DEMO_ADMIN_KEY, realTime: true });
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'keyfob-demo-'));
  return {
    stateDir,
    simulator,
    close: async () => {
      await simulator.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Connects the fresh core to the simulator and creates the example roles. */
export async function seedDemo(core: KeyfobCore, simulatorUrl: string): Promise<void> {
  await core.connect({ url: simulatorUrl, adminKey: DEMO_ADMIN_KEY });
  for (const role of DEMO_ROLES) core.saveRole(role);
}
