// What the app listens to besides its views: a second instance, SIGINT/SIGTERM, the lease manager's events, and
// the lifecycle's triggers (quit, logout, lock, suspend) with what it says about their revocations. Each
// registration adds its own teardown.
import { app } from 'electron';
import type { RevokeSummary } from '../core/core-api.js';
import type { KeyfobCoreInstance } from '../core/keyfob-core.js';
import type { Clock } from '../core/ports.js';
import type { LeaseEvent, RevokeTrigger, Settings } from '../core/types.js';
import type { AppParts } from './app-parts.js';
import type { AppState } from './app-state.js';
import { Lifecycle, REVOKE_DEADLINE_MS } from './lifecycle.js';
import type { ElectronNotifier } from './notifier.js';
import type { TeardownStore } from './teardown-store.js';

export interface AppLifecycleOptions {
  platform: NodeJS.Platform;
  clock: Clock;
  state: AppState;
  notifier: ElectronNotifier;
  teardowns: TeardownStore;
  deadlineMs?: number;
}

/** The lifecycle (not installed yet); its quit sequence ends by clearing the clipboard and disposing the teardowns. */
export function createAppLifecycle(opts: AppLifecycleOptions): Lifecycle {
  const { state } = opts;
  return new Lifecycle({
    platform: opts.platform,
    clock: opts.clock,
    core: () => state.core(),
    settings: () => state.settings(),
    deadlineMs: opts.deadlineMs ?? REVOKE_DEADLINE_MS,
    onRevoked: (trigger, summary) => reportRevocation(trigger, summary, opts.notifier, state.settings()),
    teardown: async () => {
      await state.status.core?.clearClipboard().catch(() => false);
      state.stopping();
      await opts.teardowns.dispose();
    },
  });
}

function reportRevocation(trigger: RevokeTrigger, summary: RevokeSummary, notifier: ElectronNotifier, settings: Settings | null): void {
  if (trigger === 'quit' || trigger === 'logout') return; // nobody is there to read it
  if (summary.left.length > 0) {
    notifier.notify({ title: 'Keyfob: some keys are not revoked yet', body: `${summary.left.length} key(s) are still live; Keyfob keeps trying.`, urgency: 'critical' });
  } else if (settings?.notifications && summary.revoked > 0) {
    notifier.notify({ title: 'Keyfob revoked your keys', body: `${summary.revoked} key${summary.revoked === 1 ? '' : 's'} revoked (${trigger === 'lock' ? 'screen locked' : 'suspend'}).`, urgency: 'low' });
  }
}

/** Another `Keyfob` was started: it quits, and this one shows its window. */
export function registerSecondInstance(parts: AppParts): void {
  const onSecondInstance = (): void => parts.window.show();
  app.on('second-instance', onSecondInstance);
  parts.teardowns.add(() => void app.removeListener('second-instance', onSecondInstance));
}

/** SIGINT/SIGTERM (a terminal's Ctrl-C during `npm start`) quit the way the tray's Quit does. */
export function registerQuitSignals(parts: AppParts): void {
  const onSignal = (): void => parts.lifecycle.quit('quit');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  parts.teardowns.add(() => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  });
}

/** Every lease event refreshes the views; what the manager's own calls learned about the proxy goes to its health. */
export function registerLeaseEvents(parts: AppParts, core: KeyfobCoreInstance): void {
  const onLeaseEvent = (event: LeaseEvent): void => {
    if (event.type === 'changed') void parts.state.refreshConnection();
    if (event.type === 'issued' || event.type === 'renewed' || event.type === 'gone') parts.proxyHealth.succeeded();
    if (event.type === 'revoke-failed') parts.proxyHealth.failed(event.error);
    parts.views.refreshAll();
  };
  parts.teardowns.add(core.leases.on(onLeaseEvent));
}
