// What every fault test shares: the proxy faults as a table, the three operations as a table, and the checks that
// prove nothing was lost — the simulator holds no key Keyfob does not know, Keyfob no live lease the server lacks,
// and nothing is left half done (pending or revoking) once the proxy is back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ReconcileReport } from '../../main/core/core-api.js';
import type { ErrorKind } from '../../main/core/errors.js';
import type { KeyfobCoreInstance } from '../../main/core/keyfob-core.js';
import type { LeaseView } from '../../main/core/types.js';
import type { Simulator } from '../sim/index.js';
import { ledgerVersusServer } from '../core/leases/helpers.js';
import type { Harness } from '../core/leases/helpers.js';

export type Operation = 'issue' | 'renew' | 'revoke';

export const ROUTE: Record<Operation, string> = { issue: '/key/generate', renew: '/key/update', revoke: '/key/delete' };

/** A proxy that misbehaves until `heal`: on every key route, not just on the first call (so clean-ups fail too). */
export interface ProxyFault {
  name: string;
  /** Starts the fault. Returns what `heal` needs (a rotated key). */
  inject(sim: Simulator): string | null;
  /** The proxy comes back (or, for a rotated key, the person connects with the new one). */
  heal(h: Harness, core: KeyfobCoreInstance, state: string | null): Promise<void>;
  /** What the person is told: the kind, and words of the message that name the cause. */
  kind: ErrorKind;
  cause: RegExp;
  /** The request may have been carried out (Keyfob cannot know): a clean-up is needed. */
  ambiguous: boolean;
}

export const PROXY_FAULTS: readonly ProxyFault[] = [
  {
    name: 'HTTP 500 with the JSON envelope',
    inject: (sim) => {
      sim.fault('*', { kind: 'fail', status: 500, count: Infinity });
      return null;
    },
    heal: async (h) => h.sim.clearFaults(),
    kind: 'server-error',
    cause: /\(500\): Simulated failure/,
    ambiguous: true,
  },
  {
    name: 'HTTP 500 as text/plain',
    inject: (sim) => {
      sim.fault('*', { kind: 'fail', status: 500, count: Infinity, contentType: 'text' });
      return null;
    },
    heal: async (h) => h.sim.clearFaults(),
    kind: 'server-error',
    cause: /\(500\): Internal Server Error/,
    ambiguous: true,
  },
  {
    name: 'connection reset (after the proxy did the work)',
    inject: (sim) => {
      sim.fault('*', { kind: 'reset', count: Infinity, afterProcessing: true });
      return null;
    },
    heal: async (h) => h.sim.clearFaults(),
    kind: 'unreachable',
    cause: /connection .* was reset/,
    ambiguous: true,
  },
  {
    name: 'a hang past the request timeout',
    inject: (sim) => {
      sim.fault('*', { kind: 'hang', count: Infinity });
      return null;
    },
    heal: async (h) => h.sim.clearFaults(),
    kind: 'timeout',
    cause: /did not answer within 1 s/,
    ambiguous: true,
  },
  {
    name: '401: the admin key was rotated on the proxy',
    inject: (sim) => {
      const rotated = `sk-rotated-${randomBytes(8).toString('hex')}`;
      sim.masterKey = rotated;
      return rotated;
    },
    // The person connects again with the new key: nothing else changes.
    heal: async (h, core, rotated) => core.connect({ url: h.sim.url, adminKey: rotated as string }),
    kind: 'admin-key-rejected',
    cause: /rejected the admin key \(401\)/,
    ambiguous: false,
  },
  {
    name: 'the proxy lost its database',
    inject: (sim) => {
      sim.databaseConnected = false;
      return null;
    },
    heal: async (h) => {
      h.sim.databaseConnected = true;
    },
    kind: 'no-database',
    cause: /without a database/,
    ambiguous: false,
  },
];

export const CONSISTENT = { unknownOnServer: [], missingOnServer: [] };

/** Leases still waiting for the proxy: an unfinished issue, an unfinished revocation, a given-up one. */
export function unfinished(core: KeyfobCoreInstance): LeaseView[] {
  return core.leases.list({ all: true }).filter((l) => l.state === 'pending' || l.state === 'revoking' || l.state === 'irrevocable');
}

/** The end state of every fault test, once the proxy is back: both sides agree and nothing waits. */
export function assertNothingLost(core: KeyfobCoreInstance, sim: Simulator): void {
  assert.deepEqual(ledgerVersusServer(core, sim), CONSISTENT);
  assert.deepEqual(unfinished(core).map((l) => `${l.key_alias}: ${l.state}`), []);
  const active = new Set(core.leases.list().filter((l) => l.state === 'active').map((l) => l.token_hash));
  assert.deepEqual(sim.keys().filter((k) => !active.has(k.token)).map((k) => k.key_alias), [], 'the proxy holds only live leases');
}

/** A restart: the old core stops (its process ends), a new one opens the same state directory and reconciles. */
export async function restart(h: Harness, old: KeyfobCoreInstance = h.core): Promise<{ core: KeyfobCoreInstance; report: ReconcileReport }> {
  await old.stop();
  const core = h.reopen();
  const report = await core.start();
  return { core, report };
}
