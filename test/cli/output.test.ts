import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { IssuedLease, LeaseView } from '../../main/core/types.js';
import { toolBaseUrls } from '../../main/core/tools/index.js';
import {
  envVariables,
  exportLines,
  formatSpan,
  formatTable,
  isoOrNull,
  issuedJson,
  leaseJson,
  relativeTo,
} from '../../main/cli/output.js';
import { leaseView } from '../support/lease-builder.js';

function lease(over: Partial<LeaseView> = {}): LeaseView {
  return leaseView({
    lease_id: '3f2a9c4e-1b7d-4e0a-9c55-0d8e2f6a7b10',
    key_alias: 'keyfob-dev-3f2a9c4e',
    token_hash: 'a'.repeat(64),
    models: ['gpt-4o-mini'],
    max_budget: 5,
    issued_at: '2026-01-01T00:00:00.000Z',
    expires_at: '2026-01-01T01:00:00+00:00',
    ...over,
  });
}

describe('envVariables (issue --env)', () => {
  it('points OpenAI clients at <root>/v1 and Anthropic clients at the root, from the one rule', () => {
    assert.deepEqual(envVariables('openai', toolBaseUrls('http://localhost:4000', null), 'sk-x'), [
      ['OPENAI_API_KEY', 'sk-x'],
      ['OPENAI_BASE_URL', 'http://localhost:4000/v1'],
    ]);
    assert.deepEqual(envVariables('anthropic', toolBaseUrls('http://localhost:4000/v1', 'http://localhost:4000'), 'sk-x'), [
      ['ANTHROPIC_BASE_URL', 'http://localhost:4000'],
      ['ANTHROPIC_AUTH_TOKEN', 'sk-x'],
    ]);
  });

  it('gives both sets for "both" and keeps a path prefix', () => {
    const names = envVariables('both', toolBaseUrls('https://gw.example.com/litellm', null), 'sk-k').map(([n, v]) => `${n}=${v}`);
    assert.deepEqual(names, [
      'OPENAI_API_KEY=sk-k',
      'OPENAI_BASE_URL=https://gw.example.com/litellm/v1',
      'ANTHROPIC_BASE_URL=https://gw.example.com/litellm',
      'ANTHROPIC_AUTH_TOKEN=sk-k',
    ]);
  });

  it('prints exports a shell can eval', () => {
    const lines = exportLines(envVariables('openai', toolBaseUrls("http://h:1/it's", null), 'sk-q_1'));
    const out = execFileSync('sh', ['-c', `${lines.join('\n')}\nprintf '%s|%s' "$OPENAI_API_KEY" "$OPENAI_BASE_URL"`], { encoding: 'utf8' });
    assert.equal(out, "sk-q_1|http://h:1/it's/v1");
  });

  it('refuses a key that is not of LiteLLM\'s shape', () => {
    assert.throws(() => envVariables('openai', toolBaseUrls('http://h:1', null), "sk-'q"), /not of LiteLLM's shape/);
  });
});

describe('JSON shapes', () => {
  it('issue --json: exactly the promised fields, times in ISO-8601 UTC', () => {
    const issued: IssuedLease = { lease: lease(), key: 'sk-secret' };
    const shape = issuedJson(issued);
    assert.deepEqual(Object.keys(shape), [
      'lease_id', 'key', 'key_alias', 'role', 'models', 'max_budget', 'issued_at', 'expires_at', 'max_expires_at', 'renewable',
    ]);
    assert.equal(shape.expires_at, '2026-01-01T01:00:00.000Z');
    assert.equal(shape.max_expires_at, null);
  });

  it('lease list --json: the same fields without the key, plus state', () => {
    const shape = leaseJson(lease({ state: 'revoked' }));
    assert.deepEqual(Object.keys(shape), [
      'lease_id', 'key_alias', 'role', 'models', 'max_budget', 'issued_at', 'expires_at', 'max_expires_at', 'renewable', 'state',
    ]);
    assert.equal(shape.state, 'revoked');
    assert.ok(!JSON.stringify(shape).includes('sk-'), 'no key or key hint in lease JSON');
  });

  it('no budget is null in JSON, not 0 (which would read as "a budget of nothing")', () => {
    assert.equal(leaseJson(lease({ max_budget: 0 })).max_budget, null);
    assert.equal(issuedJson({ lease: lease({ max_budget: 0 }), key: 'sk-secret' }).max_budget, null);
    assert.equal(leaseJson(lease({ max_budget: 5 })).max_budget, 5);
  });

  it('isoOrNull normalises offsets and keeps null', () => {
    assert.equal(isoOrNull('2026-04-12T04:23:03.213899Z'), '2026-04-12T04:23:03.213Z');
    assert.equal(isoOrNull('2026-04-12T06:23:03+02:00'), '2026-04-12T04:23:03.000Z');
    assert.equal(isoOrNull(null), null);
  });
});

describe('time and tables', () => {
  it('formats spans with the two largest units', () => {
    assert.equal(formatSpan(0), '0s');
    assert.equal(formatSpan(45), '45s');
    assert.equal(formatSpan(3600), '1h');
    assert.equal(formatSpan(3661), '1h 1m');
    assert.equal(formatSpan(86_400 + 7200 + 5), '1d 2h');
    assert.equal(formatSpan(86_400 + 5), '1d');
  });

  it('describes instants relative to now', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(relativeTo('2026-01-01T00:30:00Z', now), 'in 30m');
    assert.equal(relativeTo('2025-12-31T23:55:00Z', now), '5m ago');
    assert.equal(relativeTo(null, now), 'never');
  });

  it('aligns columns', () => {
    assert.deepEqual(formatTable(['A', 'BB'], [['xxx', 'y'], ['z', 'w']]), ['A    BB', 'xxx  y', 'z    w']);
  });
});
