// Issue 21, major 3: `leases.json` is a plain file any process of the person can edit, and the key it names is deleted
// with the admin credential. Reproduced as reported: an entry naming another key's token hash (state `revoking`) and
// one naming another key's alias (state `pending`) made the next command delete `production-payments` and
// `production-search`. Now each entry is sealed (leases/ledger-seal.ts): an entry whose seal does not hold is
// quarantined and named, and nothing is deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { harness } from '../core/leases/helpers.js';
import type { Harness } from '../core/leases/helpers.js';
import { ledgerLease } from '../support/lease-builder.js';
import type { Lease } from '../../main/core/types.js';

interface LedgerFile { format_version: number; leases: Record<string, Lease> }

function editLedger(h: Harness, edit: (doc: LedgerFile) => void): void {
  const file = path.join(h.stateDir, 'leases.json');
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as LedgerFile;
  edit(doc);
  fs.writeFileSync(file, JSON.stringify(doc));
}

/** Two keys Keyfob never issued, and ledger entries aimed at them, written by another process. */
function plantEntries(h: Harness): { payments: string; search: string; ids: string[] } {
  const payments = h.sim.addKey({ key_alias: 'production-payments' });
  h.sim.addKey({ key_alias: 'production-search' });
  const due = new Date(h.clock.now() - 60_000).toISOString();
  const byHash = ledgerLease({
    lease_id: randomUUID(), key_alias: 'production-payments', token_hash: payments.token, state: 'revoking',
    ended_reason: 'revoked by person', next_attempt_at: due, expires_at: new Date(h.clock.now() + 3600_000).toISOString(),
  });
  const byAlias = ledgerLease({ lease_id: randomUUID(), key_alias: 'production-search', token_hash: null, state: 'pending', next_attempt_at: due });
  editLedger(h, (doc) => {
    doc.leases[byHash.lease_id] = byHash;
    doc.leases[byAlias.lease_id] = byAlias;
  });
  return { payments: 'production-payments', search: 'production-search', ids: [byHash.lease_id, byAlias.lease_id] };
}

test('a tampered ledger cannot aim the admin key: the next command deletes nothing, quarantines both entries and names them', async () => {
  const h = await harness();
  try {
    await h.core.leases.issue('dev'); // an install that has issued: its sealing key exists
    await h.core.stop();
    const planted = plantEntries(h);
    const deletes = h.requests('/key/delete');

    const next = h.reopen();
    await next.start();
    await next.leases.revokeAll(); // a person's `lease revoke --all` afterwards: still nothing of theirs is touched
    const aliases = h.sim.keys().map((k) => k.key_alias);
    assert.ok(aliases.includes(planted.payments), 'production-payments is still live');
    assert.ok(aliases.includes(planted.search), 'production-search is still live');
    assert.equal(h.requests('/key/delete') - deletes, 1, "only Keyfob's own dev key was deleted");

    const notices = next.takeNotices().filter((n) => n.kind === 'quarantined');
    for (const id of planted.ids) {
      assert.ok(notices.some((n) => n.text.includes(id)), `the notice names ${id}`);
      const lease = next.leases.get(id);
      assert.equal(lease.state, 'irrevocable');
      assert.equal(lease.quarantined, true);
    }
    await next.stop();
  } finally {
    await h.close();
  }
});

test('downgrade: stripping a seal or lowering the format version does not make an entry trusted again', async () => {
  const h = await harness();
  try {
    const { lease } = await h.core.leases.issue('dev');
    await h.core.stop();
    const payments = h.sim.addKey({ key_alias: 'production-payments' });
    // Re-aim Keyfob's own, sealed entry at another key, drop its seal, and claim an older ledger format.
    editLedger(h, (doc) => {
      doc.format_version = 1;
      const entry = doc.leases[lease.lease_id] as unknown as Record<string, unknown>;
      entry.token_hash = payments.token;
      entry.state = 'revoking';
      delete entry.seal;
      delete entry.backend;
      delete entry.backend_ref;
    });
    const next = h.reopen();
    await next.start();
    assert.ok(h.sim.keys().some((k) => k.key_alias === 'production-payments'), 'not deleted');
    assert.equal(next.leases.get(lease.lease_id).quarantined, true);
    await next.stop();
  } finally {
    await h.close();
  }
});

test('a ledger written before sealing is trusted once: its entries are sealed when the sealing key is created, and still revoked as before', async () => {
  const h = await harness();
  try {
    const { lease } = await h.core.leases.issue('dev');
    await h.core.stop();
    // As if written by a Keyfob from before sealing: no seal, and no sealing key in the keychain.
    editLedger(h, (doc) => {
      delete (doc.leases[lease.lease_id] as Lease & { seal?: string }).seal;
    });
    await h.keychain.delete('ledger-seal');
    const next = h.reopen();
    await next.start();
    await next.leases.issue('dev'); // creates the sealing key: the older entry is sealed as it is
    const onDisk = JSON.parse(fs.readFileSync(path.join(h.stateDir, 'leases.json'), 'utf8')) as LedgerFile;
    assert.match(onDisk.leases[lease.lease_id]?.seal ?? '', /^v1:[0-9a-f]{64}$/);
    await next.leases.revoke(lease.lease_id);
    assert.equal(next.leases.get(lease.lease_id).state, 'revoked');
    assert.ok(!h.sim.keys().some((k) => k.token === lease.token_hash), 'its key is deleted');
    await next.stop();
  } finally {
    await h.close();
  }
});
