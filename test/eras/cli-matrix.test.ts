// The lease suite's CLI pass, through the built `keyfob` binary, in every era: connect, a role, issue, renew, revoke
// all, status — and no key material in the Keyfob home afterwards. Plus one non-admin connect (a personal key), whose
// status line says who is connected and for whom keys are made.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { tokenHash } from '../../main/core/litellm/index.js';
import { ERAS, startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome, type RunResult } from '../cli/harness.js';
import { scanTree } from '../secrets/scan.js';

const MASTER = 'sk-eras-cli-master-0001';

const ok = (r: RunResult): RunResult => {
  assert.equal(r.code, 0, show(r));
  return r;
};

describe('the CLI in every era', { concurrency: 2 }, () => {
  before(() => assertBuilt());

  for (const era of ERAS) {
    test(`era ${era}: connect, issue, renew, revoke --all, status`, async () => {
      const sim = await startSimulator({ era, masterKey: MASTER });
      const home = tempHome(`era-${era}`);
      try {
        ok(await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER }));
        ok(await keyfob(['role', 'set', 'dev', '--ttl', '1h', '--max-ttl', '3h'], { home }));
        const issued = JSON.parse(ok(await keyfob(['issue', 'dev', '--json'], { home })).stdout) as { lease_id: string; key: string; expires_at: string };
        const row = sim.keys().find((k) => k.token === tokenHash(issued.key));
        assert.ok(row, 'the key on the proxy is found by the locally computed hash');
        assert.equal(Date.parse(issued.expires_at), Date.parse(row.expires ?? ''), "the lease shows the server's real expiry");
        ok(await keyfob(['lease', 'renew', issued.lease_id, '--json'], { home }));
        ok(await keyfob(['lease', 'revoke', '--all'], { home }));
        assert.deepEqual(sim.keys(), [], 'nothing left on the proxy');
        const status = ok(await keyfob(['status'], { home }));
        assert.match(status.stdout, /credential:\s+connected with the proxy's master key/);
        assert.deepEqual(scanTree(home, [MASTER, issued.key]), []);
      } finally {
        await sim.close();
      }
    });
  }

  test('a personal key: status says "connected as alice", and the issued key belongs to alice', async () => {
    let sim: Simulator | null = null;
    try {
      sim = await startSimulator({ era: 'N3', masterKey: MASTER });
      sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
      const alice = sim.addKey({ user_id: 'alice', key_alias: 'alice-laptop' }).key;
      const home = tempHome('era-alice');
      ok(await keyfob(['connect', '--url', sim.url], { home, stdin: alice }));
      assert.match(ok(await keyfob(['status'], { home })).stdout, /credential:\s+connected as alice/);
      ok(await keyfob(['role', 'set', 'dev', '--ttl', '1h', '--max-ttl', '3h'], { home }));
      const issued = JSON.parse(ok(await keyfob(['issue', 'dev', '--json'], { home })).stdout) as { key: string };
      assert.equal(sim.keys().find((k) => k.token === tokenHash(issued.key))?.user_id, 'alice');
      ok(await keyfob(['lease', 'revoke', '--all'], { home }));
      assert.deepEqual(sim.keys().map((k) => k.key_alias), ['alice-laptop']);
      assert.deepEqual(scanTree(home, [MASTER, alice, issued.key]), []);
    } finally {
      await sim?.close();
    }
  });
});

