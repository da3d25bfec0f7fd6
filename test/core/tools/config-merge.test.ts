// The merges `keyfob setup` makes, as plain functions: formatting kept, broken files refused untouched, a provider
// that had env_key replaced by one with auth only, and the write (backup first, mode kept, atomic).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from '@decimalturn/toml-patch';
import { lineDiff, planClaudeRemove, planClaudeSetup, planCodexRemove, planCodexSetup, writeFileChange } from '../../../main/core/tools/index.js';

const claude = { apiKeyHelper: "'/n' '/k.js' 'token' 'dev'", baseUrl: 'http://127.0.0.1:4000', helperTtlMs: 180_000 };
const codex = { role: 'dev', baseUrl: 'http://127.0.0.1:4000/v1', helper: ['/n', '/k.js', 'token', 'dev'], refreshIntervalMs: 180_000 };

describe('Claude Code settings', () => {
  test('tab indentation and a missing final newline are kept; removal restores the text exactly', () => {
    const text = '{\n\t"model": "opus"\n}';
    const set = planClaudeSetup('/s.json', text, claude, {});
    assert.match(set.after ?? '', /^\{\n\t"model": "opus",\n\t"apiKeyHelper"/);
    assert.ok(!(set.after ?? '').endsWith('\n'));
    assert.equal(planClaudeRemove('/s.json', set.after, claude).after, text);
  });

  test('big integers, duplicate keys and the layout of what setup does not change stay byte for byte (issue 21)', () => {
    const text = '{\n  "big": 12345678901234567890,\n  "dup": 1,\n  "dup": 2,\n  "nested": {"n": 1.0e+3, "s": "\\u00e9"},\n  "env": {"FOO": "1"}\n}\n';
    const set = planClaudeSetup('/s.json', text, { ...claude, models: { ANTHROPIC_MODEL: 'claude-haiku-4-5' } }, {});
    const after = set.after ?? '';
    assert.ok(after.startsWith('{\n  "big": 12345678901234567890,\n  "dup": 1,\n  "dup": 2,\n  "nested": {"n": 1.0e+3, "s": "\\u00e9"},\n'), after);
    assert.match(after, /"env": \{"FOO": "1", "ANTHROPIC_BASE_URL": "http:\/\/127\.0\.0\.1:4000", "CLAUDE_CODE_API_KEY_HELPER_TTL_MS": "180000", "ANTHROPIC_MODEL": "claude-haiku-4-5"\}/);
    assert.equal(JSON.parse(after).apiKeyHelper, claude.apiKeyHelper);
    assert.equal(planClaudeRemove('/s.json', after, { ...claude, models: { ANTHROPIC_MODEL: 'claude-haiku-4-5' } }).after, text, 'removal restores the text exactly');
  });

  test('an 8,000-line file: one edit, the rest untouched, and --print\'s diff is the few lines that changed', () => {
    const lines = Array.from({ length: 8000 }, (_, i) => `  "k${i}": ${i},`);
    const text = `{\n${lines.join('\n')}\n  "last": true\n}\n`;
    const set = planClaudeSetup('/s.json', text, claude, {});
    assert.ok((set.after ?? '').startsWith(`{\n${lines.join('\n')}\n  "last": true,\n`));
    const diff = lineDiff(text, set.after ?? '');
    assert.ok(diff.length < 12, diff.join('\n'));
  });

  test('a file that is not JSON, or not an object, is refused', () => {
    assert.throws(() => planClaudeSetup('/s.json', '{ "model": ', claude, {}), { kind: 'validation' });
    assert.throws(() => planClaudeSetup('/s.json', '[1]', claude, {}), { kind: 'validation' });
  });

  test('a replaced apiKeyHelper is named; a changed value is left by --remove', () => {
    const set = planClaudeSetup('/s.json', '{"apiKeyHelper": "~/bin/get-key.sh"}', claude, {});
    assert.match(set.warnings.join('\n'), /apiKeyHelper was "~\/bin\/get-key.sh"/);
    const edited = (set.after ?? '').replace('180000', '60000');
    const removed = planClaudeRemove('/s.json', edited, claude);
    assert.match(removed.warnings.join('\n'), /CLAUDE_CODE_API_KEY_HELPER_TTL_MS is "60000", not what setup wrote/);
    assert.deepEqual(JSON.parse(removed.after ?? ''), { env: { CLAUDE_CODE_API_KEY_HELPER_TTL_MS: '60000' } });
  });
});

describe('Codex config.toml', () => {
  test('an earlier provider of ours with env_key is replaced by one with auth and no env_key', async () => {
    const text = '[model_providers.keyfob-dev]\nname = "old"\nbase_url = "http://old/v1"\nenv_key = "OPENAI_API_KEY"\n';
    const [config] = await planCodexSetup('/c.toml', text, codex, { path: '/keyfob-dev.config.toml', text: null });
    const doc = parse(config?.after ?? '') as { model_providers: Record<string, { env_key?: string; base_url: string; auth: { args: string[] } }> };
    assert.equal(doc.model_providers['keyfob-dev']?.env_key, undefined);
    assert.equal(doc.model_providers['keyfob-dev']?.base_url, 'http://127.0.0.1:4000/v1');
    assert.deepEqual([...(doc.model_providers['keyfob-dev']?.auth.args ?? [])], ['/k.js', 'token', 'dev']);
    assert.match(config?.warnings.join('\n') ?? '', /replaced/);
  });

  test('broken TOML is refused untouched', async () => {
    await assert.rejects(planCodexSetup('/c.toml', 'model = = 1', codex, { path: '/p.toml', text: null }), { kind: 'validation' });
  });

  test('a profile file holding more than ours keeps the rest on --remove', async () => {
    const profileText = '# mine\nmodel = "gpt-5"\nmodel_provider = "keyfob-dev"\n';
    const changes = await planCodexRemove('/c.toml', null, 'dev', { path: '/keyfob-dev.config.toml', text: profileText });
    const profile = changes.find((c) => c.path === '/keyfob-dev.config.toml');
    assert.equal(profile?.after, '# mine\nmodel = "gpt-5"\n');
  });
});

describe('writeFileChange', () => {
  test('backup first, the previous mode kept, nothing written when nothing changes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-merge-'));
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, '{}\n', { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    const { backup } = writeFileChange({ path: file, before: '{}\n', after: '{"a":1}\n', changed: true, warnings: [] }, Date.parse('2026-03-01T09:00:00Z'));
    assert.equal(backup, `${file}.keyfob-backup-20260301T090000Z`);
    assert.equal(fs.readFileSync(backup as string, 'utf8'), '{}\n');
    assert.equal(fs.readFileSync(file, 'utf8'), '{"a":1}\n');
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(writeFileChange({ path: file, before: 'x', after: 'x', changed: false, warnings: [] }, 0), { backup: null });
    assert.equal(fs.readdirSync(dir).filter((n) => n.includes('.tmp')).length, 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('lineDiff names the lines added and removed', () => {
    assert.deepEqual(lineDiff('a\nb\nc\n', 'a\nc\nd\n'), ['- b', '+ d']);
  });
});
