// What the tray says in each situation, without a tray: icon state, tooltip, macOS title, menu labels and which
// items are usable; the lease rules and duration words it shares with the window. Plus the committed tray images:
// real PNGs, up to date with build/make-icons.ts.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { hasEnded } from '../../preload/lease-rules.js';
import { EXPIRING_SOON_MS, countsAsLive, needsAttention, statusLine, trayMenuTemplate, trayStatus, willAutoRenew } from '../../main/electron/tray-model.js';
import type { TrayActions, TrayView } from '../../main/electron/tray-model.js';
import { compactTimeLeft, describeTimeLeft } from '../../main/electron/time-left.js';
import { defaultSettings } from '../../main/core/settings/settings-schema.js';
import { defaultRole } from '../../main/core/roles/roles.js';
import type { LeaseView } from '../../preload/api.js';
import { formatDuration, formatRemaining } from '../../renderer/src/time.js';
import { makeIcons } from '../../build/make-icons.js';
import { leaseView } from '../support/lease-builder.js';

const NOW = Date.parse('2026-03-02T09:00:00.000Z');
const MIN = 60_000;

function lease(overrides: Partial<LeaseView> & { minutesLeft?: number }): LeaseView {
  const { minutesLeft = 30, ...rest } = overrides;
  return leaseView({
    lease_id: `lease-${Math.random().toString(16).slice(2, 10)}`,
    key_alias: 'keyfob-dev-1a2b3c4d',
    key_hint: 'sk-...wxyz',
    issued_at: new Date(NOW - MIN).toISOString(),
    expires_at: new Date(NOW + minutesLeft * MIN).toISOString(),
    ...rest,
  });
}

function view(overrides: Partial<TrayView> = {}): TrayView {
  return {
    now: NOW,
    platform: 'linux',
    roles: [defaultRole('dev'), defaultRole('review')],
    leases: [],
    settings: defaultSettings(),
    connected: true,
    problem: null,
    busyRoles: new Set(),
    ...overrides,
  };
}

const calls: string[] = [];
const actions: TrayActions = {
  copyRoleKey: (r) => calls.push(`copy ${r}`),
  copyLeaseKey: (id) => calls.push(`copy-lease ${id}`),
  renew: (id) => calls.push(`renew ${id}`),
  revoke: (id) => calls.push(`revoke ${id}`),
  revokeAll: () => calls.push('revoke-all'),
  open: (s) => calls.push(`open ${s}`),
  quit: () => calls.push('quit'),
};

const labels = (items: MenuItemConstructorOptions[]): string[] => items.map((i) => (i.type === 'separator' ? '---' : (i.label ?? '')));
const item = (items: MenuItemConstructorOptions[], prefix: string): MenuItemConstructorOptions => {
  const found = items.find((i) => i.label?.startsWith(prefix));
  assert.ok(found, `no item "${prefix}" in ${labels(items).join(' | ')}`);
  return found;
};

test('icon state and tooltip follow the leases', () => {
  assert.deepEqual(trayStatus(view()), { icon: 'idle', tooltip: 'Keyfob — no live keys', title: '' });
  assert.equal(trayStatus(view({ connected: false })).tooltip, 'Keyfob — not connected to a LiteLLM proxy');

  const live = trayStatus(view({ leases: [lease({ role: 'review', minutesLeft: 50 }), lease({ minutesLeft: 20 })] }));
  assert.equal(live.icon, 'live');
  assert.equal(live.tooltip, 'Keyfob — 2 live keys; dev expires in 20m');

  const stuck = trayStatus(view({ leases: [lease({}), lease({ state: 'irrevocable' })] }));
  assert.equal(stuck.icon, 'error');
  assert.match(stuck.tooltip, /1 key could not be revoked; 1 live key$/);

  const failing = trayStatus(view({ leases: [lease({ state: 'revoking', revoke_attempts: 1, last_error: { kind: 'unreachable', message: 'down' } })] }));
  assert.equal(failing.icon, 'error');

  const down = trayStatus(view({ proxyUrl: 'http://127.0.0.1:4000', proxyProblem: 'unreachable since 09:58', leases: [lease({})] }));
  assert.deepEqual([down.icon, down.tooltip], ['error', 'Keyfob — 127.0.0.1:4000: unreachable since 09:58; 1 live key']);

  const broken = trayStatus(view({ problem: 'The keychain cannot be used: locked.' }));
  assert.deepEqual([broken.icon, broken.tooltip], ['error', 'Keyfob — The keychain cannot be used: locked.']);
});

test('"expiring" only for a key that will not be renewed: a short renewable key near its renew point is fine', () => {
  const soon = EXPIRING_SOON_MS / MIN;
  const renewing = lease({ minutesLeft: soon, max_expires_at: new Date(NOW + 8 * 60 * MIN).toISOString() });
  assert.equal(willAutoRenew(renewing), true);
  assert.equal(trayStatus(view({ leases: [renewing] })).icon, 'live', 'it renews itself: no alarm');

  const wontRenew: Array<[string, LeaseView]> = [
    ['not renewable', lease({ minutesLeft: soon, renewable: false })],
    ['idle', lease({ minutesLeft: soon, idle_will_expire: true })],
    ['at max TTL', lease({ minutesLeft: soon, max_expires_at: new Date(NOW + soon * MIN).toISOString() })],
    ['renewals failing', lease({ minutesLeft: soon, last_error: { kind: 'unreachable', message: 'down' } })],
    ['main says so', lease({ minutesLeft: soon, will_auto_renew: false })],
  ];
  for (const [why, l] of wontRenew) {
    assert.equal(willAutoRenew(l), false, why);
    assert.equal(trayStatus(view({ leases: [l] })).icon, 'expiring', why);
  }
  assert.equal(trayStatus(view({ leases: [lease({ minutesLeft: soon + 1, renewable: false })] })).icon, 'live', 'not yet within 5 minutes');
  assert.equal(willAutoRenew(lease({ minutesLeft: soon, renewable: false, will_auto_renew: true })), true, 'main’s word wins');
});

test('macOS shows the soonest countdown beside the icon', () => {
  assert.equal(trayStatus(view({ platform: 'darwin', leases: [lease({ minutesLeft: 90 }), lease({ minutesLeft: 42 })] })).title, '42m');
  assert.equal(trayStatus(view({ platform: 'darwin', leases: [lease({ minutesLeft: 125 })] })).title, '2h 5m');
  assert.equal(trayStatus(view({ platform: 'darwin' })).title, '');
  assert.equal(trayStatus(view({ platform: 'linux', leases: [lease({})] })).title, '');
});

const sub = (l: MenuItemConstructorOptions): MenuItemConstructorOptions[] => l.submenu as MenuItemConstructorOptions[];
const click = (i: MenuItemConstructorOptions | undefined): void => void i?.click?.({} as never, undefined, {} as never);

test('signed in with SSO, the status line says as whom; signed out, it gives the one line', () => {
  assert.equal(statusLine(view({ proxyUrl: 'https://litellm.example.com', ssoUser: 'alice' })), 'Connected to litellm.example.com · signed in with SSO as alice');
  assert.equal(statusLine(view({ proxyUrl: 'https://litellm.example.com', ssoUser: 'alice', proxyProblem: 'signed out: run `keyfob connect --sso` again' })),
    'litellm.example.com: signed out: run `keyfob connect --sso` again');
});

test('the menu: status line, copy items, live keys apart from those needing attention, then open/settings, revoke all, quit', () => {
  calls.length = 0;
  const a = lease({ lease_id: 'a', minutesLeft: 42 });
  const b = lease({ lease_id: 'b', role: 'review', key_hint: 'sk-...abcd', state: 'revoking', revoke_attempts: 2, last_error: { kind: 'unreachable', message: 'down' } });
  const c = lease({ lease_id: 'c', key_hint: null, idle_will_expire: true, renewable: false, minutesLeft: 3 });
  const d = lease({ lease_id: 'd', key_hint: 'sk-...dddd', state: 'irrevocable', ended_reason: 'expired', minutesLeft: -5 });
  const e = lease({ lease_id: 'e', key_hint: 'sk-...eeee', state: 'pending' });
  const items = trayMenuTemplate(view({ leases: [a, b, c, d, e], proxyUrl: 'https://litellm.example.com' }), { ...actions, copyShellExports: (r) => calls.push(`exports ${r}`), forgetLease: (id) => calls.push(`forget ${id}`) });
  assert.deepEqual(labels(items), [
    'Connected to litellm.example.com',
    '---',
    'Copy key: dev',
    'Copy key: review',
    'Copy shell exports: dev',
    'Copy shell exports: review',
    '---',
    'Live keys (3)',
    'dev · sk-...wxyz — 42m left',
    'dev · keyfob-dev-1a2b3c4d — 3m left (idle: will expire)',
    'dev · sk-...eeee — issuing…',
    '---',
    'Needs attention (2)',
    'review · sk-...abcd — revoke failing — retrying',
    'dev · sk-...dddd — expired — not deleted',
    '---',
    'Open Keyfob',
    'Settings…',
    '---',
    'Revoke all keys…',
    '---',
    'Quit (revokes 3 keys)',
  ]);
  assert.equal(items[0]?.enabled, false, 'the status line is information, not an action');
  assert.deepEqual(labels(sub(item(items, 'dev · sk-...wxyz'))), ['Copy', 'Renew', '---', 'Revoke']);
  assert.deepEqual(labels(sub(item(items, 'dev · keyfob'))), ['Copy', '---', 'Revoke'], 'not renewable: no Renew item at all');
  assert.deepEqual(labels(sub(item(items, 'review ·'))), ['Retry now'], 'its key is still live: nothing to forget');
  assert.deepEqual(labels(sub(item(items, 'dev · sk-...dddd'))), ['Retry now', 'Forget (its key has expired)']);
  assert.equal(item(items, 'dev · sk-...eeee').enabled, false);
  assert.equal(item(items, 'dev · sk-...eeee').submenu, undefined);

  click(item(items, 'Copy key: review'));
  click(item(items, 'Copy shell exports: dev'));
  click(sub(item(items, 'dev · sk-...wxyz'))[1]);
  click(sub(item(items, 'dev · sk-...dddd'))[0]);
  click(sub(item(items, 'dev · sk-...dddd'))[1]);
  click(item(items, 'Settings…'));
  click(item(items, 'Revoke all keys…'));
  click(item(items, 'Quit'));
  assert.deepEqual(calls, ['copy review', 'exports dev', 'renew a', 'revoke d', 'forget d', 'open settings', 'revoke-all', 'quit']);
});

test('the menu hides what does not apply: no shell exports or forget unless wired, no revoke all without keys', () => {
  const expired = lease({ state: 'revoking', revoke_attempts: 1, ended_reason: 'expired', last_error: { kind: 'unreachable', message: 'down' } });
  const items = trayMenuTemplate(view({ leases: [expired] }), actions);
  assert.equal(labels(items).some((l) => l.startsWith('Copy shell exports')), false);
  assert.deepEqual(labels(sub(item(items, 'dev ·'))), ['Retry now']);
  assert.equal(item(items, 'dev ·').label, 'dev · sk-...wxyz — expired — not deleted, retrying');
  assert.equal(labels(items).includes('Live keys (0)'), false);
  assert.deepEqual(labels(trayMenuTemplate(view(), actions)), ['Connected', '---', 'Copy key: dev', 'Copy key: review', '---', 'Open Keyfob', 'Settings…', '---', 'Quit']);
});

test('the menu guides a person who is not set up, is busy, or turned revoke-on-quit off', () => {
  assert.deepEqual(labels(trayMenuTemplate(view({ connected: false }), actions)).slice(0, 4), ['Not connected to a LiteLLM proxy', '---', 'Connect to a LiteLLM proxy…', '---']);
  assert.deepEqual(labels(trayMenuTemplate(view({ roles: [] }), actions)).slice(2, 4), ['Create a role…', '---']);
  // The first run also offers the command-line tool, while `keyfob` is not on the PATH.
  calls.length = 0;
  const withInstall = { ...actions, installCommandLineTool: () => calls.push('install-cli') };
  const firstRun = trayMenuTemplate(view({ connected: false, commandLineToolInstalled: false }), withInstall);
  assert.deepEqual(labels(firstRun).slice(2, 5), ['Connect to a LiteLLM proxy…', 'Install command-line tool…', '---']);
  click(item(firstRun, 'Install command-line tool'));
  assert.deepEqual(calls, ['install-cli']);
  assert.equal(labels(trayMenuTemplate(view({ roles: [], commandLineToolInstalled: true }), withInstall)).includes('Install command-line tool…'), false, 'installed: not offered');
  assert.equal(labels(trayMenuTemplate(view({ roles: [], commandLineToolInstalled: null }), withInstall)).includes('Install command-line tool…'), false, 'unknown: not offered');
  assert.equal(labels(trayMenuTemplate(view({ commandLineToolInstalled: false }), withInstall)).includes('Install command-line tool…'), false, 'set up: Settings has it');
  const broken = trayMenuTemplate(view({ problem: 'Keyfob could not start: disk full.' }), actions);
  assert.deepEqual(broken.slice(0, 3).map((i) => [i.label ?? '---', i.enabled ?? true]), [['Keyfob could not start: disk full.', false], ['---', true], ['Fix in Keyfob…', true]]);
  const down = trayMenuTemplate(view({ proxyUrl: 'http://127.0.0.1:4000', proxyProblem: 'your LiteLLM key was rejected' }), actions);
  assert.equal(down[0]?.label, '127.0.0.1:4000: your LiteLLM key was rejected');

  const busy = item(trayMenuTemplate(view({ busyRoles: new Set(['dev']) }), actions), 'Copy key: dev');
  assert.deepEqual([busy.label, busy.enabled], ['Copy key: dev (issuing…)', false]);

  const settings = { ...defaultSettings(), revoke_on: { quit: false, logout: true, lock: false, suspend: false } };
  assert.equal(labels(trayMenuTemplate(view({ settings, leases: [lease({})] }), actions)).at(-1), 'Quit (1 key stays live until it expires)');
  assert.equal(labels(trayMenuTemplate(view({ settings, leases: [lease({}), lease({})] }), actions)).at(-1), 'Quit (2 keys stay live until they expire)');
});

test('counting: live and needs-attention split the leases exactly, as the window counts them', () => {
  const leases = [
    lease({ state: 'active' }),
    lease({ state: 'pending' }),
    lease({ state: 'revoking' }),
    lease({ state: 'revoking', revoke_attempts: 1 }),
    lease({ state: 'irrevocable' }),
  ];
  assert.deepEqual(leases.map(countsAsLive), [true, true, true, false, false]);
  assert.deepEqual(leases.map(needsAttention), [false, false, false, true, true]);
  // Not one of them has ended (an irrevocable key still works); revoked and expired ones have.
  assert.deepEqual([...leases, lease({ state: 'revoked' }), lease({ state: 'expired' })].map(hasEnded), [false, false, false, false, false, true, true]);
  const atMax = new Date(NOW + 30 * MIN).toISOString();
  const belowMax = new Date(NOW + 60 * MIN).toISOString();
  const samples = [lease({}), lease({ renewable: false }), lease({ idle_will_expire: true }), lease({ max_expires_at: belowMax }), lease({ max_expires_at: atMax }), lease({ will_auto_renew: false })];
  assert.deepEqual(samples.map(willAutoRenew), [true, false, false, true, false, false]);
});

test('one duration style: short units, no zero parts, no padding — the tray and the window agree', () => {
  assert.deepEqual([null, -1, 30_000, 59 * MIN + 59_000, 60 * MIN, 90 * MIN, 125 * MIN, 50 * 60 * MIN, 48 * 60 * MIN].map(describeTimeLeft), [
    'no expiry',
    'expired',
    '< 1m',
    '59m',
    '1h',
    '1h 30m',
    '2h 5m',
    '2d 2h',
    '2d',
  ]);
  assert.deepEqual([null, 0, 30_000, 42 * MIN, 125 * MIN, 50 * 60 * MIN].map(compactTimeLeft), ['∞', '0m', '<1m', '42m', '2h 5m', '2d 2h']);
  // The window's durations (role cards, settings) and countdowns use the same words.
  for (const minutes of [1, 15, 59, 60, 61, 90, 480, 1440, 1500, 3000]) {
    assert.equal(formatDuration(minutes * 60), describeTimeLeft(minutes * MIN), `${minutes} min`);
    assert.equal(formatRemaining(minutes * MIN), minutes < 60 ? `${minutes}m` : describeTimeLeft(minutes * MIN), `countdown at ${minutes} min`);
  }
  assert.deepEqual([45_000, 14 * MIN + 59_000, 49 * MIN].map(formatRemaining), ['45s', '14m 59s', '49m']);
});

test('the committed tray images are real PNGs, identical to what build/make-icons.ts draws', async (t) => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'keyfob-icons-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const buildDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'build');
  const written = makeIcons(out, { appIcon: false });
  assert.equal(written.length, 4 * 3 * 2);
  for (const file of written) {
    const relative = path.relative(out, file);
    const fresh = await readFile(file);
    const committed = await readFile(path.join(buildDir, relative));
    assert.ok(committed.equals(fresh), `build/${relative} is out of date: run npx tsx build/make-icons.ts`);
    assert.equal(committed.subarray(1, 4).toString('latin1'), 'PNG');
    const size = relative.includes('@2x') ? 32 : 16;
    assert.deepEqual([committed.readUInt32BE(16), committed.readUInt32BE(20)], [size, size], relative);
  }
  const icon = await readFile(path.join(buildDir, 'icon.png'));
  assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [1024, 1024]);
});
