// The variables every tool reads, and each format's quoting: a value with every troublesome character survives a
// real bash (sh format) unchanged; dotenv is read back by sh, the npm `dotenv` package and python-dotenv alike.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import dotenv from 'dotenv';
import {
  HELPER_OVERRIDING_NAMES,
  TOOL_ENV_NAMES,
  formatEnvironment,
  quoteDotenv,
  quoteFish,
  quotePowerShell,
  toolBaseUrls,
  toolEnvironment,
  withoutNames,
} from '../../../main/core/tools/index.js';

const lease = { lease_id: '11111111-2222-4333-8444-555555555555', expires_at: '2026-03-01T10:00:00.000Z' };
const NASTY = `it's "$HOME" \`id\` \\ ; & | < > * ? ~ ! # %`;
const ROOT = toolBaseUrls('http://127.0.0.1:4000/', null);

describe('toolEnvironment', () => {
  test('every convention, with /v1 where OpenAI clients expect it and the root elsewhere', () => {
    const env = toolEnvironment(lease, 'sk-abc', ROOT);
    assert.deepEqual(Object.keys(env), [...TOOL_ENV_NAMES]);
    assert.deepEqual(env, {
      OPENAI_API_KEY: 'sk-abc',
      OPENAI_BASE_URL: 'http://127.0.0.1:4000/v1',
      OPENAI_API_BASE: 'http://127.0.0.1:4000/v1',
      ANTHROPIC_AUTH_TOKEN: 'sk-abc',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000',
      LITELLM_PROXY_API_KEY: 'sk-abc',
      LITELLM_PROXY_API_BASE: 'http://127.0.0.1:4000',
      KEYFOB_LEASE_ID: lease.lease_id,
      KEYFOB_EXPIRES_AT: lease.expires_at,
    });
    assert.equal(toolEnvironment({ ...lease, expires_at: null }, 'sk-abc', ROOT).KEYFOB_EXPIRES_AT, '');
  });

  test('a key not of LiteLLM\'s shape (sk- and URL-safe characters) is refused, and never named', () => {
    for (const key of ["sk-a'b", 'sk-a b', 'sk-a`id`', 'sk-a\nb', 'abcd', 'sk-a$b']) {
      assert.throws(() => toolEnvironment(lease, key, ROOT), (e: Error) => /not of LiteLLM's shape/.test(e.message) && !e.message.includes(key));
    }
  });

  test('the shell line\'s variables leave out what Claude Code prefers to its helper', () => {
    const vars = withoutNames(toolEnvironment(lease, 'sk-abc', ROOT), HELPER_OVERRIDING_NAMES);
    assert.equal(vars.ANTHROPIC_AUTH_TOKEN, undefined);
    assert.equal(vars.ANTHROPIC_BASE_URL, undefined);
    assert.equal(vars.OPENAI_API_KEY, 'sk-abc');
  });
});

describe('toolBaseUrls: the one rule', () => {
  test('the form that answered is the root; a trailing /v1 never doubles', () => {
    assert.deepEqual(toolBaseUrls('https://p.example/v1', 'https://p.example'), { openai: 'https://p.example/v1', anthropic: 'https://p.example', litellm: 'https://p.example' });
    assert.deepEqual(toolBaseUrls('https://p.example/v1', null), { openai: 'https://p.example/v1', anthropic: 'https://p.example', litellm: 'https://p.example' });
    // A proxy whose root path is /api/v1 answered there: that is its root.
    assert.deepEqual(toolBaseUrls('https://p.example/api/v1/', 'https://p.example/api/v1'), { openai: 'https://p.example/api/v1/v1', anthropic: 'https://p.example/api/v1', litellm: 'https://p.example/api/v1' });
    assert.deepEqual(toolBaseUrls('https://p.example', 'https://p.example'), { openai: 'https://p.example/v1', anthropic: 'https://p.example', litellm: 'https://p.example' });
  });

  test('a resolved URL that is no form of the bound one is ignored', () => {
    assert.equal(toolBaseUrls('https://p.example/v1', 'https://evil.example').anthropic, 'https://p.example');
  });
});

describe('formats', () => {
  test('sh: a real bash reads back exactly the value, whatever it holds', () => {
    const lines = formatEnvironment({ A: NASTY, B: 'plain' }, 'sh');
    assert.deepEqual(lines.map((l) => l.split('=')[0]), ['export A', 'export B']);
    const out = execFileSync('bash', ['-c', `${lines.join('\n')}\nprintf '%s' "$A"`], { encoding: 'utf8' });
    assert.equal(out, NASTY);
  });

  test('fish: single quotes with \\\\ and \\\' escaped', () => {
    assert.equal(quoteFish(`a'b\\c`), `'a\\'b\\\\c'`);
    assert.deepEqual(formatEnvironment({ K: 'v' }, 'fish'), [`set -gx K 'v'`]);
  });

  test('powershell: verbatim strings, quotes doubled (typographic ones too); nothing else is special in them', () => {
    assert.equal(quotePowerShell(`a'b\u2019c$d`), `'a''b\u2019\u2019c$d'`);
    assert.equal(quotePowerShell('$(calc) `n "x" ; #'), `'$(calc) \`n "x" ; #'`);
    assert.deepEqual(formatEnvironment({ K: 'v' }, 'powershell'), [`$env:K = 'v'`]);
  });

  test('json: one object', () => {
    assert.deepEqual(JSON.parse(formatEnvironment({ K: NASTY }, 'json').join('\n')), { K: NASTY });
  });
});

describe('dotenv: what sh, the dotenv package and python-dotenv all read exactly', () => {
  // Backticks, `$`, `"`, `#`, spaces: sourcing must run nothing and expand nothing, readers must keep them literal.
  const values: Record<string, string> = {
    KEY: 'sk-AbC_12-xyz',
    URL: 'http://127.0.0.1:4000/a`touch PWNED`/"q" #x;y/v1',
    TIME: '2026-03-01T10:00:00.000Z',
    EMPTY: '',
  };
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-dotenv-'));
  const file = join(dir, '.env');
  writeFileSync(file, `${formatEnvironment(values, 'dotenv').join('\n')}\n`);

  test('sh sourcing the file (set -a; . file) runs nothing and reads each value exactly', () => {
    const out = execFileSync('sh', ['-c', `set -a; . ./.env; for n in ${Object.keys(values).join(' ')}; do eval "printf '%s\\0' \\"\\$$n\\""; done`], { cwd: dir, encoding: 'utf8' });
    assert.deepEqual(out.split('\0').slice(0, -1), Object.values(values));
    assert.throws(() => execFileSync('test', ['-e', join(dir, 'PWNED')]), 'the backticks ran nothing');
  });

  test('the npm dotenv package reads each value exactly', () => {
    assert.deepEqual(dotenv.parse(formatEnvironment(values, 'dotenv').join('\n')), values);
  });

  test('python-dotenv reads each value exactly', () => {
    const script = 'import json,sys\nfrom dotenv import dotenv_values\nprint(json.dumps(dotenv_values(sys.argv[1])))';
    const python = ['/usr/bin/python3', 'python3'].find((p) => { try { execFileSync(p, ['-c', 'import dotenv']); return true; } catch { return false; } });
    assert.ok(python, 'python-dotenv is installed (Debian: python3-dotenv; test/run.sh installs it)');
    assert.deepEqual(JSON.parse(execFileSync(python, ['-c', script, file], { encoding: 'utf8' })), values);
  });

  test('a value no quoting serves all three readers is refused, not written wrong (and not named)', () => {
    for (const v of [`it's`, 'a\\b', 'a\nb', 'a\rb', 'a${HOME}b', 'a$b']) assert.throws(() => quoteDotenv(v, 'URL'), (e: Error) => /URL holds a quote, a backslash, a \$ or a line break/.test(e.message) && !e.message.includes(v));
    assert.equal(quoteDotenv('sk-abc_X'), `'sk-abc_X'`);
  });
});
