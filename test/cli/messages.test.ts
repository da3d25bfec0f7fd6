// Issue 15, "say what to do, once", end to end through the real binary against the simulator: failures by kind
// without the proxy's dump, hints that point at things that exist (`keyfob config`), did-you-mean for typos,
// durations as people type and read them, every invalid flag at once, unknown models, renewals that would shorten,
// local times, when an ended lease ended, and `role delete` of a role with live keys.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome, type RunResult, type RunOptions } from './harness.js';
import { defaultSettings } from '../../main/core/settings/index.js';

const MASTER_KEY = 'sk-messages-master-5d1e';
const LOCAL_CLOCK = String.raw`(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d`;

interface LeaseJson {
  lease_id: string;
  key_alias: string;
  expires_at: string;
  issued_at: string;
  max_expires_at: string;
}

describe('CLI messages (issue 15)', () => {
  let sim: Simulator;
  let home: string;

  const run = (args: string[], opts: RunOptions = {}): Promise<RunResult> => keyfob(args, { home, ...opts });
  const ok = async (args: string[], opts: RunOptions = {}): Promise<RunResult> => {
    const r = await run(args, opts);
    assert.equal(r.code, 0, show(r));
    return r;
  };
  const issueJson = async (role: string): Promise<LeaseJson> => JSON.parse((await ok(['issue', role, '--json'])).stdout) as LeaseJson;
  const lastDuration = (path: string): unknown => {
    const entry = [...sim.requests].reverse().find((r) => r.path === path);
    return (entry?.body as { duration?: unknown } | undefined)?.duration;
  };

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY });
    home = tempHome('messages');
    await ok(['connect', '--url', sim.url], { stdin: MASTER_KEY });
    await ok(['role', 'set', 'dev', '--ttl', '30m', '--max-ttl', '8h']);
  });

  after(async () => {
    await sim?.close();
  });

  it('durations: 90s, 5min, 1h30m, 1.5h and 2d are accepted, shown as people read them, sent as whole seconds', async () => {
    const cases: Array<[string, string, string]> = [['90s', '1m 30s', '90s'], ['5min', '5m', '300s'], ['1h30m', '1h 30m', '5400s'], ['1.5h', '1h 30m', '5400s'], ['900', '15m', '900s']];
    for (const [typed, shown, sent] of cases) {
      const set = await ok(['role', 'set', 'dur', '--ttl', typed, '--max-ttl', '2d']);
      assert.match(set.stdout, new RegExp(`^  ttl:\\s+${shown}$`, 'm'), `${typed} reads as ${shown}`);
      assert.match(set.stdout, /^ {2}max ttl:\s+2d$/m);
      await issueJson('dur');
      assert.equal(lastDuration('/key/generate'), sent, `${typed} goes to LiteLLM as ${sent}`);
    }
    const list = await ok(['role', 'list']);
    assert.doesNotMatch(list.stdout, /\b\d{3,}s\b/, 'never "900s"');
    assert.match(list.stdout, /^dur\s+\(all\)\s+15m\s+2d\s/m);
    await ok(['lease', 'revoke', '--role', 'dur']);
    await ok(['role', 'delete', 'dur', '--yes']);
  });

  it('every invalid flag at once, negative values included', async () => {
    const r = await run(['role', 'set', 'dev', '--ttl', '-5m', '--tpm', '-4', '--max-budget', 'abc']);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /^keyfob: invalid role: 3 invalid values$/m);
    assert.match(r.stderr, /^ {2}--ttl: must not be negative \(got "-5m"\)$/m);
    assert.match(r.stderr, /^ {2}--tpm: must be a whole number ≥ 0, or "none" to remove the limit \(got "-4"\)$/m);
    assert.match(r.stderr, /^ {2}--max-budget: must be an amount in USD/m);
  });

  it('typos: the nearest command, subcommand, flag, role and setting', async () => {
    const [command, sub, flag, role, setting] = await Promise.all([
      run(['isue', 'dev']),
      run(['lease', 'renwe', 'x']),
      run(['role', 'set', 'dev', '--tll', '5m']),
      run(['issue', 'deev']),
      run(['config', 'get', 'request-timout']),
    ]);
    for (const r of [command, sub, flag, role, setting]) assert.equal(r.code, 2, show(r));
    assert.match(command.stderr, /^keyfob: unknown command "isue": did you mean `issue`\?$/m);
    assert.match(sub.stderr, /^keyfob: unknown command "lease renwe": did you mean `lease renew`\?$/m);
    assert.match(sub.stderr, /^hint: lease commands: list, renew, revoke;/m);
    assert.match(flag.stderr, /^ {2}--tll: unknown option: did you mean `--ttl`\?$/m);
    assert.match(role.stderr, /^keyfob: ROLE: there is no role "deev": did you mean `dev`\?$/m);
    assert.match(role.stderr, /^hint: roles: dev \(`keyfob role list`\)$/m);
    assert.match(setting.stderr, /did you mean `request-timeout`\?/);
  });

  it('an unknown role reads the same in issue, role show, exec, token and env: the nearest role, exit 2', async () => {
    const runs = await Promise.all([
      run(['issue', 'deev']),
      run(['role', 'show', 'deev']),
      run(['exec', 'deev', '--', process.execPath, '-e', '']),
      run(['token', 'deev']),
      run(['env', 'deev']),
    ]);
    for (const [i, r] of runs.entries()) {
      assert.equal(r.code, 2, `${['issue', 'role show', 'exec', 'token', 'env'][i]}: ${show(r)}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /there is no role "deev": did you mean `dev`\?/, show(r));
    }
  });

  it('keyfob version and -v point at --version; --version answers', async () => {
    const [word, short, flag] = await Promise.all([run(['version']), run(['-v']), run(['--version'])]);
    assert.equal(word.code, 2, show(word));
    assert.match(word.stderr, /^keyfob: unknown command "version": did you mean `keyfob --version`\?$/m);
    assert.equal(short.code, 2, show(short));
    assert.match(short.stderr, /^keyfob: unknown option -v: did you mean `keyfob --version`\?$/m);
    assert.equal(flag.code, 0, show(flag));
    assert.match(flag.stdout, /^keyfob \d+\.\d+\.\d+\S*\n$/);
  });

  it('lease revoke --role with no such role is a usage error, not "Revoked 0 leases"', async () => {
    const r = await run(['lease', 'revoke', '--role', 'deev']);
    assert.equal(r.code, 2, show(r));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^keyfob: --role: there is no role "deev": did you mean `dev`\?$/m);
  });

  it('a role naming a model the proxy does not offer: a warning that lists the ones it does', async () => {
    const r = await ok(['role', 'set', 'models', '--models', 'gpt-4o,gpt-4o-mni']);
    assert.match(r.stderr, /^keyfob: warning: the proxy does not offer gpt-4o-mni \(did you mean `gpt-4o-mini`\?\); it offers gpt-4o, gpt-4o-mini, claude-sonnet-4$/m);
    const fine = await ok(['role', 'set', 'models', '--models', 'gpt-4o']);
    assert.doesNotMatch(fine.stderr, /warning/);
    await ok(['role', 'delete', 'models']);
  });

  it('config get|set covers every setting; values read as durations; the CLI\'s timeout hint points at it', async () => {
    const all = await ok(['config', 'get']);
    const names = all.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(names, ['url', 'ca-file', 'auth-header', 'allow-insecure-tls', 'request-timeout', 'default-lease-ttl', 'max-lease-ttl', 'clipboard-clear',
      'idle-threshold', 'revoke-on-quit', 'revoke-on-logout', 'revoke-on-lock', 'revoke-on-suspend', 'launch-at-login', 'notifications']);
    assert.match(all.stdout, /^request-timeout\s+10s$/m);
    assert.match(all.stdout, /^url\s+http:\/\/127\.0\.0\.1:\d+$/m, 'the URL is never "(changed)": it has no default');
    // Every setting a person may choose has its name (the learned resolved URL is not chosen).
    const fileNames = Object.keys(JSON.parse((await ok(['config', 'get', '--json'])).stdout) as object).length;
    assert.equal(fileNames, Object.keys(defaultSettings()).length - 1 + 3, 'one name per setting; revoke_on has four');
    assert.equal((await ok(['config', 'set', 'auth-header', 'x-litellm-api-key'])).stdout, 'auth-header = x-litellm-api-key\n');
    assert.equal((await ok(['models'])).code, 0, 'the proxy reads the key from x-litellm-api-key');
    assert.equal((await ok(['config', 'set', 'auth-header', 'none'])).stdout, 'auth-header = none\n');
    assert.equal((await ok(['config', 'set', 'request-timeout', '1s'])).stdout, 'request-timeout = 1s\n');
    assert.equal((await ok(['config', 'get', 'request_timeout_seconds', '--json'])).stdout, '1\n', 'the file\'s name works too; JSON in seconds');
    assert.equal((await ok(['config', 'set', 'revoke-on-lock', 'true'])).stdout, 'revoke-on-lock = true\n');
    const json = JSON.parse((await ok(['config', 'get', '--json'])).stdout) as Record<string, unknown>;
    assert.equal(json['revoke-on-lock'], true);

    const bad = await run(['config', 'set', 'request-timeout', '50m']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^keyfob: request-timeout: must be between 1s and 5m$/m);
    const over = await run(['config', 'set', 'default-lease-ttl', '2d']);
    assert.match(over.stderr, /^keyfob: default-lease-ttl: must not exceed max-lease-ttl \(2d > 1d\)$/m, 'the other setting by the name people type');
    const url = await run(['config', 'set', 'url', 'http://127.0.0.1:1']);
    assert.equal(url.code, 2);
    assert.match(url.stderr, /^hint: run `keyfob connect --url URL`/m);

    // A proxy that does not answer within the 1 s just set: the hint names the command that raises it.
    sim.fault('*', { kind: 'hang', count: Infinity });
    try {
      const slow = await run(['models']);
      assert.equal(slow.code, 1, show(slow));
      assert.match(slow.stderr, /did not answer within 1 s/);
      assert.match(slow.stderr, /^hint: .*Raise the request timeout with `keyfob config set request-timeout 30s`\.$/m);
      assert.doesNotMatch(slow.stderr, /in Settings/);
    } finally {
      sim.clearFaults();
    }
    assert.equal((await ok(['config', 'set', 'request-timeout', 'default'])).stdout, 'request-timeout = 10s\n');
    await ok(['config', 'set', 'revoke-on-lock', 'default']);
  });

  it('a revocation the proxy refused: "1 revocation failed; it is retried", and the next command calls it waiting, not tidied', async () => {
    const lease = await issueJson('dev');
    sim.fault('/key/delete', { kind: 'fail', status: 500, count: Infinity });
    try {
      const refused = await run(['lease', 'revoke', '--all']);
      assert.equal(refused.code, 1, show(refused));
      assert.match(refused.stderr, /^hint: 1 revocation failed; it is retried by the next Keyfob command or the desktop app$/m);
      const next = await ok(['lease', 'list']);
      assert.doesNotMatch(next.stderr, /tidied|finished what/, 'nothing was finished: the revocation still waits');
      assert.match(next.stderr, /^keyfob: leases: 1 still being revoked \(retried automatically\)$/m, show(next));
    } finally {
      sim.clearFaults();
    }
    await ok(['lease', 'revoke', lease.lease_id]);
  });

  it('config set max-lease-ttl warns which roles it caps, and how', async () => {
    await ok(['role', 'set', 'wide', '--ttl', '2h', '--max-ttl', '8h']);
    const set = await ok(['config', 'set', 'max-lease-ttl', '1h']);
    assert.match(set.stderr, /^keyfob: warning: this caps roles? .*wide \(max TTL 8h → 1h, TTL 2h → 1h\)/m, show(set));
    const again = await ok(['config', 'set', 'max-lease-ttl', '1h']);
    assert.equal(again.stderr, '', 'nothing newly capped: no warning');
    await ok(['config', 'set', 'max-lease-ttl', 'default']);
    await ok(['role', 'delete', 'wide', '--yes']);
  });

  it('the shortening hint gives an increment that can be pasted: --increment 1h30m, not "1h 30m"', async () => {
    const lease = await issueJson('dev');
    await ok(['lease', 'renew', lease.lease_id, '--increment', '1h30m']);
    const refused = await run(['lease', 'renew', lease.lease_id]);
    assert.equal(refused.code, 2, show(refused));
    assert.match(refused.stderr, /e\.g\. --increment 1h30m\)$/m, show(refused));
    await ok(['lease', 'revoke', lease.lease_id]);
  });

  it('renew never silently shortens a lease: --shorten is required, and a capped renewal shows one expiry', async () => {
    const lease = await issueJson('dev');
    await ok(['lease', 'renew', lease.lease_id, '--increment', '1h']);
    for (const args of [[], ['--increment', '5']]) {
      const refused = await run(['lease', 'renew', lease.lease_id, ...args]);
      assert.equal(refused.code, 2, show(refused));
      assert.match(refused.stderr, new RegExp(`^keyfob: this renewal would shorten lease ${lease.lease_id} by \\d+m( \\d+s)?: it expires in 5\\dm( \\d+s)? \\(at ${LOCAL_CLOCK}\\), and would expire in \\S+( \\S+)? \\(at ${LOCAL_CLOCK}\\)$`, 'm'));
      assert.match(refused.stderr, /^hint: add --shorten to shorten it/m);
    }
    const before = sim.requests.filter((r) => r.path === '/key/update').length;
    const shortened = await ok(['lease', 'renew', lease.lease_id, '--shorten', '--json']);
    assert.equal(sim.requests.filter((r) => r.path === '/key/update').length, before + 1, 'one renewal sent');
    const after = JSON.parse(shortened.stdout) as LeaseJson;
    assert.ok(Date.parse(after.expires_at) - Date.now() < 31 * 60_000, 'back to the role\'s 30m');

    const capped = await ok(['lease', 'renew', lease.lease_id, '--increment', '2d']);
    assert.match(capped.stdout, new RegExp(`^Renewed lease ${lease.lease_id} up to its max TTL: expires in 7h( \\d+m)? \\(at ${LOCAL_CLOCK}\\); it cannot be renewed further\\.\\n$`));
    assert.equal(capped.stderr.trim(), '', 'nothing more on stderr: one expiry, said once');
    await ok(['lease', 'revoke', lease.lease_id]);
  });

  it('times are in the person\'s time zone (TZ honoured) in log, renew and lease list; ISO UTC only in --json', async () => {
    const lease = await issueJson('dev');
    const zone = { TZ: 'Asia/Kolkata' }; // UTC+05:30, no daylight saving: the expected clock is fixed
    const clockIn = (iso: string, offsetMinutes: number): string => new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString().slice(11, 19);

    const renewed = await ok(['lease', 'renew', lease.lease_id, '--increment', '45m', '--json']);
    const expires = (JSON.parse(renewed.stdout) as LeaseJson).expires_at;
    assert.match(expires, /Z$/, '--json stays ISO UTC');
    const list = await ok(['lease', 'list'], { env: zone });
    assert.match(list.stdout, new RegExp(`^${lease.lease_id.slice(0, 8)} .* in \\d+m( \\d+s)? \\(at (\\d{4}-\\d\\d-\\d\\d )?${clockIn(expires, 330)}\\)`, 'm'), `local (+05:30) expiry\n${list.stdout}`);
    const utcList = await ok(['lease', 'list'], { env: { TZ: 'UTC' } });
    assert.match(utcList.stdout, new RegExp(`\\(at (\\d{4}-\\d\\d-\\d\\d )?${clockIn(expires, 0)}\\)`));

    const renewText = await ok(['lease', 'renew', lease.lease_id, '--increment', '50m'], { env: zone });
    assert.match(renewText.stdout, new RegExp(`^Renewed lease ${lease.lease_id}: expires in 4\\dm( \\d+s)? \\(at ${LOCAL_CLOCK}\\)\\.$`, 'm'));

    const log = await ok(['log', '-n', '1'], { env: zone });
    const [entry] = JSON.parse((await ok(['log', '-n', '1', '--json'])).stdout) as Array<{ time: string }>;
    assert.ok(entry, 'entry is set');
    assert.match(log.stdout, /^TIME \(Asia\/(Kolkata|Calcutta)\)\s+ACTION/, 'the zone is named (ICU may give the older name)');
    assert.match(log.stdout, /person: \+50m$/m, 'the renewal increment reads as a duration, not "+3000s"');
    const local = new Date(Date.parse(entry.time) + 330 * 60_000).toISOString();
    assert.match(log.stdout, new RegExp(`^${local.slice(0, 10)} ${local.slice(11, 19)}\\s+renew\\s+ok`, 'm'));
    assert.doesNotMatch(log.stdout, /\dT\d\d:\d\d:\d\d(\.\d+)?Z/, 'no ISO UTC in the text log');
    await ok(['lease', 'revoke', lease.lease_id]);
  });

  it('"ended … ago" is when the lease ended (its expiry), not when the clean-up ran', async () => {
    const lease = await issueJson('dev');
    // The lease ran out ten minutes ago while no Keyfob was running (edited into the ledger, as a stopped clock).
    const ledgerFile = join(home, 'leases.json');
    const ledger = JSON.parse(readFileSync(ledgerFile, 'utf8')) as { leases: Record<string, { expires_at: string }> };
    const entry = ledger.leases[lease.lease_id];
    assert.ok(entry, 'entry is set');
    entry.expires_at = new Date(Date.now() - 10 * 60_000).toISOString();
    writeFileSync(ledgerFile, JSON.stringify(ledger));
    const list = await ok(['lease', 'list', '--all']);
    const row = list.stdout.split('\n').find((l) => l.startsWith(lease.lease_id.slice(0, 8))) ?? '';
    assert.match(row, new RegExp(`\\s(expired|revoked)\\s+ended 10m( \\d+s)? ago \\(at ${LOCAL_CLOCK}\\)`), list.stdout + list.stderr);
  });

  it('role delete of a role with live keys says so and asks; --yes skips the question', async () => {
    await ok(['role', 'set', 'temp', '--ttl', '15m']);
    await issueJson('temp');
    const unanswered = await run(['role', 'delete', 'temp']);
    assert.equal(unanswered.code, 2, show(unanswered));
    assert.match(unanswered.stderr, /^keyfob: role temp has 1 live key, which keeps working until it expires \(`keyfob lease revoke --role temp` ends it now\)\.$/m);
    assert.match(unanswered.stderr, /^hint: answer y on stdin, or add --yes to skip the question$/m);
    const no = await run(['role', 'delete', 'temp'], { stdin: 'n\n' });
    assert.equal(no.code, 1);
    assert.match(no.stderr, /role not deleted/);
    await ok(['role', 'show', 'temp']);
    await issueJson('temp');
    const yes = await ok(['role', 'delete', 'temp'], { stdin: 'y\n' });
    assert.equal(yes.stdout, 'Deleted role temp. Its 2 live keys stay until they expire.\n');
    // The deleted role's leases can still be revoked by its name.
    assert.match((await ok(['lease', 'revoke', '--role', 'temp'])).stdout, /^Revoked 2 leases of role temp\.$/m);
    await ok(['role', 'set', 'temp2', '--ttl', '15m']);
    assert.equal((await ok(['role', 'delete', 'temp2', '--yes'])).stdout, 'Deleted role temp2.\n', 'no leases: no question');
  });

  it('a rejected admin key: one short line per failure, no proxy dump, nothing twice; --verbose and the log keep the details', async () => {
    const [a, b] = [await issueJson('dev'), await issueJson('dev')];
    sim.masterKey = 'sk-messages-rotated-9f00';
    try {
      const r = await run(['lease', 'revoke', '--all']);
      assert.equal(r.code, 1, show(r));
      const lines = r.stderr.trim().split('\n');
      for (const lease of [a, b]) {
        assert.equal(lines.filter((l) => l.includes(lease.lease_id)).length, 1, `one line for ${lease.key_alias}\n${r.stderr}`);
        assert.ok(lines.includes(`keyfob: lease ${lease.lease_id} (${lease.key_alias}) is revoking: your LiteLLM key was rejected: run \`keyfob connect\` with the current key`), r.stderr);
      }
      assert.equal(new Set(lines).size, lines.length, 'no line twice');
      assert.doesNotMatch(r.stderr, /Received API Key|Key Hash|VerificationTokenTable|keep retrying/);
      assert.match(r.stdout, /^Revoked 0 of \d+ leases\.$/m);

      const verbose = await run(['--verbose', 'lease', 'revoke', '--all']);
      assert.match(verbose.stderr, /your LiteLLM key was rejected: run `keyfob connect` with the current key \(The proxy at .* rejected the admin key \(401\): .*Received API Key = sk-\.\.\.[\w-]{4}/);
      assert.ok(!verbose.stderr.includes(MASTER_KEY), 'the key itself is redacted');

      const issue = await run(['issue', 'dev']);
      assert.equal(issue.code, 1);
      assert.match(issue.stderr, /^keyfob: your LiteLLM key was rejected by the proxy \(401\)\nhint: run `keyfob connect` with the current key/m);
      assert.doesNotMatch(issue.stderr, /Received API Key/);
      const verboseIssue = await run(['issue', 'dev', '--verbose']);
      assert.match(verboseIssue.stderr, /^ {2}detail: The proxy at .* rejected the admin key \(401\): .*Received API Key = sk-\.\.\.[\w-]{4}/m);
      assert.ok(!verboseIssue.stderr.includes(MASTER_KEY), '!verboseIssue.stderr.includes(MASTER_KEY) is set');

      const status = await ok(['status']);
      assert.match(status.stdout, /^connection:\s+proxy reachable, but your LiteLLM key was rejected: run `keyfob connect` with the current key$/m);

      const log = await ok(['log', '--json', '-n', '50']);
      assert.match(log.stdout, /Received API Key = sk-\.\.\./, 'the audit log keeps the proxy\'s words');
      assert.ok(!log.stdout.includes(MASTER_KEY) && !/\b[0-9a-f]{64}\b/.test(log.stdout), 'redacted');
    } finally {
      sim.masterKey = MASTER_KEY;
    }
    await ok(['lease', 'revoke', '--all']);
  });

  it('with the keychain out of reach while connected, the notice says so instead of "connect Keyfob"', async () => {
    const lease = await issueJson('dev');
    const ledgerFile = join(home, 'leases.json');
    const ledger = JSON.parse(readFileSync(ledgerFile, 'utf8')) as { leases: Record<string, { expires_at: string }> };
    (ledger.leases[lease.lease_id] as { expires_at: string }).expires_at = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(ledgerFile, JSON.stringify(ledger));
    const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/keyfob-test-bus' };
    const r = await run(['lease', 'list'], { env: noKeychain });
    assert.match(r.stderr, /^keyfob: 1 lease waits to be revoked on the proxy: your LiteLLM key cannot be read from the keychain \(.+\); this finishes once it can\.$/m, show(r));
    assert.doesNotMatch(r.stderr, /connect Keyfob/);
    await ok(['lease', 'list']); // the keychain back: the expired lease is cleaned up
  });
});
