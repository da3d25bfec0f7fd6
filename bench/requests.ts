// Requests per operation, counted where they arrive: at the simulator. Issue, renew and revoke are one admin call
// each; copying a live key (the tray's one click, and a lease's Copy button) is none — it comes from the keychain.
import { harness } from '../test/core/leases/helpers.js';
import { requestRow, type BenchContext, type Row, type Section } from './lib/report.js';

export const requestsSection: Section = {
  name: 'requests per operation',
  async run(ctx: BenchContext): Promise<Row[]> {
    const h = await harness({ secretStore: (real) => ctx.keychain.choose(real) });
    try {
      const counted = async (work: () => Promise<unknown>): Promise<string[]> => {
        const before = h.sim.requests.length;
        await work();
        return h.sim.requests.slice(before).map((r) => `${r.method} ${r.path}`);
      };
      let leaseId = '';
      let key = '';
      const issue = await counted(async () => {
        const issued = await h.core.leases.issue('dev');
        leaseId = issued.lease.lease_id;
        key = issued.key;
      });
      const renew = await counted(() => h.core.leases.renew(leaseId));
      const copyLease = await counted(() => h.core.leases.copyLeaseKey(leaseId));
      const copiedLease = h.clipboard.text === key;
      h.clipboard.text = '';
      const copyRole = await counted(() => h.core.leases.copyRoleKey('dev'));
      const copiedRole = h.clipboard.text === key;
      const revoke = await counted(() => h.core.leases.revoke(leaseId));

      const row = (measure: string, calls: string[], target: number, also = true): Row => requestRow('Requests per operation', measure, calls, target, also);
      return [
        row('issue', issue, 1),
        row('renew', renew, 1),
        row('revoke', revoke, 1),
        row('copy a live lease\'s key (the key reached the clipboard port)', copyLease, 0, copiedLease),
        row('copy a role\'s key while one is live (tray one-click)', copyRole, 0, copiedRole),
      ];
    } finally {
      await h.keychain.delete('admin-key').catch(() => false);
      await h.close();
    }
  },
};
