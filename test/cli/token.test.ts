// `keyfob token` through the real binary: the key alone on stdout, no request while a lease is live (the hot path in
// bin/keyfob.js), one /key/generate for eight processes at once, --json, and one line on stderr when it fails.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../main/adapters/system-clock.js';
import { KeytarSecretStore } from '../../main/core/keychain/index.js';
import { createKeyfobCore } from '../../main/core/keyfob-core.js';
import { keychainServiceFor, openSettingsStore } from '../../main/core/settings/index.js';
import { FakeActivity, MemoryClipboard, RecordingNotifier } from '../core/leases/helpers.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome, type RunResult } from './harness.js';

const MASTER_KEY = 'sk-cli-token-master';

describe('keyfob token', () => {
  let sim: Simulator;
  let home: string;
  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };
  const generates = () => sim.requests.filter((r) => r.path === '/key/generate').length;

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY, realTime: true });
    home = tempHome('token');
    ok(await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY }));
    await Promise.all([
      keyfob(['role', 'set', 'dev', '--models', 'gpt-4o-mini', '--ttl', '30m', '--max-ttl', '2h'], { home }).then(ok),
      keyfob(['role', 'set', 'ci', '--ttl', '10m'], { home }).then(ok),
      keyfob(['role', 'set', 'ops', '--ttl', '10m'], { home }).then(ok),
      keyfob(['role', 'set', 'app', '--ttl', '10m'], { home }).then(ok),
    ]);
  });

  after(async () => {
    await sim?.close();
  });

  it('eight processes at once with no live lease: exactly one /key/generate, one key for all', async () => {
    sim.clearRequests();
    const runs = await Promise.all(Array.from({ length: 8 }, () => keyfob(['token', 'dev'], { home, timeoutMs: 60_000 })));
    for (const r of runs) {
      ok(r);
      assert.match(r.stdout, /^sk-[A-Za-z0-9_-]+\n$/, 'the key alone on one line');
      assert.equal(r.stderr, '', 'silent');
    }
    assert.equal(new Set(runs.map((r) => r.stdout)).size, 1);
    assert.equal(generates(), 1);
    const row = sim.liveKeys().find((k) => k.metadata.keyfob_role === 'dev');
    assert.ok(row, 'a live key of role dev on the proxy');
    assert.deepEqual(row.models, ['gpt-4o-mini']);
  });

  it('with the desktop app running on the same home (a started core watching the ledger): still one /key/generate', async () => {
    const app = createKeyfobCore({
      stateDir: home,
      settingsStore: openSettingsStore({ stateDir: home }),
      secretStore: new KeytarSecretStore({ service: keychainServiceFor(home) }),
      clock: systemClock,
      clipboard: new MemoryClipboard(),
      activity: new FakeActivity(),
      notifier: new RecordingNotifier(),
    });
    try {
      await app.start();
      sim.clearRequests();
      const runs = await Promise.all(Array.from({ length: 8 }, () => keyfob(['token', 'app'], { home, timeoutMs: 60_000 })));
      for (const r of runs) ok(r);
      assert.equal(new Set(runs.map((r) => r.stdout)).size, 1);
      assert.equal(generates(), 1);
      app.leases.refresh();
      assert.equal(app.leases.list().filter((l) => l.role === 'app').length, 1, 'the app sees the one lease');
    } finally {
      await app.stop();
    }
  });

  it('a live lease with enough left: its key, with no request at all', async () => {
    const first = ok(await keyfob(['token', 'dev'], { home })).stdout;
    sim.clearRequests();
    const again = ok(await keyfob(['token', 'dev'], { home }));
    assert.equal(again.stdout, first);
    assert.equal(sim.requests.length, 0);
  });

  it('--json: {key, lease_id, expires_at, max_expires_at} of the same lease', async () => {
    const key = ok(await keyfob(['token', 'dev'], { home })).stdout.trim();
    const out = JSON.parse(ok(await keyfob(['token', 'dev', '--json'], { home })).stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(out), ['key', 'lease_id', 'expires_at', 'max_expires_at']);
    assert.equal(out.key, key);
    const ledger = JSON.parse(readFileSync(join(home, 'leases.json'), 'utf8')) as { leases: Record<string, { expires_at: string; max_expires_at: string }> };
    assert.equal(ledger.leases[out.lease_id as string]?.expires_at, out.expires_at);
    assert.ok(Math.abs(Date.parse(out.max_expires_at as string) - Date.parse(out.expires_at as string) - 90 * 60_000) < 5000, 'max TTL 2 h, TTL 30 min');
  });

  it('--home before or after the command reaches the same state', async () => {
    const viaEnv = ok(await keyfob(['token', 'dev'], { home })).stdout;
    const viaFlag = ok(await keyfob(['--home', home, 'token', 'dev'], { env: { KEYFOB_HOME: '' } })).stdout;
    const viaLateFlag = ok(await keyfob(['token', 'dev', '--home', home], { env: { KEYFOB_HOME: '' } })).stdout;
    assert.equal(viaFlag, viaEnv);
    assert.equal(viaLateFlag, viaEnv);
  });

  it('--min-left: enough left is reused; more than a renewal can give means a renewal, then a new lease', async () => {
    const key = ok(await keyfob(['token', 'ops'], { home })).stdout;
    sim.clearRequests();
    assert.equal(ok(await keyfob(['token', 'ops', '--min-left', '9m'], { home })).stdout, key, '~10 min left of a 10 min TTL');
    assert.equal(sim.requests.length, 0);
    const fresh = ok(await keyfob(['token', 'ops', '--min-left', '11m'], { home }));
    assert.notEqual(fresh.stdout, key);
    assert.equal(sim.requests.filter((r) => r.path === '/key/update').length, 1, 'renewed first (a renewal gives 10 min)');
    assert.equal(generates(), 1, 'then a new lease; the old one stays for whoever holds it');
    assert.ok(sim.liveKeys().filter((k) => k.metadata.keyfob_role === 'ops').length >= 2);
  });

  it('after `lease revoke --all`: a fresh key', async () => {
    const before = ok(await keyfob(['token', 'ci'], { home })).stdout;
    ok(await keyfob(['lease', 'revoke', '--all'], { home }));
    sim.clearRequests();
    const afterRevoke = ok(await keyfob(['token', 'ci'], { home })).stdout;
    assert.notEqual(afterRevoke, before);
    assert.equal(generates(), 1);
  });

  it('failures: exit 1 (2 for an unknown role, as every command) and exactly one line on stderr, nothing on stdout', async () => {
    const unknown = await keyfob(['token', 'deev'], { home });
    assert.equal(unknown.code, 2, show(unknown));
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /^keyfob: ROLE: there is no role "deev": did you mean `dev`\?.*\n$/);
    assert.equal(unknown.stderr.split('\n').length, 2, 'one line');

    const down = await startSimulator({ masterKey: MASTER_KEY });
    const downHome = tempHome('token-down');
    ok(await keyfob(['connect', '--url', down.url], { home: downHome, stdin: MASTER_KEY }));
    ok(await keyfob(['role', 'set', 'dev', '--ttl', '10m'], { home: downHome }));
    await down.close();
    const r = await keyfob(['token', 'dev'], { home: downHome });
    assert.equal(r.code, 1, show(r));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    assert.match(r.stderr, /^keyfob: .*(proxy|connect|reach)/i);
  });
});
