// The real core as a process without a window runs it (the test workers, the bench): real settings file, the given
// keychain and clock, and a clipboard, activity and notifier that do nothing — those processes never copy, idle or notify.
import { createKeyfobCore } from '../../main/core/keyfob-core.js';
import type { KeyfobCoreInstance } from '../../main/core/keyfob-core.js';
import { openSettingsStore } from '../../main/core/settings/settings-store.js';
import type { Clock, SecretStore } from '../../main/core/ports.js';

export interface HeadlessCoreOptions {
  stateDir: string;
  secretStore: SecretStore;
  clock: Clock;
  /** Watch the ledger for other processes' changes (the core's default: true). */
  watchLedger?: boolean;
}

export function openHeadlessCore({ stateDir, secretStore, clock, watchLedger }: HeadlessCoreOptions): KeyfobCoreInstance {
  return createKeyfobCore({
    stateDir,
    settingsStore: openSettingsStore({ stateDir, clock }),
    secretStore,
    clock,
    clipboard: { writeSecret: async () => undefined, readText: async () => '', clear: async () => undefined },
    activity: { current: () => ({ idleSeconds: 0, locked: false }) },
    notifier: { notify: () => undefined },
    watchLedger,
  });
}
