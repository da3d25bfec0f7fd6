// The real clients, end to end: Claude Code (`claude -p`) and Codex (`codex exec`) after `keyfob setup`, and the
// official OpenAI and Anthropic SDKs after `keyfob env`, against the simulator, each with a throw-away HOME. Every
// request must carry a live Keyfob key of the role; a second run reuses it; after `keyfob lease revoke --all` the
// next run gets a fresh key and the revoked one is refused; with the proxy down or the keychain locked, the client
// shows Keyfob's one-line reason. Nothing is skipped: a client that cannot run fails the test with why.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hashKey, llmCalls, SIM_REPLY, startSimulator, type Simulator } from '../sim/index.js';
import { BIN, assertBuilt, baseEnv, collect, keyfob, show, tempHome, type RunResult } from '../cli/harness.js';
import { withoutSession } from '../support/session-env.js';

const TOOLS = fileURLToPath(new URL('.', import.meta.url));
const CLAUDE = join(TOOLS, 'node_modules', '.bin', 'claude');
const CODEX = join(TOOLS, 'node_modules', '.bin', 'codex');
const MASTER_KEY = 'sk-tools-master';
const MODELS = ['gpt-5', 'gpt-4o', 'claude-sonnet-4-5', 'claude-haiku-4-5'];
const CLIENT_TIMEOUT_MS = 60_000;
const run = promisify(execFile);

/** Fails (never skips) when a client binary is missing or does not start, saying how to get it. */
async function assertRuns(bin: string, name: string): Promise<void> {
  const fix = 'install the test-only clients: (cd test/tools && npm ci) — `npm test` does it';
  assert.ok(existsSync(bin), `${name} is not installed at ${bin}: ${fix}`);
  try {
    await run(bin, ['--version'], { timeout: 30_000 });
  } catch (e) {
    assert.fail(`${name} does not run here (${(e as Error).message.split('\n')[0]}): ${fix}`);
  }
}

interface Setup {
  sim: Simulator;
  home: string;
  userHome: string;
  workdir: string;
}

async function connected(sim: Simulator, roles: string[]): Promise<Setup> {
  const home = tempHome('tools');
  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };
  ok(await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY }));
  for (const role of roles) ok(await keyfob(['role', 'set', role, '--ttl', '1h'], { home }));
  return { sim, home, userHome: tempHome('tools-user'), workdir: tempHome('tools-work') };
}

/** The client's environment: a throw-away HOME and no Keyfob, OpenAI or Anthropic variables from the machine. */
function clientEnv(s: Setup): NodeJS.ProcessEnv {
  return baseEnv(undefined, { HOME: s.userHome, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1' });
}

function runClient(s: Setup, argv: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const [cmd, ...args] = argv as [string, ...string[]];
  return collect(spawn(cmd, args, { cwd: s.workdir, env: { ...clientEnv(s), ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] }), '', CLIENT_TIMEOUT_MS, argv);
}

/**
 * Runs a client that is expected to fail until `shown` appears in what it prints, then stops it: with no proxy both
 * clients keep retrying for a long while after telling the person why.
 */
function runClientUntil(s: Setup, argv: string[], shown: RegExp, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const [cmd, ...args] = argv as [string, ...string[]];
  const child = spawn(cmd, args, { cwd: s.workdir, env: { ...clientEnv(s), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  return new Promise((resolve, reject) => {
    const stop = () => {
      try { process.kill(-(child.pid as number), 'SIGKILL'); } catch { /* already gone */ }
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${argv.join(' ')} did not show ${shown} within ${CLIENT_TIMEOUT_MS} ms:\n${out}`));
    }, CLIENT_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (shown.test(out)) {
        clearTimeout(timer);
        stop();
        resolve(out);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      if (shown.test(out)) resolve(out);
      else reject(new Error(`${argv.join(' ')} ended without showing ${shown}:\n${out}`));
    });
  });
}

const CLAUDE_ARGS = [CLAUDE, '-p', 'say hi', '--model', 'claude-sonnet-4-5'];
const codexArgs = (role: string) => [CODEX, 'exec', '--skip-git-repo-check', '--profile', `keyfob-${role}`, '-m', 'gpt-5', 'say hi'];
const claude = (s: Setup) => runClient(s, CLAUDE_ARGS);
const codex = (s: Setup, role: string) => runClient(s, codexArgs(role));

const setupTool = async (s: Setup, tool: 'claude-code' | 'codex', role: string) => {
  const r = await keyfob(['setup', tool, role], { home: s.home, env: { HOME: s.userHome } });
  assert.equal(r.code, 0, show(r));
};

describe('real clients against the simulator', { concurrency: false }, () => {
  let sim: Simulator;
  let s: Setup;
  const generates = () => sim.requests.filter((r) => r.path === '/key/generate').length;
  /** The key hashes the model routes saw on `route` since `from`. */
  const tokensOn = (route: string, from: number) => llmCalls(sim).slice(from).filter((c) => c.route === route).map((c) => c.token);
  const liveKeyOfRole = (token: string | null, role: string) => {
    const row = sim.liveKeys().find((k) => k.token === token);
    return row?.metadata.keyfob_role === role;
  };

  before(async () => {
    assertBuilt();
    await assertRuns(CLAUDE, 'Claude Code');
    await assertRuns(CODEX, 'Codex');
    sim = await startSimulator({ masterKey: MASTER_KEY, realTime: true, models: MODELS });
    s = await connected(sim, ['dev', 'agent', 'sdk']);
  });

  after(async () => {
    await sim?.close();
  });

  for (const tool of ['claude-code', 'codex'] as const) {
    const role = tool === 'claude-code' ? 'dev' : 'agent';
    const route = tool === 'claude-code' ? '/v1/messages' : '/v1/responses';
    const client = () => (tool === 'claude-code' ? claude(s) : codex(s, role));

    it(`${tool}: a live key of the role, reused on the next run, fresh after revoke --all (the revoked one refused)`, async () => {
      await setupTool(s, tool, role);
      const issuedBefore = generates();
      let from = llmCalls(sim).length;
      const first = await client();
      assert.equal(first.code, 0, show(first));
      assert.ok(first.stdout.includes(SIM_REPLY), show(first));
      const [t1] = tokensOn(route, from);
      assert.ok(t1, `the client called ${route}`);
      assert.ok(tokensOn(route, from).every((t) => t === t1), 'every request carried the same key');
      assert.ok(liveKeyOfRole(t1 ?? null, role), `a live Keyfob key of role ${role}`);
      assert.equal(generates(), issuedBefore + 1);

      from = llmCalls(sim).length;
      const second = await client();
      assert.equal(second.code, 0, show(second));
      assert.deepEqual([...new Set(tokensOn(route, from))], [t1], 'the second run reuses the key');
      assert.equal(generates(), issuedBefore + 1, 'no new /key/generate');

      const oldKey = (await keyfob(['token', role], { home: s.home })).stdout.trim();
      assert.equal(hashKey(oldKey), t1);
      const revoked = await keyfob(['lease', 'revoke', '--all'], { home: s.home });
      assert.equal(revoked.code, 0, show(revoked));
      from = llmCalls(sim).length;
      const third = await client();
      assert.equal(third.code, 0, show(third));
      const [t3] = tokensOn(route, from);
      assert.ok(t3 && t3 !== t1, 'a fresh key');
      assert.ok(liveKeyOfRole(t3 ?? null, role));
      assert.equal(generates(), issuedBefore + 2);
      const refused = await fetch(`${sim.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': oldKey, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(refused.status, 401, 'the revoked key is refused');
    });
  }

  it('a role limited to models neither tool asks for by default: after setup, plain `claude -p` and `codex exec` answer with no --model', async () => {
    const models = ['claude-haiku-4-5', 'gpt-4o'];
    const r = await keyfob(['role', 'set', 'limited', '--models', models.join(','), '--ttl', '1h'], { home: s.home });
    assert.equal(r.code, 0, show(r));
    await setupTool(s, 'claude-code', 'limited');
    await setupTool(s, 'codex', 'limited');
    const from = llmCalls(sim).length;
    const claudeRun = await runClient(s, [CLAUDE, '-p', 'say hi']);
    assert.equal(claudeRun.code, 0, show(claudeRun));
    assert.ok(claudeRun.stdout.includes(SIM_REPLY), show(claudeRun));
    const codexRun = await runClient(s, [CODEX, 'exec', '--skip-git-repo-check', '--profile', 'keyfob-limited', 'say hi']);
    assert.equal(codexRun.code, 0, show(codexRun));
    assert.ok(codexRun.stdout.includes(SIM_REPLY), show(codexRun));
    const calls = llmCalls(sim).slice(from);
    assert.ok(calls.length > 0 && calls.every((c) => c.status === 200 && models.includes(c.model ?? '')), JSON.stringify(calls.map((c) => [c.route, c.model, c.status])));
    assert.ok(calls.some((c) => c.route === '/v1/messages') && calls.some((c) => c.route === '/v1/responses'));
  });

  it('after `setup claude-code` and the `setup shell` line, a revoke never leaves claude on a dead key', async () => {
    await setupTool(s, 'claude-code', 'dev');
    const line = await keyfob(['setup', 'shell', 'dev', '--shell', 'bash'], { home: s.home, env: { HOME: s.userHome } });
    assert.equal(line.code, 0, show(line));
    const keyfobCli = `'${process.execPath}' '${BIN}' --home '${s.home}'`;
    const script = `${line.stdout.trim()}\n${keyfobCli} lease revoke --all >/dev/null || exit 9\nexec ${CLAUDE_ARGS.map((a) => `'${a}'`).join(' ')}`;
    const from = llmCalls(sim).length;
    const r = await runClient(s, ['bash', '-c', script]);
    assert.equal(r.code, 0, show(r));
    assert.ok(r.stdout.includes(SIM_REPLY), show(r));
    const calls = llmCalls(sim).slice(from).filter((c) => c.route === '/v1/messages');
    assert.ok(calls.length > 0 && calls.every((c) => c.status === 200), `no 401: ${JSON.stringify(calls.map((c) => c.status))}`);
  });

  it('the OpenAI and Anthropic SDKs with the variables of `keyfob env`', async () => {
    const from = llmCalls(sim).length;
    const script = `eval "$('${process.execPath}' '${BIN}' env sdk)" && exec '${process.execPath}' sdk-check.mjs`;
    const r = await collect(spawn('bash', ['-c', script], { cwd: TOOLS, env: baseEnv(s.home, { HOME: s.userHome }), stdio: ['pipe', 'pipe', 'pipe'] }), '', CLIENT_TIMEOUT_MS);
    assert.equal(r.code, 0, show(r));
    const got = JSON.parse(r.stdout) as Record<string, string>;
    for (const [what, text] of Object.entries(got)) assert.equal(text, SIM_REPLY, what);
    const key = (await keyfob(['token', 'sdk'], { home: s.home })).stdout.trim();
    const calls = llmCalls(sim).slice(from);
    assert.deepEqual(calls.map((c) => `${c.route}${c.stream ? ' (stream)' : ''}`), [
      '/v1/chat/completions', '/v1/chat/completions (stream)', '/v1/responses', '/v1/responses (stream)', '/v1/messages', '/v1/messages (stream)',
    ]);
    assert.ok(calls.every((c) => c.token === hashKey(key) && c.status === 200), 'every SDK call carried the key of `keyfob env`');
  });

  it('the proxy down: each client shows Keyfob\'s one-line reason', async () => {
    const down = await startSimulator({ masterKey: MASTER_KEY, models: MODELS });
    const d = await connected(down, ['dev']);
    await setupTool(d, 'claude-code', 'dev');
    await setupTool(d, 'codex', 'dev');
    await down.close();
    const reason = /keyfob: Nothing answers at http:\/\/127\.0\.0\.1:\d+[^\n]*/;
    assert.match(await runClientUntil(d, CLAUDE_ARGS, reason), /apiKeyHelper failed: exited 1: keyfob: Nothing answers/);
    assert.match(await runClientUntil(d, codexArgs('dev'), reason), /provider auth command .* exited with status .*: keyfob: Nothing answers/);
  });

  it('the keychain locked: each client shows Keyfob\'s one-line reason', async () => {
    // A private D-Bus session and keyring: locking it must not disturb the tests running beside this one.
    const session = spawn('dbus-run-session', ['--', 'bash', '-c',
      // Ready once the login collection is the default alias AND unlocked: a keyring still starting (or whose login
      // collection is not unlocked yet) refuses secrets with "Cannot create an item in a locked collection". The bus
      // is announced only when ready; a keyring that never gets there (within 60 s: two suites side by side once took
      // over 10 s) ends the session, and the test says so.
      'echo -n keyfob-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && ' +
        'ready() { gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets ' +
        '--method org.freedesktop.Secret.Service.ReadAlias default 2>/dev/null | grep -q collection/login && ' +
        'gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets/collection/login ' +
        '--method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Collection Locked 2>/dev/null | grep -q false; }; ' +
        'for i in $(seq 1200); do ready && break; sleep 0.05; done; ready || exit 1; ' +
        'echo "BUS=$DBUS_SESSION_BUS_ADDRESS" && exec sleep 600'],
    // Its own HOME and none of the suite's session variables: a second gnome-keyring on the suite's HOME shares its
    // keyring files, and one that sees GNOME_KEYRING_CONTROL hands --unlock to the suite's daemon instead of starting.
    { stdio: ['ignore', 'pipe', 'ignore'], detached: true, env: withoutSession('keyfob-tools-keyring-') });
    try {
      const bus = await new Promise<string>((resolve, reject) => {
        let seen = '';
        session.stdout.on('data', (b: Buffer) => {
          seen += b.toString();
          const m = /^BUS=(.+)$/m.exec(seen);
          if (m) resolve(m[1] as string);
        });
        session.on('close', () => reject(new Error(`the private D-Bus session did not start: ${seen}`)));
      });
      const inSession = { DBUS_SESSION_BUS_ADDRESS: bus };
      const d = { sim, home: tempHome('tools-locked'), userHome: tempHome('tools-locked-user'), workdir: tempHome('tools-locked-work') };
      const ok = (r: RunResult): RunResult => {
        assert.equal(r.code, 0, show(r));
        return r;
      };
      ok(await keyfob(['connect', '--url', sim.url], { home: d.home, stdin: MASTER_KEY, env: inSession }));
      ok(await keyfob(['role', 'set', 'locked', '--ttl', '1h'], { home: d.home, env: inSession }));
      ok(await keyfob(['setup', 'claude-code', 'locked'], { home: d.home, env: { ...inSession, HOME: d.userHome } }));
      ok(await keyfob(['setup', 'codex', 'locked'], { home: d.home, env: { ...inSession, HOME: d.userHome } }));
      ok(await keyfob(['token', 'locked'], { home: d.home, env: inSession })); // a live lease: its key is in the keyring
      await run('gdbus', ['call', '--session', '--dest', 'org.freedesktop.secrets', '--object-path', '/org/freedesktop/secrets',
        '--method', 'org.freedesktop.Secret.Service.Lock', "['/org/freedesktop/secrets/collection/login']"], { env: { ...process.env, ...inSession } });
      const reason = /keyfob: The keychain is locked[^\n]*/;
      assert.match(await runClientUntil(d, CLAUDE_ARGS, reason, inSession), /apiKeyHelper failed: exited 1: keyfob: The keychain is locked/);
      assert.match(await runClientUntil(d, codexArgs('locked'), reason, inSession), /provider auth command .*: keyfob: The keychain is locked/);
    } finally {
      try { process.kill(-(session.pid as number), 'SIGTERM'); } catch { /* ended */ }
    }
  });
});
