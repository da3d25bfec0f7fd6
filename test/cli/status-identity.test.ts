// `keyfob status` says who the stored credential is on the proxy and for whom keys are made, read from the
// simulator's /key/info and /user/info through the real binary: an internal user's personal key, a view-only user's
// key, the master key. The key itself is never printed. What the credential is, once learned, is remembered in the
// state directory, so a later process's first issue makes one request; a keychain out of reach is said once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    sim = await startSimulator({ masterKey: MASTER_KEY, models: ['gpt-4o-mini'] });
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

  it('a personal key: a later process\'s first issue makes exactly one request, /key/generate', async () => {
    const key = sim.addKey({ user_id: 'alice', key_alias: 'alice-desk' }).key;
    const home = tempHome('status-identity-cache');
    const connect = await keyfob(['connect', '--url', sim.url], { home, stdin: `${key}\n` });
    assert.equal(connect.code, 0, show(connect));
    assert.doesNotMatch(connect.stderr, /master key/, 'a personal key gets no master-key note');
    const role = await keyfob(['role', 'set', 'dev', '--models', 'gpt-4o-mini', '--ttl', '30m', '--max-ttl', '1h'], { home });
    assert.equal(role.code, 0, show(role));
    const remembered = readFileSync(join(home, 'identity.json'), 'utf8');
    assert.ok(!remembered.includes(key), 'the identity file never holds the key');
    assert.match(remembered, /"credential_sha256":"[0-9a-f]{64}"/);

    const before = sim.requests.length;
    const issue = await keyfob(['issue', 'dev', '--json'], { home });
    assert.equal(issue.code, 0, show(issue));
    assert.deepEqual(sim.requests.slice(before).map((r) => `${r.method} ${r.path}`), ['POST /key/generate'], 'no /key/info or /user/info first');
    const generated = sim.requests.at(-1)?.body as { user_id?: string } | undefined;
    assert.equal(generated?.user_id, 'alice', 'the remembered identity still makes the key alice\'s');
    const revoke = await keyfob(['lease', 'revoke', '--all'], { home });
    assert.equal(revoke.code, 0, show(revoke));
  });

  it('with no D-Bus session: "not checked: the key cannot be read", once, and the keychain explained once', async () => {
    const home = tempHome('status-no-bus');
    const connect = await keyfob(['connect', '--url', sim.url], { home, stdin: `${MASTER_KEY}\n` });
    assert.equal(connect.code, 0, show(connect));
    const before = sim.requests.length;
    const noBus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/keyfob-status-bus' };
    const r = await keyfob(['status'], { home, env: noBus });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^connection:\s+not checked: the key cannot be read$/m, show(r));
    assert.doesNotMatch(r.stdout, /proxy unreachable/, show(r));
    assert.match(r.stdout, /^keychain:\s+unavailable: /m);
    const lines = r.stdout.split('\n').map((l) => l.replace(/^[a-zA-Z ]*:\s+|^\s+/, '')).filter(Boolean);
    assert.equal(new Set(lines).size, lines.length, `no line said twice\n${show(r)}`);
    assert.equal(sim.requests.length, before, 'the proxy was not asked');
    const asJson = JSON.parse((await keyfob(['status', '--json'], { home, env: noBus })).stdout) as { proxy: unknown; keychain_error: { kind: string } | null };
    assert.equal(asJson.proxy, null);
    assert.equal(asJson.keychain_error?.kind, 'keychain-unavailable');
  });
});
