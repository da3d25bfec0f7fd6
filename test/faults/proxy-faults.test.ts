// Issue, renew and revoke, each under every way the proxy can fail (see PROXY_FAULTS): the person is told the cause,
// a restart while the proxy is still down loses nothing, and once the proxy is back every unfinished clean-up and
// revocation completes — the simulator then holds no key Keyfob does not know, and Keyfob no live lease it lacks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyfobError } from '../../main/core/errors.js';
import { advancePastPendingCleanup, chat, harness, ledgerVersusServer } from '../core/leases/helpers.js';
import type { Harness } from '../core/leases/helpers.js';
import { CONSISTENT, PROXY_FAULTS, ROUTE, assertNothingLost, restart } from './support.js';
import type { Operation, ProxyFault } from './support.js';

const MINUTE = 60_000;
/** The first revocation retry (no jitter in the harness). */
const FIRST_RETRY_MS = 5000;

async function rejection(work: Promise<unknown>): Promise<KeyfobError> {
  try {
    await work;
  } catch (e) {
    assert.ok(e instanceof KeyfobError, `a KeyfobError, not ${String(e)}`);
    return e;
  }
  assert.fail('the operation succeeded under the fault');
}

function assertCause(err: { kind: string; message: string }, fault: ProxyFault): void {
  assert.equal(err.kind, fault.kind, err.message);
  assert.match(err.message, fault.cause);
}

const SCENARIOS: Record<Operation, (h: Harness, fault: ProxyFault) => Promise<void>> = {
  async issue(h, fault) {
    const rotated = fault.inject(h.sim);
    const err = await rejection(h.core.leases.issue('dev'));
    assertCause(err, fault);
    assert.match(err.message, fault.ambiguous ? /^Issuing a key for role "dev" failed( after \d+ s)?: / : /./);
    if (fault.ambiguous) {
      // The proxy may have created the key and is still failing: the lease stays pending until it can be deleted.
      assert.match(err.message, /may have created the key "keyfob-dev-[0-9a-f]{8}"; Keyfob will delete it as soon as the proxy answers/);
      assert.equal(h.core.leases.list()[0]?.state, 'pending');
    } else {
      assert.equal(h.requests('/key/delete'), 0, 'a definite rejection needs no clean-up');
      assert.equal(h.core.leases.list({ all: true }).length, 0);
    }
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), CONSISTENT, 'even while the proxy is down');

    const { core, report } = await restart(h);
    assert.equal(report.still_revoking, fault.ambiguous ? 1 : 0, JSON.stringify(report));
    await fault.heal(h, core, rotated);
    // After a timeout the generate may still be under way: "none found" settles it only once it has surely ended.
    if (fault.kind === 'timeout') await advancePastPendingCleanup(h, core);
    else await h.advance(FIRST_RETRY_MS);
    assertNothingLost(core, h.sim);
    assert.equal(core.leases.list({ all: true }).length, 0, 'the unfinished issue is gone, not kept as a lease');

    const again = await core.leases.issue('dev');
    assert.equal((await chat(h.sim, again.key)).status, 200, 'issuing works again');
    assertNothingLost(core, h.sim);
  },

  async renew(h, fault) {
    const { lease, key } = await h.core.leases.issue('dev');
    await h.advance(10 * MINUTE);
    const rotated = fault.inject(h.sim);
    const err = await rejection(h.core.leases.renew(lease.lease_id));
    assertCause(err, fault);
    const kept = h.core.leases.get(lease.lease_id);
    assert.equal(kept.state, 'active', 'a failed renewal leaves the lease as it was');
    assert.equal(kept.expires_at, lease.expires_at);

    const { core, report } = await restart(h);
    assert.equal(report.resumed, 1, JSON.stringify(report));
    await fault.heal(h, core, rotated);
    const renewed = await core.leases.renew(lease.lease_id);
    assert.ok(Date.parse(renewed.expires_at as string) > Date.parse(lease.expires_at as string), 'renewing works again');
    assert.equal((await chat(h.sim, key)).status, 200);
    assertNothingLost(core, h.sim);
  },

  async revoke(h, fault) {
    const { lease, key } = await h.core.leases.issue('dev');
    const rotated = fault.inject(h.sim);
    const after = await h.core.leases.revoke(lease.lease_id);
    assert.equal(after.state, 'revoking', 'a failed revocation is kept, to be retried');
    assert.ok(after.last_error, 'the lease says why');
    assertCause(after.last_error, fault);
    const told = h.notifier.sent.at(-1);
    assert.equal(told?.title, 'Revoking a key failed');
    assert.ok(told?.body.includes(lease.key_alias) && told.body.includes('Keyfob will keep retrying'), told?.body);
    assert.match(told?.body ?? '', fault.cause);

    const { core, report } = await restart(h);
    assert.equal(report.still_revoking, 1, JSON.stringify(report));
    assert.deepEqual(ledgerVersusServer(core, h.sim), CONSISTENT);
    await fault.heal(h, core, rotated);
    await h.advance(FIRST_RETRY_MS);
    assert.equal(core.leases.get(lease.lease_id).state, 'revoked', 'the pending revocation completed');
    assert.equal((await chat(h.sim, key)).status, 401, 'the key no longer works');
    assertNothingLost(core, h.sim);
  },
};

for (const fault of PROXY_FAULTS) {
  describe(`proxy fault: ${fault.name}`, { concurrency: true }, () => {
    for (const op of Object.keys(SCENARIOS) as Operation[]) {
      test(`${op} (${ROUTE[op]}): the cause is named; a restart loses nothing; it completes when the proxy is back`, async () => {
        const h = await harness({ requestTimeoutSeconds: 1 });
        try {
          await SCENARIOS[op](h, fault);
        } finally {
          await h.close();
        }
      });
    }
  });
}
