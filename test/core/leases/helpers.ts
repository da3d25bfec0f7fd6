// Shared set-up for the lease tests: a simulator whose clock is the test's FakeClock, a throw-away state directory,
// the real keychain (a service name unique to the test), and recording fakes for the clipboard, activity and notifier.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createKeyfobCore } from '../../../main/core/keyfob-core.js';
import type { KeyfobCoreInstance, KeyfobCoreOptions } from '../../../main/core/keyfob-core.js';
import { KeytarSecretStore } from '../../../main/core/keychain/secret-store.js';
import { openSettingsStore } from '../../../main/core/settings/settings-store.js';
import type { ActivitySnapshot, Clipboard, Notification, SecretStore, SettingsStore } from '../../../main/core/ports.js';
import type { LeaseEvent, RoleInput } from '../../../main/core/types.js';
import { FakeClock, flush } from '../../support/fake-clock.js';
import { startSimulator } from '../../sim/index.js';
import type { Simulator } from '../../sim/index.js';

export const ADMIN_KEY = 'sk-admin';

export const START = Date.parse('2026-03-01T09:00:00.000Z');

export class MemoryClipboard implements Clipboard {
  text = '';
  writes = 0;
  async writeSecret(text: string): Promise<void> {
    this.text = text;
    this.writes++;
  }
  async readText(): Promise<string> {
    return this.text;
  }
  async clear(): Promise<void> {
    this.text = '';
  }
}

export class FakeActivity {
  snapshot: ActivitySnapshot = { idleSeconds: 0, locked: false };
  current(): ActivitySnapshot {
    return { ...this.snapshot };
  }
}

export class RecordingNotifier {
  readonly sent: Notification[] = [];
  notify(n: Notification): void {
    this.sent.push(n);
  }
}

export function tempStateDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-lease-'));
}

/** A keychain service used by this test only, so parallel tests never see each other's entries. */
export function uniqueService(): string {
  return `Keyfob-test:${randomUUID()}`;
}

export interface HarnessOptions {
  /** Leave the simulator's clock alone (child processes use the real clock). */
  realClock?: boolean;
  startTime?: number;
  role?: RoleInput | null;
  requestTimeoutSeconds?: number;
  secretStore?: (real: KeytarSecretStore) => SecretStore;
  coreOptions?: Partial<KeyfobCoreOptions>;
  stateDir?: string;
  service?: string;
  sim?: Simulator;
  /** Skip `connect` (for tests of the unconnected core). */
  connect?: boolean;
  /** Skip `start()` (reconcile tests start cores themselves). */
  start?: boolean;
}

export interface Harness {
  sim: Simulator;
  clock: FakeClock;
  core: KeyfobCoreInstance;
  stateDir: string;
  service: string;
  keychain: KeytarSecretStore;
  settingsStore: SettingsStore;
  clipboard: MemoryClipboard;
  activity: FakeActivity;
  notifier: RecordingNotifier;
  events: LeaseEvent[];
  /** Moves the test clock (and with it the simulator's), letting every timer's work finish in order. */
  advance(ms: number): Promise<void>;
  /** A second core on the same state directory (another process, as far as the ledger is concerned). */
  reopen(opts?: Partial<KeyfobCoreOptions>): KeyfobCoreInstance;
  /** Requests the simulator logged for `path` since the last `sim.clearRequests()`. */
  requests(path: string): number;
  close(): Promise<void>;
}

export async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = new FakeClock(opts.startTime ?? START);
  const sim = opts.sim ?? (await startSimulator({ masterKey: ADMIN_KEY, startTime: clock.now() }));
  if (!opts.realClock) {
    // The server's clock is the test's clock: keys expire on the proxy exactly when the test says so.
    sim.clock.now = () => clock.now();
  }
  const stateDir = opts.stateDir ?? tempStateDir();
  const service = opts.service ?? uniqueService();
  const keychain = new KeytarSecretStore({ service });
  const secretStore = opts.secretStore ? opts.secretStore(keychain) : keychain;
  const settingsStore = openSettingsStore({ stateDir, clock });
  const clipboard = new MemoryClipboard();
  const activity = new FakeActivity();
  const notifier = new RecordingNotifier();
  const events: LeaseEvent[] = [];
  const cores: KeyfobCoreInstance[] = [];

  const make = (extra: Partial<KeyfobCoreOptions> = {}): KeyfobCoreInstance => {
    const core = createKeyfobCore({
      stateDir,
      settingsStore,
      secretStore,
      clock,
      clipboard,
      activity,
      notifier,
      random: () => 0.5, // no jitter: back-off instants are exact
      watchLedger: false,
      ...opts.coreOptions,
      ...extra,
    });
    cores.push(core);
    return core;
  };

  const core = make();
  core.leases.on((e) => events.push(e));
  try {
    if (opts.connect !== false) {
      await core.connect({ url: sim.url, adminKey: ADMIN_KEY });
      core.updateSettings({ request_timeout_seconds: opts.requestTimeoutSeconds ?? 5 });
      if (opts.role !== null) core.saveRole(opts.role ?? { name: 'dev', models: ['gpt-4o'], ttl: '1h', max_ttl: '3h' });
    }
    if (opts.start !== false) await core.start();
  } catch (e) {
    // No harness to close: what it started goes now, or the open simulator keeps the test file from ending (outside
    // `npm test`, without a D-Bus session, the connect above fails on the keychain).
    for (const c of cores) await c.stop().catch(() => undefined);
    if (!opts.sim) await sim.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }

  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      await flush();
      for (const c of cores) await c.leases.settled();
    }
  };

  return {
    sim,
    clock,
    core,
    stateDir,
    service,
    keychain,
    settingsStore,
    clipboard,
    activity,
    notifier,
    events,
    advance: (ms) => clock.advance(ms, settle),
    reopen: (extra) => make(extra),
    requests: (p) => sim.requests.filter((r) => r.path === p).length,
    async close() {
      for (const c of cores) await c.stop();
      await sim.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** What the issued key meets on the proxy: 200, or the status and error type. */
export async function chat(sim: Simulator, key: string): Promise<{ status: number; type: string | null }> {
  const res = await fetch(`${sim.url}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await res.json().catch(() => null)) as { error?: { type?: string } } | null;
  return { status: res.status, type: body?.error?.type ?? null };
}

/** The lease events in order, without the generic 'changed' notices. */
export function eventTypes(events: readonly LeaseEvent[]): string[] {
  return events.filter((e) => e.type !== 'changed').map((e) => e.type);
}

/**
 * The crash-safety invariant: the proxy holds no key the ledger does not know, and the ledger no live lease the proxy
 * lacks. Returns the differences (both empty when it holds).
 */
export function ledgerVersusServer(core: KeyfobCoreInstance, sim: Simulator): { unknownOnServer: string[]; missingOnServer: string[] } {
  core.leases.refresh();
  const leases = core.leases.list({ all: true });
  const known = new Set(leases.filter((l) => l.token_hash).map((l) => l.token_hash as string));
  const knownAliases = new Set(leases.filter((l) => l.state !== 'revoked' && l.state !== 'expired').map((l) => l.key_alias));
  const serverTokens = new Set(sim.keys().map((k) => k.token));
  const unknownOnServer = sim.keys()
    .filter((k) => !known.has(k.token) && !knownAliases.has(k.key_alias ?? ''))
    .map((k) => k.key_alias ?? k.token.slice(0, 8));
  // Live in the ledger: active leases (revoking ones are on their way out and may or may not still exist).
  const missingOnServer = leases
    .filter((l) => l.state === 'active' && (!l.token_hash || !serverTokens.has(l.token_hash)))
    .map((l) => l.key_alias);
  // A key the ledger holds as ended must be gone from the server too.
  const endedButPresent = leases
    .filter((l) => (l.state === 'revoked' || l.state === 'expired') && l.token_hash && serverTokens.has(l.token_hash))
    .map((l) => `${l.key_alias} (ended but still on the server)`);
  return { unknownOnServer: [...unknownOnServer, ...endedButPresent], missingOnServer };
}

/**
 * Moves the test clock past the instant every `pending` lease records for its cleanup: when the /key/generate its
 * (dead) process may have sent has surely ended — the request timeout and a 30 s margin after the entry was written.
 * Child processes write it on the real clock, so the instant is read from the ledger rather than assumed.
 */
export async function advancePastPendingCleanup(h: Harness, core: KeyfobCoreInstance = h.core): Promise<void> {
  const due = [...core.ledger.read().leases.values()]
    .filter((l) => l.state === 'pending' && l.next_attempt_at !== null)
    .map((l) => Date.parse(l.next_attempt_at as string));
  assert.ok(due.length > 0, 'a pending lease is waiting for its cleanup');
  await h.advance(Math.max(0, Math.max(...due) - h.clock.now()) + 1000);
}
