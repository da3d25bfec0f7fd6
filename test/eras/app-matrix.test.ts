// The lease suite's app pass in every era: the real composition root (main/app.ts) on the fake Electron, through its
// IPC handlers — connect, issue, renew, revoke all — and quit leaves nothing on the proxy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boot, connectAndCreateRoles, createEnv, ok } from '../app/harness.js';
import { ERAS } from '../sim/index.js';

for (const era of ERAS) {
  test(`era ${era}: the app issues, renews and revokes; the snapshot shows the server's expiry`, async (t) => {
    const env = await createEnv(t, { era });
    const running = await boot(env);
    await connectAndCreateRoles(running, env);
    const lease = ok(await running.handlers.issue('dev'));
    const row = env.sim.keys().find((k) => k.token === lease.token_hash);
    assert.ok(row, 'row is set');
    assert.equal(lease.expires_at, new Date(Date.parse(row.expires ?? '')).toISOString());
    assert.equal(lease.expires_at, new Date(env.clock.now() + 15 * 60_000).toISOString(), 'the role ttl, in every era');
    ok(await running.handlers.renew(lease.lease_id));
    ok(await running.handlers.revokeAll());
    await running.settled();
    assert.deepEqual(env.sim.liveKeys(), []);
  });
}
