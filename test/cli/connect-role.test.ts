// End to end through the real binary: connect (good key, wrong key, unreachable URL, secrets refused as flags),
// status, models, every role command with good and bad input, and log.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keychainServiceFor } from '../../main/core/settings/paths.js';
import { openSettingsStore } from '../../main/core/settings/settings-store.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome } from './harness.js';

const MASTER_KEY = 'sk-cli-connect-master';

describe('keyfob connect, status, models, role, log', () => {
  let sim: Simulator;
  let home: string;

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY, models: ['gpt-4o-mini', 'claude-sonnet-4'] });
    home = tempHome('connect');
  });

  after(async () => {
    await sim?.close();
  });

  it('refuses to connect without a working proxy or key, and stores nothing', async () => {
    // Separate homes: each refused connect must leave its own home and keychain service empty.
    const homes = [tempHome('wrong-key'), tempHome('unreachable'), tempHome('no-key')];
    const [wrongKey, unreachable, noKey, badUrl, secretFlag] = await Promise.all([
      keyfob(['connect', '--url', sim.url], { home: homes[0], stdin: 'sk-not-the-master-key\n' }),
      keyfob(['connect', '--url', 'http://127.0.0.1:9'], { home: homes[1], stdin: MASTER_KEY }),
      keyfob(['connect', '--url', sim.url], { home: homes[2], stdin: '' }),
      keyfob(['connect', '--url', 'ftp://example.com', '--ca-file', '/no/such/file.pem'], { home, stdin: MASTER_KEY }),
      keyfob(['connect', '--url', sim.url, `--admin-key=${MASTER_KEY}`], { home }),
    ]);
    assert.equal(wrongKey.code, 1, show(wrongKey));
    assert.match(wrongKey.stderr, /^keyfob: .*reject/m, show(wrongKey));
    assert.match(wrongKey.stderr, /^hint: /m);
    assert.ok(!wrongKey.stderr.includes('sk-not-the-master-key'), 'the rejected key is not echoed');
    assert.ok(!/[0-9a-f]{64}/.test(wrongKey.stderr), 'no token hash is echoed either');

    assert.equal(unreachable.code, 1, show(unreachable));
    assert.match(unreachable.stderr, /^keyfob: .*127\.0\.0\.1:9/m, show(unreachable));

    assert.equal(noKey.code, 2, show(noKey));
    assert.match(noKey.stderr, /no LiteLLM key on stdin/);

    assert.equal(badUrl.code, 2, show(badUrl));
    assert.match(badUrl.stderr, /--url: .*http/);
    assert.match(badUrl.stderr, /--ca-file: .*readable/);

    assert.equal(secretFlag.code, 2, show(secretFlag));
    assert.match(secretFlag.stderr, /--admin-key is not accepted: .*process list/);
    assert.ok(!secretFlag.stderr.includes(MASTER_KEY), '!secretFlag.stderr.includes(MASTER_KEY) is set');

    const audit = await keyfob(['log', '--json'], { home: homes[0] });
    const entries = JSON.parse(audit.stdout) as Array<{ action: string; outcome: string }>;
    assert.ok(entries.some((e) => e.action === 'connect' && e.outcome === 'failed'), `the refused connect is audited\n${show(audit)}`);
    assert.ok(!audit.stdout.includes('sk-not-the-master-key'), 'without the key');

    const { default: keytar } = await import('@github/keytar');
    for (const h of [home, ...homes]) {
      assert.deepEqual(await keytar.findCredentials(keychainServiceFor(h)), [], `nothing in the keychain for ${h}`);
      assert.equal(openSettingsStore({ stateDir: h }).read().settings.litellm_url, null, `no URL stored in ${h}`);
    }
  });

  it('a CA file that is a FIFO or a device is refused at once, before any key is read', async () => {
    const fifo = join(tempHome('ca-fifo'), 'ca.pem');
    execFileSync('mkfifo', [fifo]);
    for (const caFile of [fifo, '/dev/zero']) {
      const r = await keyfob(['connect', '--url', sim.url, '--ca-file', caFile], { home: tempHome('ca-special'), stdin: MASTER_KEY, timeoutMs: 10_000 });
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, /--ca-file: must be a regular PEM file/, show(r));
    }
  });

  it('connects with your LiteLLM key from stdin, notes the master key, and status reports it without printing it', async () => {
    const connect = await keyfob(['connect', '--url', `${sim.url}/v1/`], { home, stdin: `${MASTER_KEY}\n` });
    assert.equal(connect.code, 0, show(connect));
    assert.match(connect.stdout, /: your LiteLLM key is verified and stored in /);
    assert.match(connect.stderr, /^keyfob: note: this is the proxy's master key: a personal or team key is safer/m, show(connect));
    const help = await keyfob(['connect', '--help']);
    assert.doesNotMatch(help.stdout, /admin key|MASTER_KEY/i, 'one word for the credential: your LiteLLM key');
    assert.match(help.stdout, /your LiteLLM key/);
    // The URL is kept as given (a trailing /v1 may be the proxy's root path); the client found the proxy without it.
    assert.match(connect.stdout, new RegExp(`Connected to ${sim.url.replace(/\./g, '\\.')}/v1:`));

    const [plain, asJson] = await Promise.all([keyfob(['status'], { home }), keyfob(['status', '--json'], { home })]);
    for (const r of [connect, plain, asJson]) assert.ok(!(r.stdout + r.stderr).includes(MASTER_KEY), 'the admin key is never printed');
    assert.equal(plain.code, 0, show(plain));
    assert.match(plain.stdout, /LiteLLM key:\s+stored in the keychain/);
    const report = JSON.parse(asJson.stdout) as { url: string; admin_key_stored: boolean; state_dir: string; live_leases: number; proxy: { reachable: boolean; admin_ok: boolean } };
    assert.equal(report.url, `${sim.url}/v1`);
    assert.equal(report.admin_key_stored, true);
    assert.equal(report.state_dir, home);
    assert.equal(report.live_leases, 0);
    assert.deepEqual({ reachable: report.proxy.reachable, admin_ok: report.proxy.admin_ok }, { reachable: true, admin_ok: true });
  });

  it('status reports a proxy that went away instead of failing', async () => {
    const elsewhere = tempHome('status-down');
    const down = await startSimulator({ masterKey: MASTER_KEY });
    const connect = await keyfob(['connect', '--url', down.url], { home: elsewhere, stdin: MASTER_KEY });
    assert.equal(connect.code, 0, show(connect));
    await down.close();
    const status = await keyfob(['status'], { home: elsewhere });
    assert.equal(status.code, 0, show(status));
    assert.match(status.stdout, /connection:\s+proxy unreachable/);
  });

  it('lists the models the proxy offers', async () => {
    const [plain, asJson] = await Promise.all([keyfob(['models'], { home }), keyfob(['models', '--json'], { home })]);
    assert.equal(plain.code, 0, show(plain));
    assert.deepEqual(plain.stdout.trim().split('\n'), ['gpt-4o-mini', 'claude-sonnet-4']);
    assert.deepEqual(JSON.parse(asJson.stdout), ['gpt-4o-mini', 'claude-sonnet-4']);
  });

  it('creates, updates, shows, lists and deletes roles', async () => {
    const created = await keyfob(
      ['role', 'set', 'Dev', '--models', 'gpt-4o-mini', '--ttl', '30m', '--max-ttl', '8h', '--max-budget', '2.5', '--metadata', 'team=ml', '--tpm', '1000', '--budget-duration', '30d'],
      { home },
    );
    assert.equal(created.code, 0, show(created));
    assert.match(created.stdout, /^Created role dev\./);

    // --home beats KEYFOB_HOME: this role lands in `home`, not in the decoy.
    const decoy = tempHome('decoy');
    const updated = await keyfob(['--home', home, 'role', 'set', 'dev', '--ttl', '45m', '--tpm', 'none'], { home: decoy });
    assert.equal(updated.code, 0, show(updated));
    assert.match(updated.stdout, /^Updated role dev\./);

    const [shown, listed, listedJson, other] = await Promise.all([
      keyfob(['role', 'show', 'dev', '--json'], { home }),
      keyfob(['role', 'list'], { home }),
      keyfob(['role', 'list', '--json'], { home }),
      keyfob(['role', 'list', '--json'], { home: decoy }),
    ]);
    assert.equal(shown.code, 0, show(shown));
    assert.deepEqual(JSON.parse(shown.stdout), {
      name: 'dev',
      models: ['gpt-4o-mini'],
      max_budget: 2.5,
      budget_duration: '30d',
      tpm_limit: null,
      rpm_limit: null,
      max_parallel_requests: null,
      team_id: null,
      user_id: null,
      key_alias_prefix: 'keyfob',
      metadata: { team: 'ml' },
      ttl: 2700,
      max_ttl: 28_800,
    });
    assert.match(listed.stdout, /^NAME\s+MODELS\s+TTL\s+MAX TTL\s+BUDGET\ndev\s+gpt-4o-mini\s+45m\s+8h\s+\$2\.5\n$/);
    assert.deepEqual((JSON.parse(listedJson.stdout) as Array<{ name: string }>).map((r) => r.name), ['dev']);
    assert.deepEqual(JSON.parse(other.stdout), []);

    const deleted = await keyfob(['role', 'delete', 'dev'], { home });
    assert.equal(deleted.code, 0, show(deleted));
    const [again, gone] = await Promise.all([keyfob(['role', 'delete', 'dev'], { home }), keyfob(['role', 'show', 'dev'], { home })]);
    assert.equal(again.code, 2, show(again));
    assert.match(again.stderr, /^keyfob: NAME: there is no role "dev"$/m);
    assert.match(again.stderr, /^hint: there are no roles yet: create one with `keyfob role set NAME --ttl 1h`$/m);
    assert.equal(gone.code, 2, show(gone));
  });

  it('rejects bad role input with exit 2, naming every invalid flag', async () => {
    const [bad, badName, unknownFlag, missingName, ttlOverMax] = await Promise.all([
      keyfob(['role', 'set', 'ok', '--ttl', 'soon', '--rpm', '1.5', '--max-budget=-1', '--metadata', 'novalue', '--alias-prefix=-bad-'], { home }),
      keyfob(['role', 'set', 'no spaces!'], { home }),
      keyfob(['role', 'set', 'ok', '--colour', 'red'], { home }),
      keyfob(['role', 'show'], { home }),
      keyfob(['role', 'set', 'ok', '--ttl', '9h', '--max-ttl', '8h'], { home }),
    ]);
    assert.equal(bad.code, 2, show(bad));
    for (const flag of ['--ttl', '--rpm', '--max-budget', '--metadata', '--alias-prefix']) {
      assert.match(bad.stderr, new RegExp(`^  ${flag}: `, 'm'), `${flag} is named\n${show(bad)}`);
    }
    assert.match(bad.stderr, /^hint: run `keyfob role set --help`/m);
    assert.equal(badName.code, 2, show(badName));
    assert.match(badName.stderr, /NAME: may hold only/);
    assert.equal(unknownFlag.code, 2, show(unknownFlag));
    assert.match(unknownFlag.stderr, /--colour: unknown option; accepted: --models/);
    assert.equal(missingName.code, 2, show(missingName));
    assert.match(missingName.stderr, /NAME: missing/);
    assert.equal(ttlOverMax.code, 2, show(ttlOverMax));
    assert.match(ttlOverMax.stderr, /--ttl: must not exceed --max-ttl \(9h > 8h\)/);

    const list = await keyfob(['role', 'list', '--json'], { home });
    assert.deepEqual(JSON.parse(list.stdout), [], 'nothing invalid was saved');
  });

  it('shows the audit log', async () => {
    const [plain, asJson, badN] = await Promise.all([
      keyfob(['log', '-n', '3'], { home }),
      keyfob(['log', '--json'], { home }),
      keyfob(['log', '-n', '0'], { home }),
    ]);
    assert.equal(plain.code, 0, show(plain));
    assert.match(plain.stdout, /^TIME \([^)]+\)\s+ACTION\s+OUTCOME/, 'local times, the zone named');
    assert.equal(plain.stdout.trim().split('\n').length, 4, 'a header and three entries');
    const entries = JSON.parse(asJson.stdout) as Array<{ action: string; outcome: string }>;
    assert.ok(entries.some((e) => e.action === 'connect' && e.outcome === 'ok'), 'the connect is audited');
    assert.ok(!asJson.stdout.includes(MASTER_KEY), '!asJson.stdout.includes(MASTER_KEY) is set');
    assert.equal(badN.code, 2, show(badN));
    assert.match(badN.stderr, /-n: must be a whole number ≥ 1/);
  });
});
