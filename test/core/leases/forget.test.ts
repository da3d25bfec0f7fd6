// Forgetting a lease whose revocation keeps failing: refused while its key is live on the proxy, allowed once the
// key has expired there (the proxy enforces `expires`), after which Keyfob sends no more deletes for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyfobError } from '../../../main/core/errors.js';
import { FORGOTTEN } from '../../../main/core/leases/forget.js';
import { leaseAccount } from '../../../main/core/keychain/index.js';
import { chat, harness } from './helpers.js';

test('forget: refused while the key is live, then the expired-not-deleted lease ends and nothing more is sent', async () => {
  const h = await harness({ role: { name: 'dev', ttl: '10m', max_ttl: '1h' } });
  try {
    const { lease, key } = await h.core.leases.issue('dev');
    h.sim.fault('/key/delete', { kind: 'fail', status: 502, count: Infinity });
    const failing = await h.core.leases.revoke(lease.lease_id);
    assert.equal(failing.state, 'revoking');

    await assert.rejects(h.core.leases.forget(lease.lease_id), (e: KeyfobError) => e.kind === 'invalid' && /key is live on the proxy until/.test(e.message));
    assert.equal(h.core.leases.get(lease.lease_id).state, 'revoking', 'a refused forget changes nothing');
    assert.equal((await chat(h.sim, key)).status, 200, 'the key still works: forgetting now would leave it behind');

    await h.advance(11 * 60_000); // past its expiry: the proxy refuses the key by itself
    assert.notEqual((await chat(h.sim, key)).status, 200);
    const forgotten = await h.core.leases.forget(lease.lease_id);
    assert.equal(forgotten.state, 'expired');
    assert.equal(forgotten.ended_reason, FORGOTTEN);
    assert.equal(await h.keychain.get(leaseAccount(lease.lease_id)), null, 'its secret is gone from the keychain');
    assert.equal(h.core.leases.list().length, 0, 'no longer live');

    h.sim.clearRequests();
    await h.advance(60 * 60_000);
    assert.equal(h.requests('/key/delete'), 0, 'no more retries');
    assert.equal(h.core.auditLog(1)[0]?.detail?.startsWith(FORGOTTEN), true);
  } finally {
    await h.close();
  }
});

test('forget: only a failed revocation can be forgotten', async () => {
  const h = await harness();
  try {
    const { lease } = await h.core.leases.issue('dev');
    await assert.rejects(h.core.leases.forget(lease.lease_id), (e: KeyfobError) => e.kind === 'invalid' && /it is active/.test(e.message));
    assert.equal(h.core.leases.get(lease.lease_id).state, 'active');
  } finally {
    await h.close();
  }
});
