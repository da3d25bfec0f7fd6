// What every piece of the app's wiring shares: the environment it runs in, the app state, the views to refresh,
// and the teardown store each registration adds itself to. Built once by the composition root (main/app.ts).
import type { Clock } from '../core/ports.js';
import type { ProxyHealthTracker } from '../ipc/proxy-health.js';
import type { AppState } from './app-state.js';
import type { AppViews } from './app-views.js';
import type { DemoEnvironment } from './demo.js';
import type { Lifecycle } from './lifecycle.js';
import type { ElectronNotifier } from './notifier.js';
import type { TeardownStore } from './teardown-store.js';
import type { MainWindow } from './window.js';

export interface AppParts {
  readonly platform: NodeJS.Platform;
  readonly env: Record<string, string | undefined>;
  readonly clock: Clock;
  /** The directory holding package.json, dist/ and renderer/dist. */
  readonly appRoot: string;
  readonly stateDir: string;
  readonly demo: DemoEnvironment | null;
  readonly state: AppState;
  readonly views: AppViews;
  readonly teardowns: TeardownStore;
  readonly notifier: ElectronNotifier;
  readonly lifecycle: Lifecycle;
  readonly window: MainWindow;
  readonly proxyHealth: ProxyHealthTracker;
}
