// The hvac cross-check: Debian's python3-hvac (0.11.2), a real Vault client, drives the simulator through its own
// methods, and the test asserts what hvac parsed. hvac reads the error envelope only under Content-Type
// `application/json`, so wire drift (shown here by serving another Content-Type) makes the check fail.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startPair } from './harness.js';
import type { SimPair } from './harness.js';

const SCRIPT = fileURLToPath(new URL('./hvac_check.py', import.meta.url));
/** Debian's interpreter, where python3-hvac is installed (a pyenv shim on PATH would not see it). */
const PYTHON = '/usr/bin/python3';

let pair: SimPair;
before(async () => { pair = await startPair(); });
after(() => pair.close());

function runHvac(addr: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, addr], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', NO_PROXY: '*' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const DENIED = ['1 error occurred:\n\t* permission denied\n\n'];

describe('hvac 0.11.2 against the Vault simulator', () => {
  test('login, read creds, renew (capped), lookup, revoke, lookup-self, renew-self and errors parse as hvac expects', async () => {
    const run = await runHvac(pair.vault.url);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(out.userpass, { has_token: true, policies: ['default', 'keyfob-developer'], lease_duration: 3600, metadata: { username: 'alice' } });
    assert.equal(out.is_authenticated, true);
    assert.deepEqual(out.creds, { lease_prefix: 'litellm/creds/dev', lease_duration: 600, renewable: true, alias_prefix: 'acme-dev-', key_starts_sk: true, role: 'dev' });
    assert.equal(out.missing_read, null, 'a 404 read is None in hvac');
    assert.deepEqual(out.renew, { same_lease: true, lease_duration: 3600, warnings: ['TTL of "2h" exceeded the effective max_ttl of "1h"; TTL value is capped accordingly'] });
    assert.deepEqual(out.lookup, { same_lease: true, ttl: 3600, renewable: true });
    assert.equal(out.revoke_status, 204);
    assert.deepEqual(out.lookup_after_revoke, { type: 'InvalidRequest', errors: ['invalid lease'] });
    assert.deepEqual(out.lookup_self, { ttl: 3600, path: 'auth/userpass/login/alice', renewable: true });
    assert.deepEqual(out.renew_self, { lease_duration: 600 });
    assert.equal(out.token_login_authenticated, true);
    assert.deepEqual(out.forbidden, { type: 'Forbidden', errors: DENIED });
    assert.deepEqual(out.bad_password, { type: 'InvalidRequest', errors: ['invalid username or password'] });
    assert.equal(pair.litellm.liveKeys().length, 0, 'the revoked lease took its key');
  });

  test('wire drift is caught: with another Content-Type hvac no longer sees the errors', async () => {
    pair.vault.jsonContentType = 'text/plain; charset=utf-8';
    try {
      const run = await runHvac(pair.vault.url);
      const out = run.code === 0 ? (JSON.parse(run.stdout) as Record<string, unknown>) : null;
      assert.notDeepEqual(out?.forbidden, { type: 'Forbidden', errors: DENIED });
    } finally {
      pair.vault.jsonContentType = 'application/json';
    }
  });
});
