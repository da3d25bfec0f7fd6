// What the tray shows, computed from the app's state: the icon state, the tooltip, the macOS title and the menu.
// Plain data and closures (Electron's types only), so it is checked without a tray.
import type { MenuItemConstructorOptions } from 'electron';
import type { LeaseView, Role, Settings } from '../core/types.js';
import type { Screen } from '../../preload/api.js';
import { compactTimeLeft, describeTimeLeft, msUntil } from './time-left.js';

export type TrayIconState = 'idle' | 'live' | 'expiring' | 'error';

/** A lease this close to its expiry turns the icon to "expiring". */
export const EXPIRING_SOON_MS = 5 * 60_000;

export interface TrayView {
  now: number;
  platform: string;
  roles: Role[];
  /** Leases that are not over: active, pending, revoking, irrevocable. */
  leases: LeaseView[];
  settings: Settings | null;
  /** A proxy URL and an admin key are configured. */
  connected: boolean;
  /** Something the person must act on before Keyfob works (start-up failure, keychain unavailable). */
  problem: string | null;
  /** Roles whose "Copy key" is in flight (the item is disabled meanwhile: no double issue). */
  busyRoles: ReadonlySet<string>;
}

export interface TrayActions {
  copyRoleKey(role: string): void;
  copyLeaseKey(leaseId: string): void;
  renew(leaseId: string): void;
  revoke(leaseId: string): void;
  revokeAll(): void;
  open(screen?: Screen): void;
  quit(): void;
}

export interface TrayStatus {
  icon: TrayIconState;
  tooltip: string;
  /** macOS: the soonest countdown beside the icon; '' when nothing is live. */
  title: string;
}

const active = (l: LeaseView): boolean => l.state === 'active';
const needsAttention = (l: LeaseView): boolean => l.state === 'irrevocable' || (l.state === 'revoking' && l.last_error !== null);

/** The active lease that expires first (leases without expiry come last). */
export function soonestExpiring(leases: LeaseView[], now: number): { lease: LeaseView; msLeft: number | null } | null {
  let best: { lease: LeaseView; msLeft: number | null } | null = null;
  for (const lease of leases.filter(active)) {
    const msLeft = msUntil(lease.expires_at, now);
    if (!best || (msLeft !== null && (best.msLeft === null || msLeft < best.msLeft))) best = { lease, msLeft };
  }
  return best;
}

export function trayStatus(view: TrayView): TrayStatus {
  const live = view.leases.filter(active);
  const soonest = soonestExpiring(view.leases, view.now);
  const attention = view.leases.filter(needsAttention);
  const countdown = soonest ? `${soonest.lease.role} expires in ${describeTimeLeft(soonest.msLeft)}` : '';
  const liveText = live.length === 0 ? 'no live keys' : `${live.length} live key${live.length === 1 ? '' : 's'}`;

  let icon: TrayIconState;
  let tooltip: string;
  if (view.problem) {
    icon = 'error';
    tooltip = `Keyfob — ${view.problem}`;
  } else if (attention.length > 0) {
    icon = 'error';
    tooltip = `Keyfob — ${attention.length} key${attention.length === 1 ? '' : 's'} could not be revoked; ${liveText}`;
  } else if (soonest && soonest.msLeft !== null && soonest.msLeft <= EXPIRING_SOON_MS) {
    icon = 'expiring';
    tooltip = `Keyfob — ${liveText}; ${countdown}`;
  } else if (live.length > 0) {
    icon = 'live';
    tooltip = `Keyfob — ${liveText}; ${countdown}`;
  } else {
    icon = 'idle';
    tooltip = view.connected ? 'Keyfob — no live keys' : 'Keyfob — not connected to a LiteLLM proxy';
  }
  const title = view.platform === 'darwin' && soonest ? compactTimeLeft(soonest.msLeft) : '';
  return { icon, tooltip, title };
}

function leaseLabel(lease: LeaseView, now: number): string {
  const name = `${lease.role} · ${lease.key_hint ?? lease.key_alias}`;
  switch (lease.state) {
    case 'active':
      return `${name} — ${describeTimeLeft(msUntil(lease.expires_at, now))} left${lease.idle_will_expire ? ' (idle: will expire)' : ''}`;
    case 'pending':
      return `${name} — issuing…`;
    case 'revoking':
      return `${name} — revoking…`;
    case 'irrevocable':
      return `${name} — could not be revoked`;
    default:
      return `${name} — ${lease.state}`;
  }
}

export function trayMenuTemplate(view: TrayView, actions: TrayActions): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [];
  const separator: MenuItemConstructorOptions = { type: 'separator' };
  const live = view.leases.filter(active);

  if (view.problem) {
    items.push({ label: view.problem, enabled: false }, { label: 'Fix in Keyfob…', click: () => actions.open('connect') }, separator);
  } else if (!view.connected) {
    items.push({ label: 'Connect to a LiteLLM proxy…', click: () => actions.open('connect') }, separator);
  } else if (view.roles.length === 0) {
    items.push({ label: 'Create a role…', click: () => actions.open('roles') }, separator);
  } else {
    for (const role of view.roles) {
      const busy = view.busyRoles.has(role.name);
      items.push({ label: `Copy key: ${role.name}${busy ? ' (issuing…)' : ''}`, enabled: !busy, click: () => actions.copyRoleKey(role.name) });
    }
    items.push(separator);
  }

  if (view.leases.length > 0) {
    items.push({ label: `Live keys (${live.length})`, enabled: false });
    for (const lease of view.leases) {
      const isActive = lease.state === 'active';
      items.push({
        label: leaseLabel(lease, view.now),
        submenu: [
          { label: 'Copy', enabled: isActive, click: () => actions.copyLeaseKey(lease.lease_id) },
          { label: 'Renew', enabled: isActive && lease.renewable, click: () => actions.renew(lease.lease_id) },
          { label: 'Revoke', enabled: isActive || lease.state === 'irrevocable' || lease.state === 'revoking', click: () => actions.revoke(lease.lease_id) },
        ],
      });
    }
    items.push(separator);
  }

  items.push({ label: 'Revoke all keys', enabled: view.leases.length > 0, click: () => actions.revokeAll() });
  items.push({ label: 'Open Keyfob', click: () => actions.open('keys') });
  items.push(separator);
  items.push({ label: quitLabel(live.length, view.settings), click: () => actions.quit() });
  return items;
}

function quitLabel(liveCount: number, settings: Settings | null): string {
  if (liveCount === 0) return 'Quit';
  const keys = `${liveCount} key${liveCount === 1 ? '' : 's'}`;
  if (settings?.revoke_on.quit !== false) return `Quit (revokes ${keys})`;
  return liveCount === 1 ? 'Quit (1 key stays live until it expires)' : `Quit (${keys} stay live until they expire)`;
}
