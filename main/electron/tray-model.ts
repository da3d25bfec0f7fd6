// What the tray shows, computed from the app's state: the icon state, the tooltip, the macOS title and the menu.
// Plain data and closures (Electron's types only), so it is checked without a tray.
import type { MenuItemConstructorOptions } from 'electron';
import type { Role, Settings } from '../core/types.js';
import type { LeaseView, Screen } from '../../preload/api.js';
import { compactTimeLeft, describeTimeLeft, msUntil } from './time-left.js';
import { countsAsLive, needsAttention, willAutoRenew } from '../../preload/lease-rules.js';

export { countsAsLive, needsAttention, willAutoRenew };

export type TrayIconState = 'idle' | 'live' | 'expiring' | 'error';

/** A lease that will not be renewed turns the icon to "expiring" this close to its expiry. */
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
  /** The proxy's URL, for the status line ("Connected to litellm.example.com"). */
  proxyUrl?: string | null;
  /** What is wrong with the proxy lately, e.g. "the proxy is unreachable since 10:02"; null when it answers. */
  proxyProblem?: string | null;
  /** The user signed in with SSO ("Connected to … · signed in with SSO as alice"); null or absent: a key. */
  ssoUser?: string | null;
  /** Whether `keyfob` is on the PATH from the app (Settings → Install command-line tool); null or absent: unknown. */
  commandLineToolInstalled?: boolean | null;
}

export interface TrayActions {
  copyRoleKey(role: string): void;
  copyLeaseKey(leaseId: string): void;
  renew(leaseId: string): void;
  /** Also "Retry" for a lease whose revocation failed. */
  revoke(leaseId: string): void;
  /** Called after the person confirmed (the tray asks first, see tray.ts). */
  revokeAll(): void;
  open(screen?: Screen): void;
  quit(): void;
  /** Copies `eval`-able shell exports for ROLE (reusing, renewing or issuing a key). The item shows when wired. */
  copyShellExports?(role: string): void;
  /** Drops a lease Keyfob cannot delete from its list (the person deleted the key by hand). Shows when wired. */
  forgetLease?(leaseId: string): void;
  /** First run: put the app's `keyfob` launcher on the PATH. */
  installCommandLineTool?(): void;
}

export interface TrayStatus {
  icon: TrayIconState;
  tooltip: string;
  /** macOS: the soonest countdown beside the icon; '' when nothing is live. */
  title: string;
}

const active = (l: LeaseView): boolean => l.state === 'active';
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The active lease that expires first (leases without expiry come last). */
export function soonestExpiring(leases: LeaseView[], now: number): { lease: LeaseView; msLeft: number | null } | null {
  let best: { lease: LeaseView; msLeft: number | null } | null = null;
  for (const lease of leases.filter(active)) {
    const msLeft = msUntil(lease.expires_at, now);
    if (!best || (msLeft !== null && (best.msLeft === null || msLeft < best.msLeft))) best = { lease, msLeft };
  }
  return best;
}

function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The first, disabled line of the menu: connected to which host, or what is wrong. */
export function statusLine(view: TrayView): string {
  if (view.problem) return view.problem;
  if (!view.connected) return 'Not connected to a LiteLLM proxy';
  const host = hostOf(view.proxyUrl);
  if (view.proxyProblem) return host ? `${host}: ${view.proxyProblem}` : view.proxyProblem;
  const who = view.ssoUser ? ` · signed in with SSO as ${view.ssoUser}` : '';
  return `${host ? `Connected to ${host}` : 'Connected'}${who}`;
}

export function trayStatus(view: TrayView): TrayStatus {
  const live = view.leases.filter(countsAsLive);
  const attention = view.leases.filter(needsAttention);
  const soonest = soonestExpiring(view.leases, view.now);
  const expiring = view.leases.filter((l) => active(l) && !willAutoRenew(l)).some((l) => {
    const left = msUntil(l.expires_at, view.now);
    return left !== null && left <= EXPIRING_SOON_MS;
  });
  const countdown = soonest ? `${soonest.lease.role} expires in ${describeTimeLeft(soonest.msLeft)}` : '';
  const liveText = live.length === 0 ? 'no live keys' : plural(live.length, 'live key');

  let icon: TrayIconState;
  let tooltip: string;
  if (view.problem) {
    icon = 'error';
    tooltip = `Keyfob — ${view.problem}`;
  } else if (attention.length > 0) {
    icon = 'error';
    tooltip = `Keyfob — ${plural(attention.length, 'key')} could not be revoked; ${liveText}`;
  } else if (view.connected && view.proxyProblem) {
    icon = 'error';
    tooltip = `Keyfob — ${statusLine(view)}; ${liveText}`;
  } else if (expiring) {
    icon = 'expiring';
    tooltip = `Keyfob — ${liveText}; ${countdown}`;
  } else if (live.length > 0) {
    icon = 'live';
    tooltip = countdown ? `Keyfob — ${liveText}; ${countdown}` : `Keyfob — ${liveText}`;
  } else {
    icon = 'idle';
    tooltip = view.connected ? 'Keyfob — no live keys' : 'Keyfob — not connected to a LiteLLM proxy';
  }
  const title = view.platform === 'darwin' && soonest ? compactTimeLeft(soonest.msLeft) : '';
  return { icon, tooltip, title };
}

const expiredReason = (lease: LeaseView): boolean => lease.ended_reason === 'expired';

function leaseLabel(lease: LeaseView, now: number): string {
  const name = `${lease.role} · ${lease.key_hint ?? lease.key_alias}`;
  switch (lease.state) {
    case 'active': {
      const idle = lease.idle_will_expire ? ' (idle: will expire)' : '';
      return `${name} — ${describeTimeLeft(msUntil(lease.expires_at, now))} left${idle}`;
    }
    case 'pending':
      return `${name} — issuing…`;
    case 'revoking':
      if (!needsAttention(lease)) return `${name} — revoking…`;
      return expiredReason(lease) ? `${name} — expired — not deleted, retrying` : `${name} — revoke failing — retrying`;
    case 'irrevocable':
      return expiredReason(lease) ? `${name} — expired — not deleted` : `${name} — could not be revoked`;
    default:
      return `${name} — ${lease.state}`;
  }
}

function leaseItem(lease: LeaseView, view: TrayView, actions: TrayActions): MenuItemConstructorOptions {
  const label = leaseLabel(lease, view.now);
  const id = lease.lease_id;
  if (lease.state === 'active') {
    const submenu: MenuItemConstructorOptions[] = [{ label: 'Copy', click: () => actions.copyLeaseKey(id) }];
    if (lease.renewable) submenu.push({ label: 'Renew', click: () => actions.renew(id) });
    submenu.push({ type: 'separator' }, { label: 'Revoke', click: () => actions.revoke(id) });
    return { label, submenu };
  }
  if (needsAttention(lease)) {
    const submenu: MenuItemConstructorOptions[] = [{ label: 'Retry now', click: () => actions.revoke(id) }];
    // Only once the key has expired on the proxy (which then refuses it by itself): the core refuses it before.
    if (actions.forgetLease && lease.expires_at !== null && Date.parse(lease.expires_at) <= view.now) {
      const forget = actions.forgetLease.bind(actions);
      submenu.push({ label: 'Forget (its key has expired)', click: () => forget(id) });
    }
    return { label, submenu };
  }
  return { label, enabled: false }; // issuing or revoking: nothing to do but wait
}

export function trayMenuTemplate(view: TrayView, actions: TrayActions): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [];
  const separator: MenuItemConstructorOptions = { type: 'separator' };
  const live = view.leases.filter(countsAsLive);
  const attention = view.leases.filter(needsAttention);

  items.push({ label: statusLine(view), enabled: false }, separator);

  if (view.problem) {
    items.push({ label: 'Fix in Keyfob…', click: () => actions.open('connect') }, separator);
  } else if (!view.connected || view.roles.length === 0) {
    // First run: what to do next, and the command-line tool the tools' helpers will run.
    const next = !view.connected
      ? { label: 'Connect to a LiteLLM proxy…', click: () => actions.open('connect') }
      : { label: 'Create a role…', click: () => actions.open('roles') };
    items.push(next);
    if (view.commandLineToolInstalled === false && actions.installCommandLineTool) {
      const install = actions.installCommandLineTool.bind(actions);
      items.push({ label: 'Install command-line tool…', click: () => install() });
    }
    items.push(separator);
  } else {
    for (const role of view.roles) {
      const busy = view.busyRoles.has(role.name);
      items.push({ label: `Copy key: ${role.name}${busy ? ' (issuing…)' : ''}`, enabled: !busy, click: () => actions.copyRoleKey(role.name) });
    }
    if (actions.copyShellExports) {
      const copyExports = actions.copyShellExports.bind(actions);
      for (const role of view.roles) items.push({ label: `Copy shell exports: ${role.name}`, enabled: !view.busyRoles.has(role.name), click: () => copyExports(role.name) });
    }
    items.push(separator);
  }

  if (live.length > 0) {
    items.push({ label: `Live keys (${live.length})`, enabled: false });
    for (const lease of live) items.push(leaseItem(lease, view, actions));
    items.push(separator);
  }
  if (attention.length > 0) {
    items.push({ label: `Needs attention (${attention.length})`, enabled: false });
    for (const lease of attention) items.push(leaseItem(lease, view, actions));
    items.push(separator);
  }

  items.push({ label: 'Open Keyfob', click: () => actions.open('keys') });
  items.push({ label: 'Settings…', click: () => actions.open('settings') });
  items.push(separator);
  // Away from the harmless items, and it asks first (tray.ts): it breaks every program using a key.
  if (view.leases.length > 0) items.push({ label: 'Revoke all keys…', click: () => actions.revokeAll() }, separator);
  items.push({ label: quitLabel(live.length, view.settings), click: () => actions.quit() });
  return items;
}

function quitLabel(liveCount: number, settings: Settings | null): string {
  if (liveCount === 0) return 'Quit';
  const keys = plural(liveCount, 'key');
  if (settings?.revoke_on.quit !== false) return `Quit (revokes ${keys})`;
  return liveCount === 1 ? 'Quit (1 key stays live until it expires)' : `Quit (${keys} stay live until they expire)`;
}
