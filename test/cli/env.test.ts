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

  it('an unknown format and an unknown role are usage errors (exit 2), each one line on stderr', async () => {
    assert.equal((await keyfob(['env', 'dev', '--format', 'csh'], { home })).code, 2);
    const r = await keyfob(['env', 'nope'], { home });
    assert.equal(r.code, 2, 'an unknown role is a usage error, as in issue, exec and token');
    assert.match(r.stderr, /no role "nope"|role "nope"/i);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});

/** A model call the way each SDK builds its URL from the variable: OpenAI appends /chat/completions, Anthropic /v1/messages. */
async function callThrough(vars: Record<string, string>): Promise<{ openai: number; anthropic: number }> {
  const openai = await fetch(`${vars.OPENAI_BASE_URL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${vars.OPENAI_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const anthropic = await fetch(`${vars.ANTHROPIC_BASE_URL}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${vars.ANTHROPIC_AUTH_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { openai: openai.status, anthropic: anthropic.status };
}

/** `export NAME='value'` lines, as bash reads them. */
async function evaluated(lines: string, names: string[]): Promise<Record<string, string>> {
  const script = `${lines}\nfor n in ${names.join(' ')}; do printf '%s=%s\\n' "$n" "\${!n}"; done`;
  const { stdout } = await promisify(execFile)('bash', ['-c', script]);
  return Object.fromEntries(stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

// Issue 22: connected with a URL ending in /v1, `keyfob env` printed OPENAI_BASE_URL=…/v1/v1 and an Anthropic client
// called /v1/v1/messages. Every output now gives the base URLs of one rule; each is checked by a real request.
describe('base URLs: one rule for every output, each checked by a real request', () => {
  const cases = [
    { name: 'a URL ending in /v1 (proxy at the root)', rootPath: '', connectPath: '/v1' },
    { name: 'a path prefix /api/v1 (the proxy\'s root path)', rootPath: '/api/v1', connectPath: '/api/v1' },
    { name: 'a path prefix /api, given as /api/v1', rootPath: '/api', connectPath: '/api/v1' },
    { name: 'a bare root', rootPath: '', connectPath: '' },
  ];
  for (const c of cases) {
    it(`${c.name}: env (every format), issue --env and exec`, async () => {
      const sim = await startSimulator({ masterKey: MASTER_KEY, realTime: true, rootPath: c.rootPath, models: ['gpt-4o', 'claude-sonnet-4-5'] });
      try {
        const home = tempHome('env-urls');
        const ok = (r: RunResult): RunResult => {
          assert.equal(r.code, 0, show(r));
          return r;
        };
        ok(await keyfob(['connect', '--url', `${sim.url}${c.connectPath}`], { home, stdin: MASTER_KEY }));
        ok(await keyfob(['role', 'set', 'dev', '--ttl', '1h'], { home }));
        const names = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL'];
        const json = JSON.parse(ok(await keyfob(['env', 'dev', '--format', 'json'], { home })).stdout) as Record<string, string>;
        assert.deepEqual(await callThrough(json), { openai: 200, anthropic: 200 }, `env --format json: ${JSON.stringify(json)}`);
        const sh = await evaluated(ok(await keyfob(['env', 'dev'], { home })).stdout, names);
        assert.deepEqual(await callThrough(sh), { openai: 200, anthropic: 200 }, 'env --format sh');
        for (const format of ['dotenv', 'fish', 'powershell']) {
          const text = ok(await keyfob(['env', 'dev', '--format', format], { home })).stdout;
          assert.ok(text.includes(json.OPENAI_BASE_URL as string) && text.includes(json.ANTHROPIC_BASE_URL as string), `${format} gives the same URLs`);
        }
        const issued = await evaluated(ok(await keyfob(['issue', 'dev', '--env'], { home })).stdout, names);
        assert.deepEqual(await callThrough(issued), { openai: 200, anthropic: 200 }, `issue --env: ${JSON.stringify(issued)}`);
        const printEnv = `process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, process.env[n]]))))`;
        const execd = JSON.parse(ok(await keyfob(['exec', 'dev', '--', process.execPath, '-e', printEnv], { home })).stdout) as Record<string, string>;
        assert.equal(execd.OPENAI_BASE_URL, json.OPENAI_BASE_URL);
        assert.equal(execd.ANTHROPIC_BASE_URL, json.ANTHROPIC_BASE_URL);
      } finally {
        await sim.close();
      }
    });
  }
});

