// Requests per operation in Vault mode, counted where they arrive: at the Vault simulator. Issue is one creds read on
// its path (its child token minted ahead, off the path, in a long-lived process; the one-shot CLI mints it first),
// renew and revoke one `sys/leases` call each, and a live key copied or handed to a tool none.
import { vaultHarness } from '../test/vault/support.js';
import { requestRow, type BenchContext, type Row, type Section } from './lib/report.js';

export const vaultRequestsSection: Section = {
  name: 'requests per operation with Vault',
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    const row = (measure: string, calls: string[], target: number, also = true): Row => requestRow('Requests per operation (Vault)', measure, calls, target, also);
    for (const premint of [true, false]) {
      const h = await vaultHarness({ secretStore: (real) => ctx.keychain.choose(real), coreOptions: { vaultPremint: premint } });
      try {
        await h.connectVault();
        await h.advance(0); // the app's first child token, minted at load
        const counted = async (work: () => Promise<unknown>): Promise<string[]> => {
          const before = h.pair.vault.requestLog.length;
          await work();
          return h.pair.vault.requestLog.slice(before).map((r) => `${r.method} ${r.path}`);
        };
        let leaseId = '';
        let key = '';
        const issue = await counted(async () => {
          const issued = await h.core.leases.issue('dev');
          leaseId = issued.lease.lease_id;
          key = issued.key;
          await h.advance(0); // let the next child token's mint, started after the creds read, finish
        });
        const mint = (r: string) => r.endsWith(' auth/token/create');
        if (!premint) {
          rows.push(row('issue, one-shot CLI (its child token minted first, none ahead)', issue, 2));
          continue;
        }
        rows.push(row('issue: on its path (the child token minted ahead)', issue.filter((r) => !mint(r)), 1));
        rows.push(row('issue: after the creds read, off its path (the next child token)', issue.filter(mint), 1));
        rows.push(row('renew', await counted(() => h.core.leases.renew(leaseId, 600)), 1));
        const copyLease = await counted(() => h.core.leases.copyLeaseKey(leaseId));
        rows.push(row('copy a live lease\'s key (the key reached the clipboard port)', copyLease, 0, h.clipboard.text === key));
        h.clipboard.text = '';
        const copyRole = await counted(() => h.core.leases.copyRoleKey('dev'));
        rows.push(row('a role\'s live key handed out again (tray one-click; `keyfob token` likewise)', copyRole, 0, h.clipboard.text === key));
        rows.push(row('revoke', await counted(() => h.core.leases.revoke(leaseId)), 1));
      } finally {
        await h.keychain.delete('vault-token').catch(() => false);
        await h.close();
      }
    }
    return rows;
  },
};
