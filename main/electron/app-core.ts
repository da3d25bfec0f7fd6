// The core on Electron's adapters: the secret store (probed, so a locked or missing keychain is said at once), the
// core built on it, and its start — reconcile, the demo's seed, the connection, activity, launch at login.
import ElectronStore from 'electron-store';
import { toKeyfobError } from '../core/errors.js';
import { createKeyfobCore } from '../core/keyfob-core.js';
import type { KeyfobCoreInstance } from '../core/keyfob-core.js';
import { KeytarSecretStore, SessionSecretStore } from '../core/keychain/index.js';
import type { SecretStore } from '../core/ports.js';
import { keychainServiceFor, openSettingsStore } from '../core/settings/index.js';
import { PowerActivity } from './activity.js';
import { applyAppLoginItem } from './app-api-context.js';
import type { AppParts } from './app-parts.js';
import type { AppState } from './app-state.js';
import { ElectronClipboard } from './clipboard.js';
import { seedDemo } from './demo.js';
import { SwitchableSecretStore } from './secret-store-switch.js';

export interface CoreOptions {
  /** Default: the OS keychain (`KeytarSecretStore` for the state directory's service). */
  secretStore?: SecretStore;
  activityPollMs?: number;
  autostartDir?: string;
}

/** The app's secret store: the demo's in memory, else the given or the OS keychain; a problem goes to the state. */
export async function openSecrets(parts: Pick<AppParts, 'demo' | 'stateDir' | 'platform' | 'env' | 'state'>, given?: SecretStore): Promise<SwitchableSecretStore> {
  const { stateDir, platform, env, state } = parts;
  const secrets = new SwitchableSecretStore(
    parts.demo ? new SessionSecretStore() : (given ?? new KeytarSecretStore({ service: keychainServiceFor(stateDir, platform, env), platform })),
  );
  try {
    const probeable = secrets.delegate as SecretStore & { probe?: () => Promise<void> };
    if (typeof probeable.probe === 'function') await probeable.probe();
  } catch (e) {
    const err = toKeyfobError(e);
    state.keychainProblem = `The keychain cannot be used: ${err.message}`;
    state.addNotice(`${state.keychainProblem}${err.hint ? ` ${err.hint}` : ''}`);
  }
  return secrets;
}

/** Builds the core into the app state (or records why it could not be); its stop is the core's teardown. */
export function buildCore(parts: AppParts, secrets: SecretStore, opts: CoreOptions): PowerActivity {
  const { state, clock, stateDir, platform } = parts;
  const activity = new PowerActivity({
    clock,
    idleThresholdSeconds: () => state.settings()?.idle_threshold_seconds ?? 600,
    onLockChange: (locked) => parts.lifecycle.onLockChange(locked),
    ...(opts.activityPollMs === undefined ? {} : { pollMs: opts.activityPollMs }),
  });
  try {
    const settingsStore = openSettingsStore({ stateDir, storeClass: ElectronStore, clock });
    const core = createKeyfobCore({ stateDir, settingsStore, secretStore: secrets, clock, clipboard: new ElectronClipboard(platform), activity, notifier: parts.notifier });
    state.built({ core });
    parts.teardowns.add(() => core.stop().catch(() => undefined));
  } catch (e) {
    state.built({ error: toKeyfobError(e) });
  }
  return activity;
}

/** Reconciles (unless the keychain must be fixed first), seeds the demo, reads the connection, starts watching. */
export async function bootCore(parts: AppParts, core: KeyfobCoreInstance, activity: PowerActivity, opts: CoreOptions): Promise<void> {
  const { state, demo } = parts;
  if (!state.keychainProblem) await state.startCore();
  if (demo && state.status.status === 'running') await seedTheDemo(state, core, demo.simulator.url);
  await state.refreshConnection();
  activity.start();
  parts.teardowns.add(() => activity.stop());
  if (state.settings()?.launch_at_login) {
    await applyAppLoginItem(parts, true, opts.autostartDir).catch((e: unknown) => state.addNotice(toKeyfobError(e).message));
  }
}

async function seedTheDemo(state: AppState, core: KeyfobCoreInstance, url: string): Promise<void> {
  try {
    await seedDemo(core, url);
    state.addNotice(`Demo: connected to a LiteLLM simulator at ${url} with two example roles. Nothing here is real.`);
  } catch (e) {
    state.addNotice(`The demo could not connect to its simulator: ${toKeyfobError(e).message}`);
  }
}
