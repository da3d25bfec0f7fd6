// What the tray says in each situation, without a tray: icon state, tooltip, macOS title, menu labels and which
// items are usable. Plus the committed tray images: real PNGs, up to date with build/make-icons.ts.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { EXPIRING_SOON_MS, trayMenuTemplate, trayStatus } from '../../main/electron/tray-model.js';
import type { TrayActions, TrayView } from '../../main/electron/tray-model.js';
import { compactTimeLeft, describeTimeLeft } from '../../main/electron/time-left.js';
import { defaultSettings } from '../../main/core/settings/settings-schema.js';
import { defaultRole } from '../../main/core/roles/roles.js';
import type { LeaseView } from '../../main/core/types.js';
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
  assert.equal(live.tooltip, 'Keyfob — 2 live keys; dev expires in 20 min');

  const soon = trayStatus(view({ leases: [lease({ minutesLeft: EXPIRING_SOON_MS / MIN })] }));
  assert.equal(soon.icon, 'expiring');

  const stuck = trayStatus(view({ leases: [lease({}), lease({ state: 'irrevocable' })] }));
  assert.equal(stuck.icon, 'error');
  assert.match(stuck.tooltip, /1 key could not be revoked; 1 live key/);

  const failing = trayStatus(view({ leases: [lease({ state: 'revoking', last_error: { kind: 'unreachable', message: 'down' } })] }));
  assert.equal(failing.icon, 'error');

  const broken = trayStatus(view({ problem: 'The keychain cannot be used: locked.' }));
  assert.deepEqual([broken.icon, broken.tooltip], ['error', 'Keyfob — The keychain cannot be used: locked.']);
});

test('macOS shows the soonest countdown beside the icon', () => {
  assert.equal(trayStatus(view({ platform: 'darwin', leases: [lease({ minutesLeft: 90 }), lease({ minutesLeft: 42 })] })).title, '42m');
  assert.equal(trayStatus(view({ platform: 'darwin' })).title, '');
  assert.equal(trayStatus(view({ platform: 'linux', leases: [lease({})] })).title, '');
});

test('the menu: a copy item per role, each live lease with copy/renew/revoke, revoke all, open, quit', () => {
  calls.length = 0;
  const a = lease({ lease_id: 'a', minutesLeft: 42 });
  const b = lease({ lease_id: 'b', role: 'review', key_hint: 'sk-...abcd', state: 'revoking' });
  const c = lease({ lease_id: 'c', key_hint: null, idle_will_expire: true, renewable: false, minutesLeft: 3 });
  const items = trayMenuTemplate(view({ leases: [a, b, c] }), actions);
  assert.deepEqual(labels(items), [
    'Copy key: dev',
    'Copy key: review',
    '---',
    'Live keys (2)',
    'dev · sk-...wxyz — 42 min left',
    'review · sk-...abcd — revoking…',
    'dev · keyfob-dev-1a2b3c4d — 3 min left (idle: will expire)',
    '---',
    'Revoke all keys',
    'Open Keyfob',
    '---',
    'Quit (revokes 2 keys)',
  ]);
  const sub = (l: MenuItemConstructorOptions): MenuItemConstructorOptions[] => l.submenu as MenuItemConstructorOptions[];
  assert.deepEqual(sub(item(items, 'dev · sk-...wxyz')).map((i) => [i.label, i.enabled]), [['Copy', true], ['Renew', true], ['Revoke', true]]);
  assert.deepEqual(sub(item(items, 'review ·')).map((i) => i.enabled), [false, false, true]);
  assert.deepEqual(sub(item(items, 'dev · keyfob')).map((i) => i.enabled), [true, false, true], 'not renewable');

  item(items, 'Copy key: review').click?.({} as never, undefined, {} as never);
  sub(item(items, 'dev · sk-...wxyz'))[1]?.click?.({} as never, undefined, {} as never);
  item(items, 'Quit').click?.({} as never, undefined, {} as never);
  assert.deepEqual(calls, ['copy review', 'renew a', 'quit']);
});

test('the menu guides a person who is not set up, is busy, or turned revoke-on-quit off', () => {
  assert.deepEqual(labels(trayMenuTemplate(view({ connected: false }), actions)).slice(0, 2), ['Connect to a LiteLLM proxy…', '---']);
  assert.deepEqual(labels(trayMenuTemplate(view({ roles: [] }), actions)).slice(0, 2), ['Create a role…', '---']);
  const broken = trayMenuTemplate(view({ problem: 'Keyfob could not start: disk full.' }), actions);
  assert.deepEqual(broken.slice(0, 2).map((i) => [i.label, i.enabled ?? true]), [['Keyfob could not start: disk full.', false], ['Fix in Keyfob…', true]]);

  const busy = item(trayMenuTemplate(view({ busyRoles: new Set(['dev']) }), actions), 'Copy key: dev');
  assert.deepEqual([busy.label, busy.enabled], ['Copy key: dev (issuing…)', false]);

  const settings = { ...defaultSettings(), revoke_on: { quit: false, logout: true, lock: false, suspend: false } };
  assert.equal(labels(trayMenuTemplate(view({ settings, leases: [lease({})] }), actions)).at(-1), 'Quit (1 key stays live until it expires)');
  assert.equal(labels(trayMenuTemplate(view({ settings, leases: [lease({}), lease({})] }), actions)).at(-1), 'Quit (2 keys stay live until they expire)');
  assert.equal(item(trayMenuTemplate(view(), actions), 'Revoke all keys').enabled, false);
});

test('time left is said in whole minutes', () => {
  assert.deepEqual([null, -1, 30_000, 59 * MIN + 59_000, 60 * MIN, 125 * MIN, 50 * 60 * MIN].map(describeTimeLeft), [
    'no expiry',
    'expired',
    '< 1 min',
    '59 min',
    '1 h 00 min',
    '2 h 05 min',
    '2 d 2 h',
  ]);
  assert.deepEqual([null, 0, 30_000, 42 * MIN, 125 * MIN, 50 * 60 * MIN].map(compactTimeLeft), ['∞', '0m', '<1m', '42m', '2h05', '2d']);
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
