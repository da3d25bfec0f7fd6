// An entry whose seal does not hold (ledger-seal.ts) was changed outside Keyfob: it may name a key Keyfob never
// issued. It is quarantined — kept `irrevocable`, never acted on again, and named to the person — instead of being
// revoked, renewed, swept or forgotten.
import { iso, ids } from './lease-terms.js';
import type { LeaseContext } from './lease-context.js';
import type { LedgerWrite } from './ledger-write-batch.js';
import type { Lease } from '../types.js';

export const QUARANTINED = 'its ledger entry failed the seal check (changed outside Keyfob): Keyfob will not touch the key it names';

export async function quarantine(ctx: LeaseContext, lease: Lease, write: LedgerWrite = (change) => ctx.update(change)): Promise<void> {
  const now = ctx.now();
  await write((d) => {
    const current = d.get(lease.lease_id) ?? lease;
    d.put({ ...current, state: 'irrevocable', quarantined: true, ended_reason: QUARANTINED, ended_at: current.ended_at ?? iso(now), next_attempt_at: null });
    d.setClaim(lease.lease_id, null);
  });
  ctx.state.earlySweeps.delete(lease.lease_id);
  ctx.record({ action: 'revoke', outcome: 'failed', ...ids(lease), detail: 'quarantined: the ledger entry failed its seal check' });
  const what = lease.token_hash ? `the key with token hash ${lease.token_hash.slice(0, 12)}…` : `the key alias "${lease.key_alias}"`;
  ctx.state.addNotice({
    kind: 'quarantined',
    text: `Lease ${lease.lease_id} in the ledger names ${what}, but its entry failed the seal check: it was changed outside ` +
      `Keyfob. Keyfob did not touch that key and keeps the entry aside; check ${ctx.deps.ledger.path} and what can write to it.`,
    count: 1,
  });
  ctx.emit({ type: 'changed' });
}
