// Revocations that cannot go ahead right now, and what is said about them (issue 12, minors): a locked keychain
// never makes a lease "irrevocable" without a request sent, and only the keychain clean-up is retried; a lease that
// another live Keyfob process is issuing is waited for (bounded) and then revoked, or reported as what it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyfobError } from '../../../main/core/errors.js';
import type { SecretAccount, SecretStore } from '../../../main/core/ports.js';
import type { RevokeSummary } from '../../../main/core/core-api.js';
import { harness } from './helpers.js';
import type { Harness } from './helpers.js';
import { runWorker } from './workers.js';

/** The real keychain, with a lock the test turns (gnome-keyring's own lock needs a prompt to undo). */
class LockableStore implements SecretStore {
  locked = false;
  constructor(private readonly real: SecretStore) {}
  get backend(): string {
    return this.real.backend;
  }
  get sessionOnly(): boolean {
    return this.real.sessionOnly;
  }
  private check(): void {
    if (this.locked) throw new KeyfobError('keychain-locked', 'The keychain is locked.', { hint: 'Unlock your login keyring.' });
  }
  async get(account: SecretAccount): Promise<string | null> {
    this.check();
    return this.real.get(account);
  }
  async set(account: SecretAccount, secret: string): Promise<void> {
    this.check();
    return this.real.set(account, secret);
  }
  async delete(account: SecretAccount): Promise<boolean> {
    this.check();
    return this.real.delete(account);
  }
}

test('a locked keychain before the admin key was read: the revocation waits, never "irrevocable" with nothing sent', async () => {
  let store: LockableStore | undefined;
  const h = await harness({ secretStore: (real) => (store = new LockableStore(real)) });
  try {
    const { lease } = await h.core.leases.issue('dev');
    await h.core.stop();
    const lockable = store as LockableStore;
    lockable.locked = true;
    const core = h.reopen(); // a new process: the admin key is in the locked keychain
    await core.start();
    for (let i = 0; i < 10; i++) await core.leases.revoke(lease.lease_id);
    const waiting = core.leases.get(lease.lease_id);
    assert.equal(h.requests('/key/delete'), 0, 'the proxy could not be asked without the admin key');
    assert.equal(waiting.state, 'revoking', 'before the fix: irrevocable after 8 attempts that never reached the proxy');
    assert.equal(waiting.revoke_attempts, 0);
    assert.equal(waiting.last_error?.kind, 'keychain-locked');
    assert.equal(h.core.auditLog(50).filter((e) => e.outcome === 'failed' && e.lease_id === lease.lease_id).length, 1, 'said once');

    lockable.locked = false;
    await h.advance(30_000);
    assert.equal(core.leases.get(lease.lease_id).state, 'revoked', 'revoked once the keychain is open');
    assert.equal(h.sim.keys().length, 0);
  } finally {
    await h.close();
  }
});

test('a keychain locked after the admin key was read: revoked on the proxy; only the keychain clean-up is retried', async () => {
  let store: LockableStore | undefined;
  const h = await harness({ secretStore: (real) => (store = new LockableStore(real)) });
  try {
    const { lease } = await h.core.leases.issue('dev');
    const lockable = store as LockableStore;
    lockable.locked = true;
    const revoked = await h.core.leases.revoke(lease.lease_id);
    assert.equal(revoked.state, 'revoked', 'revocation needs the token hash, not the keychain');
    assert.equal(h.sim.keys().length, 0);
    assert.equal(revoked.secret_left, true);
    lockable.locked = false;
    assert.match((await h.keychain.get(`lease:${lease.lease_id}`)) ?? '', /^sk-/, 'the secret is still there');

    // The next Keyfob process removes it (before the fix nobody ever did).
    await h.core.stop();
    const next = h.reopen();
    await next.start();
    assert.equal(await h.keychain.get(`lease:${lease.lease_id}`), null);
    assert.equal(next.leases.get(lease.lease_id).secret_left, undefined);
  } finally {
    await h.close();
  }
});

/** Runs `revoking` to its end, moving the test clock (the wait polls on it) while the other process works in real time. */
async function drive(h: Harness, revoking: Promise<RevokeSummary>, onTick: (tick: number) => void | Promise<void> = () => undefined): Promise<RevokeSummary> {
  let done: RevokeSummary | undefined;
  void revoking.then((s) => (done = s));
  for (let tick = 0; done === undefined && tick < 500; tick++) {
    await onTick(tick);
    await h.clock.advance(200);
    await new Promise((resolve) => setTimeout(resolve, 10)); // let the other process and the proxy move on
  }
  return revoking;
}

test('revoking a role while another Keyfob process is issuing one of its keys: waits for it, then revokes it', async () => {
  const h = await harness({ startTime: Date.now() });
  try {
    const held = h.sim.hold('/key/generate');
    const worker = runWorker(h, { start: false, steps: [{ op: 'issue', role: 'dev' }] });
    const hold = await held;
    const summary = await drive(h, h.core.leases.revokeRole('dev'), (tick) => {
      // The other process finishes its issue while we wait. The test clock stands still until it has: on a busy
      // machine its real-time work could otherwise outlast the wait on the test clock (a flake, not a finding).
      if (tick === 5) {
        hold.release();
        return worker.exited.then(() => undefined);
      }
    });
    assert.deepEqual({ revoked: summary.revoked, failed: summary.failed, left: summary.left.length }, { revoked: 1, failed: 0, left: 0 },
      'before the fix: 0 revoked, the lease left "not confirmed by the proxy" with no request sent');
    assert.equal((await worker.exited).code, 0);
    assert.equal(h.sim.keys().length, 0);
    h.core.leases.refresh();
    assert.deepEqual(h.core.leases.list().map((l) => l.state), []);
  } finally {
    await h.close();
  }
});

test('another process still issuing when the wait ends: the lease is reported as being issued by it, not as a failure', async () => {
  const h = await harness({ startTime: Date.now() });
  try {
    const held = h.sim.hold('/key/generate');
    const worker = runWorker(h, { start: false, steps: [{ op: 'issue', role: 'dev' }] });
    const hold = await held;
    const summary = await drive(h, h.core.leases.revokeRole('dev'));
    assert.equal(summary.failed, 0);
    assert.equal(summary.left.length, 1);
    assert.match(summary.left[0]?.wait_reason ?? '', new RegExp(`another Keyfob process \\(pid ${worker.child.pid}\\) is issuing it`));
    assert.equal(h.requests('/key/delete'), 0);
    hold.release();
    assert.equal((await worker.exited).code, 0);
    assert.equal((await h.core.leases.revokeRole('dev')).revoked, 1, 'once it is done, it is revoked at once');
    assert.equal(h.sim.keys().length, 0);
  } finally {
    await h.close();
  }
});
