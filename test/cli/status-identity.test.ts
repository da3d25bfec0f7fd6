// `keyfob status` says who the stored credential is on the proxy and for whom keys are made, read from the
// simulator's /key/info and /user/info through the real binary: an internal user's personal key, a view-only user's
// key, the master key. The key itself is never printed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome } from './harness.js';

const MASTER_KEY = 'sk-cli-status-identity-master';

/** Connects a fresh home with `key` and runs `keyfob status` both ways. */
async function statusWith(sim: Simulator, key: string, label: string) {
  const home = tempHome(label);
  const connect = await keyfob(['connect', '--url', sim.url], { home, stdin: `${key}\n` });
  assert.equal(connect.code, 0, show(connect));
  const [plain, asJson] = await Promise.all([keyfob(['status'], { home }), keyfob(['status', '--json'], { home })]);
  for (const r of [connect, plain, asJson]) assert.ok(!(r.stdout + r.stderr).includes(key), `the key is never printed\n${show(r)}`);
  assert.equal(plain.code, 0, show(plain));
  assert.equal(asJson.code, 0, show(asJson));
  const report = JSON.parse(asJson.stdout) as { proxy: { identity: { userId: string | null; role: string; summary: string } | null } };
  const credential = /^credential:\s+(.*)$/m.exec(plain.stdout)?.[1];
  return { credential, identity: report.proxy.identity, plain };
}

describe('keyfob status: the credential line', () => {
  let sim: Simulator;

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY });
    sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
    sim.addUser({ user_id: 'vera', user_role: 'internal_user_viewer' });
    sim.addTeam({ team_id: 'platform', team_alias: 'Platform', members: [{ user_id: 'alice', role: 'admin' }] });
  });

  after(async () => {
    await sim?.close();
  });

  it('an internal user’s personal key: connected as alice, keys are created for alice, team keys for her team', async () => {
    const { credential, identity, plain } = await statusWith(sim, sim.addKey({ user_id: 'alice', key_alias: 'alice-laptop' }).key, 'status-alice');
    assert.equal(credential, 'connected as alice, internal user: keys are created for alice; team keys for Platform (team admin)', show(plain));
    assert.deepEqual({ userId: identity?.userId, role: identity?.role }, { userId: 'alice', role: 'internal_user' });
    assert.equal(identity?.summary, credential);
  });

  it('a view-only user’s key: says Keyfob cannot issue keys with it', async () => {
    const { credential, identity } = await statusWith(sim, sim.addKey({ user_id: 'vera' }).key, 'status-vera');
    assert.equal(credential, 'connected as vera, view-only (internal_user_viewer): Keyfob cannot issue keys with this credential');
    assert.equal(identity?.role, 'internal_user_viewer');
  });

  it('the master key: keys can be created for anyone', async () => {
    const { credential, identity } = await statusWith(sim, MASTER_KEY, 'status-master');
    assert.equal(credential, "connected with the proxy's master key: keys can be created for anyone");
    assert.equal(identity?.role, 'master-key');
  });
});
