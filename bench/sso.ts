// Signed in with SSO: issue, renew and revoke still cost one request each (the session's identity is its user, never
// looked up), and a refresh costs one `/token` request per access lifetime however many processes use the session
// (four cores on one state directory and keychain, each calling the proxy in every lifetime). Counted at the simulator.
import { ScriptedBrowser } from '../test/sim/sso-browser.js';
import { harness } from '../test/core/leases/helpers.js';
import type { BenchContext, Row, Section } from './lib/report.js';

const LIFETIME_S = 3600;
const LIFETIMES = 3;
const CORES = 4;

export const ssoSection: Section = {
  name: 'requests with an SSO session',
  async run(ctx: BenchContext): Promise<Row[]> {
    const h = await harness({ secretStore: (real) => ctx.keychain.choose(real), connect: false });
    try {
      h.sim.sso.release = '1.100.4';
      h.sim.sso.accessLifetimeSec = LIFETIME_S;
      h.sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
      await h.core.connectSso({ url: h.sim.url }, async (url) => {
        void new ScriptedBrowser().open(url, { decision: 'approve' });
      });
      h.core.updateSettings({ request_timeout_seconds: 5 });
      h.core.saveRole({ name: 'dev', models: ['gpt-4o'], ttl: '1h', max_ttl: '3h' });
      const counted = async (work: () => Promise<unknown>): Promise<string[]> => {
        const before = h.sim.requests.length;
        await work();
        return h.sim.requests.slice(before).map((r) => `${r.method} ${r.path}`);
      };
      let leaseId = '';
      const issue = await counted(async () => {
        leaseId = (await h.core.leases.issue('dev')).lease.lease_id;
      });
      const renew = await counted(() => h.core.leases.renew(leaseId));
      const revoke = await counted(() => h.core.leases.revoke(leaseId));

      const cores = [h.core, ...Array.from({ length: CORES - 1 }, () => h.reopen())];
      const refreshesBefore = h.sim.sso.tokenGrants.filter((g) => g.grant === 'refresh_token').length;
      let calls = 0;
      for (let i = 0; i < LIFETIMES; i++) {
        await h.advance(LIFETIME_S * 1000 - 60_000); // inside the refresh margin of each access token
        await Promise.all(cores.map(async (core) => {
          await core.listModels();
          calls++;
        }));
      }
      const grants = h.sim.sso.tokenGrants.filter((g) => g.grant === 'refresh_token').slice(refreshesBefore);
      const perLifetime = grants.length / LIFETIMES;

      const row = (measure: string, list: string[], target: number): Row => ({
        area: 'Requests with an SSO session',
        measure,
        result: list.length ? `${list.length} (${list.join(', ')})` : '0',
        target: String(target),
        met: list.length === target,
      });
      return [
        row('issue', issue, 1),
        row('renew', renew, 1),
        row('revoke', revoke, 1),
        {
          area: 'Requests with an SSO session',
          measure: `/token refreshes per access lifetime (${CORES} cores on one state directory, ${calls} proxy calls over ${LIFETIMES} lifetimes)`,
          result: `${perLifetime.toFixed(2)} (${grants.length} refreshes, ${grants.filter((g) => !g.ok).length} refused)`,
          target: '1',
          met: perLifetime === 1 && grants.every((g) => g.ok),
        },
      ];
    } finally {
      await h.keychain.delete('sso-session').catch(() => false);
      await h.close();
    }
  },
};
