// Several Keyfob processes (the app and CLIs) issuing and revoking at once on one state directory: afterwards the
// ledger and the proxy agree, no lease is lost or duplicated, and a running process sees what the others added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LeaseEvent } from '../../../main/core/types.js';
import { harness, ledgerVersusServer } from './helpers.js';
import { runWorker } from './workers.js';

test('four processes issuing and revoking at once: nothing lost, nothing duplicated, ledger and proxy agree', async () => {
  const h = await harness({ startTime: Date.now() });
  try {
    // The "app": started, watching the ledger for the others' changes.
    const app = h.reopen({ watchLedger: true });
    await app.start();
    const seen: LeaseEvent[] = [];
    app.leases.on((e) => seen.push(e));

    const workers = Array.from({ length: 4 }, () =>
      runWorker(h, {
        start: true, // each reconciles at start while the others are issuing: their pending leases must survive it
        steps: [
          { op: 'issue', role: 'dev' },
          { op: 'issue', role: 'dev' },
          { op: 'revoke', index: 0 },
          { op: 'issue', role: 'dev' },
        ],
      }),
    );
    const exits = await Promise.all(workers.map((w) => w.exited));
    assert.deepEqual(exits.map((e) => e.code), [0, 0, 0, 0], JSON.stringify(workers.map((w) => w.lines)));

    const issued = workers.flatMap((w) => w.lines.filter((l) => l.issued).map((l) => l.issued as string));
    const revoked = new Set(workers.flatMap((w) => w.lines.filter((l) => l.revoked).map((l) => l.revoked as string)));
    assert.equal(issued.length, 12);
    assert.equal(new Set(issued).size, 12);
    assert.equal(revoked.size, 4);

    app.leases.refresh();
    const all = app.leases.list({ all: true });
    assert.equal(all.length, 12, 'every lease is in the ledger exactly once');
    for (const lease of all) {
      assert.ok(issued.includes(lease.lease_id), 'issued.includes(lease.lease_id) is set');
      assert.equal(lease.state, revoked.has(lease.lease_id) ? 'revoked' : 'active');
    }
    const activeTokens = all.filter((l) => l.state === 'active').map((l) => l.token_hash).sort();
    assert.deepEqual(h.sim.keys().map((k) => k.token).sort(), activeTokens, 'the proxy holds exactly the active leases');
    assert.deepEqual(ledgerVersusServer(app, h.sim), { unknownOnServer: [], missingOnServer: [] });
    assert.ok(seen.some((e) => e.type === 'changed'), 'the running app was told the ledger changed');
    assert.equal(app.leases.list().length, 8, 'the app sees the leases the other processes added');
    for (const lease of all.filter((l) => l.state === 'active')) {
      assert.match((await h.keychain.get(`lease:${lease.lease_id}`)) ?? '', /^sk-/);
    }
  } finally {
    await h.close();
  }
});
