// What the tray's items do. A click has no window to report to, so failures become notifications (always: the
// person just asked for something); success is confirmed only when notifications are on.
import { KeyfobError, toKeyfobError } from '../core/errors.js';
import type { KeyfobCore } from '../core/core-api.js';
import type { Clock } from '../core/ports.js';
import type { Settings } from '../core/types.js';
import { formatEnvironment, obtainToken, toolEnvironment } from '../core/tools/index.js';
import type { ProxyHealthTracker } from '../ipc/proxy-health.js';
import type { Screen } from '../../preload/api.js';
import { describeTimeLeft, msUntil } from './time-left.js';
import type { TrayActions } from './tray-model.js';

export interface TrayActionDeps {
  core: () => KeyfobCore | null;
  stateDir: string;
  /** Onto the clipboard as a secret, cleared later like a copied key (and when the lease ends). */
  copySecret: (text: string, leaseId: string) => Promise<void>;
  proxyHealth: ProxyHealthTracker;
  clock: Clock;
  settings: () => Settings | null;
  notify: (title: string, body: string) => void;
  busyRoles: Set<string>;
  /** Clicks whose work is still running (awaited by `settled`). */
  inFlight: Set<Promise<void>>;
  refresh: () => void;
  open: (screen?: Screen) => void;
  quit: () => void;
  installCommandLineTool: () => void;
}

/** The tray's actions over the core; `deps` says where to report and what to refresh. */
export function createTrayActions(deps: TrayActionDeps): TrayActions {
  const confirm = (title: string, body: string): void => {
    if (deps.settings()?.notifications) deps.notify(title, body);
  };
  const attempt = (what: string, work: (core: KeyfobCore) => Promise<void>): void => {
    const core = deps.core();
    if (!core) {
      deps.open('connect');
      return;
    }
    const running = work(core)
      .catch((e: unknown) => {
        deps.proxyHealth.failed(e);
        const err = toKeyfobError(e);
        deps.notify(`Keyfob: could not ${what}`, err.hint ? `${err.message} ${err.hint}` : err.message);
      })
      .finally(() => {
        deps.inFlight.delete(running);
        deps.refresh();
      });
    deps.inFlight.add(running);
  };
  const clearNote = (): string => {
    const seconds = deps.settings()?.clipboard_clear_seconds ?? 0;
    return seconds > 0 ? ` The clipboard is cleared in ${seconds} s.` : '';
  };

  return {
    copyRoleKey: (role) => {
      if (deps.busyRoles.has(role)) return;
      deps.busyRoles.add(role);
      deps.refresh();
      attempt(`copy a key for ${role}`, async (core) => {
        try {
          const { lease, issued } = await core.leases.copyRoleKey(role);
          const left = describeTimeLeft(msUntil(lease.expires_at, deps.clock.now()));
          confirm(`Key for ${role} copied`, `${issued ? 'A new key was issued' : 'The live key'} (${lease.key_alias}, ${left} left).${clearNote()}`);
        } finally {
          deps.busyRoles.delete(role);
        }
      });
    },
    copyShellExports: (role) => {
      if (deps.busyRoles.has(role)) return;
      deps.busyRoles.add(role);
      deps.refresh();
      attempt(`copy shell exports for ${role}`, async (core) => {
        try {
          const urls = await core.toolBaseUrls();
          if (!urls) throw new KeyfobError('not-connected', 'Keyfob is not connected to a LiteLLM proxy.');
          // The same lease the tools' helpers share: reused, renewed or issued under the token lock.
          const token = await obtainToken({ core, stateDir: deps.stateDir, role, now: () => deps.clock.now(), via: 'env' });
          if (token.action !== 'used') deps.proxyHealth.succeeded();
          await deps.copySecret(formatEnvironment(toolEnvironment(token.lease, token.key, urls), 'sh').join('\n'), token.lease.lease_id);
          const left = describeTimeLeft(msUntil(token.lease.expires_at, deps.clock.now()));
          confirm(`Shell exports for ${role} copied`, `Paste them into a terminal (${token.lease.key_alias}, ${left} left).${clearNote()}`);
        } finally {
          deps.busyRoles.delete(role);
        }
      });
    },
    copyLeaseKey: (leaseId) =>
      attempt('copy the key', async (core) => {
        const lease = await core.leases.copyLeaseKey(leaseId);
        confirm('Key copied', `${lease.key_alias}.${clearNote()}`);
      }),
    renew: (leaseId) =>
      attempt('renew the key', async (core) => {
        const lease = await core.leases.renew(leaseId);
        confirm('Key renewed', `${lease.key_alias}: ${describeTimeLeft(msUntil(lease.expires_at, deps.clock.now()))} left.`);
      }),
    revoke: (leaseId) =>
      attempt('revoke the key', async (core) => {
        const lease = await core.leases.revoke(leaseId);
        confirm('Key revoked', lease.key_alias);
      }),
    forgetLease: (leaseId) =>
      attempt('forget the key', async (core) => {
        const lease = await core.leases.forget(leaseId);
        confirm('Key forgotten', `${lease.key_alias}: its key had expired on the proxy; Keyfob stops trying to delete it.`);
      }),
    revokeAll: () =>
      attempt('revoke all keys', async (core) => {
        const summary = await core.leases.revokeAll();
        if (summary.left.length > 0) throw new KeyfobError('internal', `${summary.left.length} key(s) could not be revoked yet; Keyfob keeps trying.`);
        confirm('All keys revoked', `${summary.revoked} key${summary.revoked === 1 ? '' : 's'} revoked.`);
      }),
    open: (screen) => deps.open(screen),
    quit: () => deps.quit(),
    installCommandLineTool: () => deps.installCommandLineTool(),
  };
}
