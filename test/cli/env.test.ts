// `keyfob env` through the real binary: every format carries the same live key as `keyfob token`, with no request
// while the lease is live; the sh form evaluated by bash sets every variable.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { BIN, assertBuilt, baseEnv, keyfob, show, tempHome, type RunResult } from './harness.js';

const MASTER_KEY = 'sk-cli-env-master';

describe('keyfob env', () => {
  let sim: Simulator;
  let home: string;
  let key: string;
  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY, realTime: true });
    home = tempHome('env');
    ok(await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY }));
    ok(await keyfob(['role', 'set', 'dev', '--ttl', '1h'], { home }));
    key = ok(await keyfob(['token', 'dev'], { home })).stdout.trim();
  });

  after(async () => {
    await sim?.close();
  });

  it('sh (the default), evaluated by bash: every variable, the same key as `keyfob token`, no request', async () => {
    sim.clearRequests();
    const names = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_API_BASE', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'LITELLM_PROXY_API_KEY', 'LITELLM_PROXY_API_BASE', 'KEYFOB_LEASE_ID', 'KEYFOB_EXPIRES_AT'];
    const script = `eval "$('${process.execPath}' '${BIN}' env dev)" && for n in ${names.join(' ')}; do printf '%s=%s\\n' "$n" "\${!n}"; done`;
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { env: baseEnv(home) });
    const got = Object.fromEntries(stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(got.OPENAI_API_KEY, key);
    assert.equal(got.ANTHROPIC_AUTH_TOKEN, key);
    assert.equal(got.LITELLM_PROXY_API_KEY, key);
    assert.equal(got.OPENAI_BASE_URL, `${sim.url}/v1`);
    assert.equal(got.OPENAI_API_BASE, `${sim.url}/v1`);
    assert.equal(got.ANTHROPIC_BASE_URL, sim.url);
    assert.equal(got.LITELLM_PROXY_API_BASE, sim.url);
    assert.match(got.KEYFOB_LEASE_ID ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(Date.parse(got.KEYFOB_EXPIRES_AT ?? '') > Date.now());
    assert.equal(sim.requests.length, 0, 'a live lease: no request');
  });

  it('fish, powershell, dotenv and json carry the same values', async () => {
    const json = JSON.parse(ok(await keyfob(['env', 'dev', '--format', 'json'], { home })).stdout) as Record<string, string>;
    assert.equal(json.OPENAI_API_KEY, key);
    assert.equal(Object.keys(json).length, 9);
    assert.ok(ok(await keyfob(['env', 'dev', '--format', 'fish'], { home })).stdout.includes(`set -gx OPENAI_API_KEY '${key}'\n`));
    assert.ok(ok(await keyfob(['env', 'dev', '--format', 'powershell'], { home })).stdout.includes(`$env:OPENAI_API_KEY = '${key}'\n`));
    assert.ok(ok(await keyfob(['env', 'dev', '--format', 'dotenv'], { home })).stdout.includes(`OPENAI_BASE_URL='${sim.url}/v1'\n`));
  });

  it('an unknown format is a usage error; an unknown role one line on stderr', async () => {
    assert.equal((await keyfob(['env', 'dev', '--format', 'csh'], { home })).code, 2);
    const r = await keyfob(['env', 'nope'], { home });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});
