// The variables every tool reads, and each format's quoting: a value with every troublesome character survives a
// real bash (sh format) unchanged; the other formats are checked against their quoting rules.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { TOOL_ENV_NAMES, formatEnvironment, quoteDotenv, quoteFish, quotePowerShell, toolEnvironment } from '../../../main/core/tools/index.js';

const lease = { lease_id: '11111111-2222-4333-8444-555555555555', expires_at: '2026-03-01T10:00:00.000Z' };
const NASTY = `it's "$HOME" \`id\` \\ ; & | < > * ? ~ ! # %`;

describe('toolEnvironment', () => {
  test('every convention, with /v1 where OpenAI clients expect it and the root elsewhere', () => {
    const env = toolEnvironment(lease, 'sk-abc', 'http://127.0.0.1:4000/');
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
    assert.equal(toolEnvironment({ ...lease, expires_at: null }, 'sk-abc', 'http://x').KEYFOB_EXPIRES_AT, '');
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

  test('powershell: verbatim strings, quotes doubled (typographic ones too)', () => {
    assert.equal(quotePowerShell(`a'b\u2019c$d`), `'a''b\u2019\u2019c$d'`);
    assert.deepEqual(formatEnvironment({ K: 'v' }, 'powershell'), [`$env:K = 'v'`]);
  });

  test('dotenv: literal single quotes, double quotes with escapes when the value holds a quote', () => {
    assert.equal(quoteDotenv('sk-abc$X'), `'sk-abc$X'`);
    assert.equal(quoteDotenv(`it's $X\n`), `"it's \\$X\\n"`);
    assert.deepEqual(formatEnvironment({ K: 'v' }, 'dotenv'), [`K='v'`]);
  });

  test('json: one object', () => {
    assert.deepEqual(JSON.parse(formatEnvironment({ K: NASTY }, 'json').join('\n')), { K: NASTY });
  });
});
