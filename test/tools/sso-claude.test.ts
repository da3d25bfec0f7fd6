// Done-when of issue 19, end to end: from a fresh home, `keyfob connect --sso` with a `$BROWSER` script, then
// `keyfob setup claude-code dev` and the real `claude -p`: it answers with a live, role-scoped key owned by the
// signed-in user, and no key was ever typed or pasted. Neither session token reaches any file of the tool or Keyfob.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KeytarSecretStore } from '../../main/core/keychain/index.js';
import { keychainServiceFor } from '../../main/core/settings/index.js';
import { decodeSessionRecord } from '../../main/core/sso/index.js';
import { llmCalls, SIM_REPLY, startSimulator, type Simulator } from '../sim/index.js';
import { REPO, assertBuilt, baseEnv, collect, keyfob, show, tempHome, type RunResult } from '../cli/harness.js';

const TOOLS = fileURLToPath(new URL('.', import.meta.url));
const CLAUDE = join(TOOLS, 'node_modules', '.bin', 'claude');
const BROWSER = `${process.execPath} --import tsx ${join(REPO, 'test', 'sim', 'sso-browser-script.ts')}`;

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found;
}

describe('signed in with SSO, the real Claude Code works with no key typed', () => {
  let sim: Simulator;
  const home = tempHome('sso-tools');
  const userHome = tempHome('sso-tools-user');
  const workdir = tempHome('sso-tools-work');
  const secrets = new KeytarSecretStore({ service: keychainServiceFor(home) });
  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };

  before(async () => {
    assertBuilt();
    assert.ok(existsSync(CLAUDE), `Claude Code is not installed at ${CLAUDE}: (cd test/tools && npm ci) — \`npm test\` does it`);
    await promisify(execFile)(CLAUDE, ['--version'], { timeout: 30_000 });
    sim = await startSimulator({ realTime: true, models: ['claude-sonnet-4-5'] });
    sim.sso.release = '1.100.4';
    sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
  });

  after(async () => {
    await secrets.delete('sso-session').catch(() => false);
    await sim?.close();
  });

  it('connect --sso, setup claude-code dev, claude -p: a live key of role dev owned by alice', async () => {
    const connected = ok(await keyfob(['connect', '--sso', '--url', sim.url], { home, env: { BROWSER }, stdin: '' }));
    assert.match(connected.stdout, /as alice \(signed in with SSO/);
    ok(await keyfob(['role', 'set', 'dev', '--ttl', '1h'], { home }));
    ok(await keyfob(['setup', 'claude-code', 'dev'], { home, env: { HOME: userHome } }));

    const from = llmCalls(sim).length;
    const env = baseEnv(undefined, { HOME: userHome, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1' });
    const argv = [CLAUDE, '-p', 'hi', '--model', 'claude-sonnet-4-5'];
    const answer = await collect(spawn(CLAUDE, argv.slice(1), { cwd: workdir, env, stdio: ['pipe', 'pipe', 'pipe'] }), '', 60_000, argv);
    assert.equal(answer.code, 0, show(answer));
    assert.ok(answer.stdout.includes(SIM_REPLY), show(answer));
    const tokens = new Set(llmCalls(sim).slice(from).filter((c) => c.route === '/v1/messages').map((c) => c.token));
    assert.equal(tokens.size, 1, 'every request carried the same key');
    const row = sim.liveKeys().find((k) => tokens.has(k.token));
    assert.ok(row, 'a live key on the proxy');
    assert.equal(row.metadata.keyfob_role, 'dev');
    assert.equal(row.user_id, 'alice', 'owned by the signed-in user');

    const record = decodeSessionRecord(await secrets.get('sso-session'));
    assert.ok(record, 'record is set');
    for (const file of [...filesUnder(home), ...filesUnder(userHome), ...filesUnder(workdir)]) {
      const text = readFileSync(file, 'latin1');
      assert.equal(text.includes(record.accessToken) || text.includes(record.refreshToken), false, `a session token in ${file}`);
    }
    assert.equal(answer.stdout.includes(record.accessToken) || answer.stderr.includes(record.accessToken), false);
  });
});
