// Vault mode through the built CLI, and the done-when path: `keyfob connect --vault … --method userpass`, `role list`
// shows Vault's roles, `setup claude-code dev` and the real `claude -p` answer with a key whose lease Vault holds,
// `token` reuses the live key with no request, `exec` revokes its key, and `logout` leaves no lease and no key live.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hashKey, llmCalls, SIM_REPLY, startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, baseEnv, collect, keyfob, show, tempHome, type RunResult } from '../cli/harness.js';
import { VaultSimulator } from '../vault-sim/index.js';
import { scanTree } from '../secrets/scan.js';
import { holdPort } from '../support/ports.js';
import { KeytarSecretStore } from '../../main/core/keychain/index.js';
import { keychainServiceFor } from '../../main/core/settings/index.js';

const CLAUDE = join(fileURLToPath(new URL('../tools/', import.meta.url)), 'node_modules', '.bin', 'claude');
const MODELS = ['gpt-4o', 'claude-sonnet-4-5', 'claude-haiku-4-5'];

describe('Vault mode through the built CLI', { concurrency: false }, () => {
  let litellm: Simulator;
  let vault: VaultSimulator;
  let home: string;
  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };
  const connectArgs = (method: string, extra: string[] = []) => ['connect', '--vault', vault.url, '--url', litellm.url, '--mount', 'litellm', '--method', method, ...extra];
  const credsReads = () => vault.requestLog.filter((r) => r.path.startsWith('litellm/creds/')).length;
  const vaultLeaseHolds = (token: string | null) => vault.leases.all().some((l) => hashKey(l.secret.key) === token);

  before(async () => {
    assertBuilt();
    litellm = await startSimulator({ realTime: true, models: MODELS });
    vault = await VaultSimulator.start({
      litellmUrl: litellm.url, realTime: true,
      roles: { dev: { models: MODELS, max_budget: 5, ttl: 3600, max_ttl: 4 * 3600, key_alias_prefix: 'acme', metadata: {} } },
    });
    vault.addUser('alice', { password: 'alice-pw' });
    home = tempHome('vault');
  });
  after(async () => {
    await vault?.close();
    await litellm?.close();
  });

  it('a wrong password fails and stores nothing; the password is never an argument', async () => {
    const bad = await keyfob(connectArgs('userpass', ['--username', 'alice']), { home, stdin: 'nope' });
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /invalid username or password/);
    assert.doesNotMatch(bad.stderr + bad.stdout, /nope/);
    const missing = await keyfob(connectArgs('userpass'), { home, stdin: 'alice-pw' });
    assert.equal(missing.code, 2, show(missing));
    assert.match(missing.stderr, /--username/);
  });

  it('connect --method userpass, status, role list from Vault, role set refused', async () => {
    const connected = ok(await keyfob(connectArgs('userpass', ['--username', 'alice']), { home, stdin: 'alice-pw\n' }));
    assert.match(connected.stdout, /Connected to Vault at http:\/\/127\.0\.0\.1:\d+, engine litellm\//);
    const status = ok(await keyfob(['status'], { home }));
    assert.match(status.stdout, /vault: +http:\/\/127\.0\.0\.1:\d+, engine litellm\/, userpass sign-in/);
    assert.match(status.stdout, /session: +ends at \S+ unless renewed/);
    const roles = ok(await keyfob(['role', 'list'], { home }));
    assert.match(roles.stdout, /^dev\b/m);
    const set = await keyfob(['role', 'set', 'mine', '--ttl', '1h'], { home });
    assert.equal(set.code, 1, show(set));
    assert.match(set.stderr, /roles are defined in Vault: ask your platform team/i);
  });

  it('token reuses the live key with no request; exec revokes its own key', async () => {
    const first = ok(await keyfob(['token', 'dev'], { home })).stdout.trim();
    const reads = credsReads();
    const again = ok(await keyfob(['token', 'dev'], { home })).stdout.trim();
    assert.equal(again, first);
    assert.equal(credsReads(), reads, 'no creds read for a live key');
    assert.ok(vaultLeaseHolds(hashKey(first)), 'Vault holds the lease');
    const exec = ok(await keyfob(['exec', 'dev', '--', process.execPath, '-e', 'process.stdout.write(process.env.OPENAI_API_KEY ? "has-key" : "none")'], { home }));
    assert.equal(exec.stdout, 'has-key');
    assert.equal(credsReads(), reads + 1);
    assert.equal(vault.leases.all().length, 1, 'exec\'s lease was revoked in Vault when the command ended');
    // The secrets scan: neither the key nor the Vault token is in any file of the home (ledger, vault.json, logs).
    const stored = await new KeytarSecretStore({ service: keychainServiceFor(home) }).get('vault-token');
    const token = (JSON.parse(stored ?? '{}') as { token?: string }).token ?? '';
    assert.match(token, /^hvs\./);
    assert.deepEqual(scanTree(home, [first, token]), []);
  });

  it('setup claude-code dev: the real claude answers with a key whose lease Vault holds', async () => {
    assert.ok(existsSync(CLAUDE), `Claude Code is not installed at ${CLAUDE}: (cd test/tools && npm ci)`);
    const userHome = tempHome('vault-user');
    const workdir = tempHome('vault-work');
    ok(await keyfob(['setup', 'claude-code', 'dev'], { home, env: { HOME: userHome } }));
    const from = llmCalls(litellm).length;
    const env = baseEnv(undefined, { HOME: userHome, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1' });
    const argv = [CLAUDE, '-p', 'hi', '--model', 'claude-sonnet-4-5'];
    const answer = await collect(spawn(argv[0] as string, argv.slice(1), { cwd: workdir, env, stdio: ['pipe', 'pipe', 'pipe'] }), '', 60_000, argv);
    assert.equal(answer.code, 0, show(answer));
    assert.ok(answer.stdout.includes(SIM_REPLY), show(answer));
    const tokens = [...new Set(llmCalls(litellm).slice(from).filter((c) => c.route === '/v1/messages').map((c) => c.token))];
    assert.equal(tokens.length, 1, 'one key for the whole run');
    assert.ok(vaultLeaseHolds(tokens[0] ?? null), 'the key\'s lease is held by Vault');
  });

  it('logout: every lease revoked, the token revoked; no lease and no key live', async () => {
    const out = ok(await keyfob(['logout'], { home }));
    assert.match(out.stdout, /signed out of Vault/);
    assert.deepEqual(vault.leases.all(), []);
    assert.deepEqual(litellm.liveKeys(), []);
    const status = ok(await keyfob(['status'], { home }));
    assert.match(status.stdout, /proxy: +not connected/);
    const token = await keyfob(['token', 'dev'], { home });
    assert.notEqual(token.code, 0);
  });

  it('--method oidc: $BROWSER is run on Vault\'s sign-in page, the URL printed too, and the callback signs in', async () => {
    vault.addOidcRole('keyfob', {});
    const browser = `${process.execPath} ${fileURLToPath(new URL('fixtures/fake-browser.mjs', import.meta.url))}`;
    const r = ok(await keyfob(connectArgs('oidc', ['--oidc-role', 'keyfob', '--oidc-port', '0']), { home, env: { BROWSER: browser } }));
    assert.match(r.stderr, /Complete the sign-in in your browser\. If it did not open, visit:\s+http:\/\/127\.0\.0\.1:\d+\/idp\/authorize\?/);
    assert.match(ok(await keyfob(['status'], { home })).stdout, /oidc sign-in/);
    ok(await keyfob(['logout'], { home }));
  });

  it('--method oidc on a port another program holds: the flag\'s problem and what to do, exit 1, nothing asked of Vault', async () => {
    const { port, release } = await holdPort();
    const asked = vault.requestLog.filter((r) => r.path.startsWith('auth/oidc/')).length;
    try {
      const r = await keyfob(connectArgs('oidc', ['--oidc-role', 'keyfob', '--oidc-port', String(port), '--no-browser']), { home });
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, new RegExp(`^keyfob: oidc-port: is taken: another program listens on localhost:${port}\nhint: Close the program using that port, or choose another callback port \\(--oidc-port in the terminal`, 'm'));
    } finally {
      await release();
    }
    assert.equal(vault.requestLog.filter((r) => r.path.startsWith('auth/oidc/')).length, asked, 'no sign-in page was asked for');
    assert.match(ok(await keyfob(['status'], { home })).stdout, /proxy: +not connected/, 'still signed out');
  });

  it('--method token reads the token from stdin', async () => {
    const token = vault.createToken(['default', 'keyfob-developer'], 3600, 7200);
    const r = ok(await keyfob(connectArgs('token'), { home, stdin: token }));
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(token.replace(/\./g, '\\.')));
    ok(await keyfob(['logout'], { home }));
  });
});
