// End to end through the real binary: `keyfob exec` runs a command with a fresh lease, and after the command
// succeeds, fails or is interrupted, the proxy holds no key of that lease.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, collect, keyfob, show, startKeyfob, tempHome, waitForOutput, type RunResult } from './harness.js';

const MASTER_KEY = 'sk-cli-exec-master';

/** A child that proves the key works: one real /chat/completions call with the variables it was given. */
const CALL_PROXY = `
const key = process.env.OPENAI_API_KEY;
const res = await fetch(process.env.OPENAI_BASE_URL + '/chat/completions', {
  method: 'POST',
  headers: { authorization: 'Bearer ' + key, 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
});
console.log('lease=' + process.env.KEYFOB_LEASE_ID + ' status=' + res.status + ' anthropic=' + (process.env.ANTHROPIC_AUTH_TOKEN === key));
`;

describe('keyfob exec', () => {
  let sim: Simulator;
  let home: string;

  /** The lease id keyfob announced on stderr. */
  const leaseIdOf = (r: RunResult): string => {
    const id = /exec with lease ([0-9a-f-]{36})/.exec(r.stderr)?.[1];
    assert.ok(id, `no lease announced\n${show(r)}`);
    return id;
  };
  /** Keys of a lease still in the proxy's database (expired or not): revocation deletes them. */
  const keysOf = (leaseId: string) => sim.keys().filter((k) => k.metadata.keyfob_lease_id === leaseId);

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY, models: ['gpt-4o-mini'] });
    home = tempHome('exec');
    const connect = await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY });
    assert.equal(connect.code, 0, show(connect));
    const role = await keyfob(['role', 'set', 'dev', '--ttl', '30m', '--max-ttl', '2h'], { home });
    assert.equal(role.code, 0, show(role));
  });

  after(async () => {
    await sim?.close();
  });

  it('runs a command that uses the key, then revokes it', async () => {
    const [both, anthropicOnly] = await Promise.all([
      keyfob(['exec', 'dev', '--', process.execPath, '--input-type=module', '-e', CALL_PROXY], { home }),
      keyfob(['exec', 'dev', '--env', 'anthropic', '--', process.execPath, '-e',
        'console.log([process.env.OPENAI_API_KEY, process.env.ANTHROPIC_BASE_URL, process.env.ANTHROPIC_AUTH_TOKEN?.slice(0, 3)].map(String).join(" "))'], { home }),
    ]);
    assert.equal(both.code, 0, show(both));
    const leaseId = leaseIdOf(both);
    assert.equal(both.stdout.trim(), `lease=${leaseId} status=200 anthropic=true`, 'the child reached the proxy with its key');
    assert.deepEqual(keysOf(leaseId), [], 'the key is deleted once the command exits');

    assert.equal(anthropicOnly.code, 0, show(anthropicOnly));
    assert.equal(anthropicOnly.stdout.trim(), `undefined ${sim.url} sk-`);
    assert.deepEqual(keysOf(leaseIdOf(anthropicOnly)), []);
  });

  it('sets exactly the variables `keyfob env` prints; --env openai|anthropic only that family and KEYFOB_*', async () => {
    // The child prints every proxy-related variable it was given, by name.
    const SHOW_VARS = 'console.log(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(OPENAI|ANTHROPIC|LITELLM|KEYFOB)_/.test(k) && k !== "KEYFOB_HOME"))))';
    const printed = await keyfob(['env', 'dev', '--format', 'json'], { home });
    assert.equal(printed.code, 0, show(printed));
    const envVars = JSON.parse(printed.stdout) as Record<string, string>;
    const [all, openai, anthropic] = await Promise.all([
      keyfob(['exec', 'dev', '--', process.execPath, '-e', SHOW_VARS], { home }),
      keyfob(['exec', 'dev', '--env', 'openai', '--', process.execPath, '-e', SHOW_VARS], { home }),
      keyfob(['exec', 'dev', '--env', 'anthropic', '--', process.execPath, '-e', SHOW_VARS], { home }),
    ]);
    for (const r of [all, openai, anthropic]) assert.equal(r.code, 0, show(r));
    const seen = (r: RunResult): Record<string, string> => JSON.parse(r.stdout) as Record<string, string>;
    const got = seen(all);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(envVars).sort(), 'the same names as keyfob env');
    assert.equal(got.KEYFOB_LEASE_ID, leaseIdOf(all));
    for (const name of ['OPENAI_BASE_URL', 'OPENAI_API_BASE', 'ANTHROPIC_BASE_URL', 'LITELLM_PROXY_API_BASE']) assert.equal(got[name], envVars[name], name);
    assert.match(got.OPENAI_API_KEY ?? '', /^sk-/);
    assert.notEqual(got.OPENAI_API_KEY, envVars.OPENAI_API_KEY, 'exec issues a lease of its own');
    assert.equal(got.ANTHROPIC_AUTH_TOKEN, got.OPENAI_API_KEY);
    assert.equal(got.LITELLM_PROXY_API_KEY, got.OPENAI_API_KEY);
    assert.match(got.KEYFOB_EXPIRES_AT ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(Object.keys(seen(openai)).sort(), ['KEYFOB_EXPIRES_AT', 'KEYFOB_LEASE_ID', 'OPENAI_API_BASE', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']);
    assert.deepEqual(Object.keys(seen(anthropic)).sort(), ['ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'KEYFOB_EXPIRES_AT', 'KEYFOB_LEASE_ID']);
    // The lease `keyfob env` made is left for the tools; the exec leases are gone.
    const revoke = await keyfob(['lease', 'revoke', envVars.KEYFOB_LEASE_ID ?? ''], { home });
    assert.equal(revoke.code, 0, show(revoke));
  });

  it("exits with a failing command's status, and revokes", async () => {
    const failed = await keyfob(['exec', 'dev', '--', process.execPath, '-e', 'process.exit(7)'], { home });
    assert.equal(failed.code, 7, show(failed));
    assert.deepEqual(keysOf(leaseIdOf(failed)), []);
  });

  it('looks the command up before issuing a key: not found is 127, not executable 126, and no key is issued', async () => {
    const generated = () => sim.requests.filter((r) => r.path === '/key/generate').length;
    const before = generated();
    const script = join(home, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const [notFound, notExecutable, missingPath] = await Promise.all([
      keyfob(['exec', 'dev', '--', 'keyfob-no-such-command-here'], { home }),
      keyfob(['exec', 'dev', '--', script], { home }),
      keyfob(['exec', 'dev', '--', './no/such/file'], { home }),
    ]);
    assert.equal(notFound.code, 127, show(notFound));
    assert.match(notFound.stderr, /^keyfob: keyfob-no-such-command-here: command not found$/m);
    assert.equal(notExecutable.code, 126, show(notExecutable));
    assert.match(notExecutable.stderr, /cannot run .*not-executable\.sh: permission denied/);
    assert.equal(missingPath.code, 127, show(missingPath));
    for (const r of [notFound, notExecutable, missingPath]) assert.doesNotMatch(r.stderr, /exec with lease/, show(r));
    assert.equal(generated(), before, 'no key was issued');
  });

  it('passes SIGINT to the command, waits for it, revokes, and exits 130', async () => {
    // The child answers SIGINT after a short clean-up of its own, as real programs do.
    const child = startKeyfob(['exec', 'dev', '--', process.execPath, '-e', `
      process.on('SIGINT', () => { console.log('child got SIGINT'); setTimeout(() => process.exit(130), 50); });
      console.log('ready ' + process.env.KEYFOB_LEASE_ID);
      setInterval(() => {}, 1000);`], { home });
    const done = collect(child, '', 20_000, ['exec', '(SIGINT)']);
    await waitForOutput(child, 'ready');
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, show(r));
    assert.match(r.stdout, /child got SIGINT/);
    assert.deepEqual(keysOf(leaseIdOf(r)), [], 'the key is deleted after the interruption');
  });

  it('reports a command killed by a signal as 128+N', async () => {
    const child = startKeyfob(['exec', 'dev', '--', process.execPath, '-e', 'console.log("ready"); setInterval(() => {}, 1000)'], { home });
    const done = collect(child, '', 20_000, ['exec', '(SIGTERM)']);
    await waitForOutput(child, 'ready');
    child.kill('SIGTERM');
    const r = await done;
    assert.equal(r.code, 143, show(r));
    assert.deepEqual(keysOf(leaseIdOf(r)), []);
  });

  it('keeps the lease renewed while the command runs', async () => {
    // A proxy whose clock follows wall time, and a 2-second TTL: without renewal the key would die under the command.
    const live = await startSimulator({ masterKey: MASTER_KEY, realTime: true });
    try {
      const liveHome = tempHome('exec-renew');
      assert.equal((await keyfob(['connect', '--url', live.url], { home: liveHome, stdin: MASTER_KEY })).code, 0);
      assert.equal((await keyfob(['role', 'set', 'quick', '--ttl', '2s', '--max-ttl', '1h'], { home: liveHome })).code, 0);
      // The command holds until the test writes a line to its stdin (keyfob passes its stdin through).
      const child = startKeyfob(['exec', 'quick', '--', process.execPath, '-e',
        'console.log("ready"); process.stdin.once("data", () => fetch(process.env.OPENAI_BASE_URL + "/chat/completions", { method: "POST", headers: { authorization: "Bearer " + process.env.OPENAI_API_KEY, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-4o-mini", messages: [] }) }).then((r) => { console.log("status=" + r.status); process.exit(0); }))'], { home: liveHome });
      const done = collect(child, null, 30_000, ['exec', '(renewal)']);
      await waitForOutput(child, 'ready');
      const renewed = (): boolean => live.requests.filter((r) => r.path === '/key/update' && r.status === 200).length >= 2;
      const deadline = Date.now() + 15_000;
      while (!renewed() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(renewed(), 'renewed twice while the command ran');
      child.stdin?.end('go\n');
      const r = await done;
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /status=200/, 'the key still works after several of its 2-second TTLs');
      assert.deepEqual(live.keys(), [], 'and it is deleted when the command ends');
    } finally {
      await live.close();
    }
  });

  it('says nothing about other processes\' leases: no "Key expiring soon" for a key it does not use', async () => {
    const otherHome = tempHome('exec-others');
    assert.equal((await keyfob(['connect', '--url', sim.url], { home: otherHome, stdin: MASTER_KEY })).code, 0);
    assert.equal((await keyfob(['role', 'set', 'short', '--ttl', '3m'], { home: otherHome })).code, 0);
    assert.equal((await keyfob(['role', 'set', 'dev', '--ttl', '30m'], { home: otherHome })).code, 0);
    // Issued by a process that has ended, 3 minutes left: inside the expiring-soon window, and nobody renews it.
    const other = await keyfob(['issue', 'short'], { home: otherHome });
    assert.equal(other.code, 0, show(other));
    const r = await keyfob(['exec', 'dev', '--', process.execPath, '-e', ''], { home: otherHome });
    assert.equal(r.code, 0, show(r));
    assert.doesNotMatch(r.stderr, /expiring soon|keyfob-short-/i, show(r));
    assert.equal((await keyfob(['lease', 'revoke', '--all'], { home: otherHome })).code, 0);
  });

  it('refuses bad usage with exit 2 before issuing anything', async () => {
    const before = sim.keys().length;
    const results = await Promise.all([
      keyfob(['exec', 'dev', 'node', '-v'], { home }),
      keyfob(['exec', 'dev', '--'], { home }),
      keyfob(['exec', '--', 'node'], { home }),
      keyfob(['exec', 'dev', '--env', 'cohere', '--', 'node'], { home }),
    ]);
    for (const r of results) assert.equal(r.code, 2, show(r));
    assert.match(results[0]?.stderr ?? '', /--: is required before the command/);
    assert.match(results[1]?.stderr ?? '', /COMMAND: is required after `--`/);
    assert.match(results[2]?.stderr ?? '', /ROLE: missing/);
    assert.match(results[3]?.stderr ?? '', /--env: must be openai or anthropic/);
    assert.equal(sim.keys().length, before, 'no key was issued');
  });

  it('leaves no live lease behind', async () => {
    const list = await keyfob(['lease', 'list', '--json'], { home });
    assert.equal(list.code, 0, show(list));
    assert.deepEqual(JSON.parse(list.stdout), []);
    assert.deepEqual(sim.keys(), []);
  });
});
