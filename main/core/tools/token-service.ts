// The slow path of `keyfob token` / `keyfob env` (and of the app's "Use with…" actions): through the lease manager,
// under a cross-process token lock, so that concurrent helpers share one lease — eight tools asking at once with no
// live lease make exactly one `/key/generate`, whichever processes (CLI, app) they run in.
import path from 'node:path';
import { KeyfobError, isKeyfobError } from '../errors.js';
import type { KeyfobCore } from '../core-api.js';
import type { LeaseView } from '../types.js';
import { decideToken, enoughLeft, leftMs, liveLeasesOf, minLeftMs } from './token-policy.js';
import { pruneToolAsks, recordToolAsk } from './tool-asks.js';
import type { AskedVia } from './tool-asks.js';

/** Held across one renew or issue request; one per state directory. */
export const TOKEN_LOCK_FILE = 'token.lock';

export interface ObtainTokenInput {
  core: KeyfobCore;
  stateDir: string;
  role: string;
  /** `--min-left` in seconds. */
  minLeftSeconds?: number;
  /** Milliseconds since the epoch (the caller's clock). */
  now: () => number;
  via?: AskedVia;
  /**
   * The due recovery work (an interrupted issue to delete, a revocation to retry), run once when no live lease can
   * be reused and a request is needed — never before answering a live lease. The caller bounds it in time.
   */
  recover?: () => Promise<void>;
}

export interface ObtainedToken {
  key: string;
  lease: LeaseView;
  /** What it took: nothing (a live lease), a renewal, or a new lease. */
  action: 'used' | 'renewed' | 'issued';
}

/**
 * A live key of the role: reuse, renew or issue, as decideToken says. First without the lock (another process may
 * have issued meanwhile); a request is only ever made while holding the token lock, after reading the ledger again.
 */
export async function obtainToken(input: ObtainTokenInput): Promise<ObtainedToken> {
  const { core } = input;
  const role = core.getRole(input.role).name;
  const missingKeys = new Set<string>();

  const reuse = await tryReuse(input, role, missingKeys);
  if (reuse) return done(input, reuse);
  if (input.recover) {
    await input.recover();
    core.leases.refresh();
  }

  const timeoutMs = core.getSettings().request_timeout_seconds * 1000;
  // Loaded here: the settings group pulls in conf, which the hot path must not pay for.
  const { StateLock } = await import('../settings/index.js');
  const lock = new StateLock({
    path: path.join(input.stateDir, TOKEN_LOCK_FILE),
    // Held across one request (plus a renewal's fallback issue): a holder seen that long is taken over.
    staleMs: 2 * timeoutMs + 30_000,
    // A tool waits on this call: a holder that does not finish (a process stopped with SIGSTOP) is waited for about
    // one request, then a live lease is answered if there is one.
    timeoutMs: timeoutMs + LOCK_WAIT_SLACK_MS,
  });
  let entered = false;
  try {
    return done(input, await lock.withLock(() => {
      entered = true;
      return underLock(input, role, missingKeys);
    }));
  } catch (e) {
    if (entered) throw e;
    core.leases.refresh();
    const live = await anyLiveKey(input, role, missingKeys);
    if (live) return done(input, live);
    throw new KeyfobError('state-unavailable', `Another Keyfob process has held ${TOKEN_LOCK_FILE} for over ${Math.round((timeoutMs + LOCK_WAIT_SLACK_MS) / 1000)} s without finishing, and no live key of role "${role}" is left to hand out.`, {
      hint: `If that process is stopped (kill -STOP), continue or end it; if none runs, delete ${path.join(input.stateDir, TOKEN_LOCK_FILE)}.`,
      cause: e,
    });
  }
}

/** Beyond the request timeout, how long a helper waits for another holder of the token lock. */
const LOCK_WAIT_SLACK_MS = 5000;

/** Any unexpired shared lease of the role whose key the keychain holds, the longest-lived first. */
async function anyLiveKey(input: ObtainTokenInput, role: string, missingKeys: Set<string>): Promise<ObtainedToken | null> {
  for (const lease of liveLeasesOf({ leases: input.core.leases.list(), role, now: input.now(), skip: missingKeys })) {
    const key = await keyOf(input.core, lease.lease_id, missingKeys);
    if (key) return { key, lease: input.core.leases.get(lease.lease_id), action: 'used' };
  }
  return null;
}

async function underLock(input: ObtainTokenInput, role: string, missingKeys: Set<string>): Promise<ObtainedToken> {
  const { core } = input;
  const renewFailed = new Set<string>();
  for (;;) {
    let decision = decideToken({ leases: core.leases.list(), role, now: input.now(), skip: missingKeys, ...minLeft(input) });
    if (decision.action === 'renew' && renewFailed.has(decision.lease.lease_id)) {
      // Refused a renewal already (at its cap): use it while it has enough left, else a new lease.
      decision = enoughLeft(decision.lease, input.now(), input.minLeftSeconds) ? { action: 'use', lease: decision.lease } : { action: 'issue' };
    }
    if (decision.action === 'use') {
      const key = await keyOf(core, decision.lease.lease_id, missingKeys);
      if (key) return { key, lease: core.leases.get(decision.lease.lease_id), action: 'used' };
      continue;
    }
    if (decision.action === 'renew') {
      const lease = decision.lease;
      let renewed: LeaseView;
      try {
        renewed = await core.leases.renew(lease.lease_id, undefined, { by: 'helper' });
      } catch (e) {
        if (isKeyfobError(e) && (e.kind === 'not-found' || e.kind === 'not-renewable' || e.kind === 'lease-not-found')) {
          renewFailed.add(lease.lease_id); // gone (now ended in the ledger) or capped: decide again
          continue;
        }
        // The proxy did not answer: a key that still has enough left is better than none.
        if (leftMs(lease, input.now()) >= minLeftMs(lease.ttl_seconds, input.minLeftSeconds)) {
          const key = await keyOf(core, lease.lease_id, missingKeys);
          if (key) return { key, lease: core.leases.get(lease.lease_id), action: 'used' };
        }
        throw e;
      }
      if (enoughLeft(renewed, input.now(), input.minLeftSeconds)) {
        const key = await keyOf(core, renewed.lease_id, missingKeys);
        if (key) return { key, lease: renewed, action: 'renewed' };
        continue;
      }
      renewFailed.add(lease.lease_id);
      // Capped at its max TTL with too little left: fall through to a new lease.
    }
    const issued = await core.leases.issue(role);
    return { key: issued.key, lease: issued.lease, action: 'issued' };
  }
}

async function tryReuse(input: ObtainTokenInput, role: string, missingKeys: Set<string>): Promise<ObtainedToken | null> {
  for (;;) {
    const decision = decideToken({ leases: input.core.leases.list(), role, now: input.now(), skip: missingKeys, ...minLeft(input) });
    if (decision.action !== 'use') return null;
    const key = await keyOf(input.core, decision.lease.lease_id, missingKeys);
    if (key) return { key, lease: input.core.leases.get(decision.lease.lease_id), action: 'used' };
  }
}

/** The lease's key; null (and remembered) when the keychain no longer holds it. Keychain failures are thrown. */
async function keyOf(core: KeyfobCore, leaseId: string, missingKeys: Set<string>): Promise<string | null> {
  try {
    return await core.leases.revealKey(leaseId);
  } catch (e) {
    if (e instanceof KeyfobError && e.kind === 'lease-not-found') {
      missingKeys.add(leaseId);
      return null;
    }
    throw e;
  }
}

function minLeft(input: ObtainTokenInput): { minLeftSeconds?: number } {
  return input.minLeftSeconds === undefined ? {} : { minLeftSeconds: input.minLeftSeconds };
}

function done(input: ObtainTokenInput, token: ObtainedToken): ObtainedToken {
  recordToolAsk(input.stateDir, { lease_id: token.lease.lease_id, role: token.lease.role, last_asked_at: new Date(input.now()).toISOString(), via: input.via ?? 'token' });
  if (token.action !== 'used') pruneToolAsks(input.stateDir, new Set(input.core.leases.list().map((l) => l.lease_id)));
  return token;
}
