// The tool registry: every tool has its entry, the model each tool is given follows the role, and the window's
// "Use with…" panel (which cannot import main) says exactly what each registry entry's snippet says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TOOL_IDS, TOOL_REGISTRY, chooseToolModel, isToolId } from '../../../main/core/tools/index.js';
import { snippetsFor } from '../../../renderer/src/screens/use-with.js';

describe('tool registry', () => {
  test('one entry per id, and the ids are the only tool names', () => {
    assert.deepEqual(Object.keys(TOOL_REGISTRY).sort(), [...TOOL_IDS].sort());
    for (const id of TOOL_IDS) assert.equal(TOOL_REGISTRY[id].id, id);
    assert.equal(isToolId('claude-code'), true);
    assert.equal(isToolId('cursor'), false);
  });

  test('the window\'s panel shows each entry\'s label and snippet', () => {
    const panel = snippetsFor('dev', { platform: 'linux', connection: { url: null, admin_key_stored: false, keychain_backend: 'x', session_only: false }, tool_base_urls: null });
    for (const id of TOOL_IDS) {
      const shown = panel.find((s) => s.id === id);
      const entry = TOOL_REGISTRY[id];
      assert.ok(shown, id);
      assert.equal(shown.tool, entry.label);
      assert.equal(shown.setup, id);
      assert.deepEqual({ what: shown.what, commands: shown.commands }, entry.snippet('dev'));
    }
  });
});

describe('chooseToolModel', () => {
  const claude = TOOL_REGISTRY['claude-code'].models;
  const codex = TOOL_REGISTRY.codex.models;
  const cmd = 'keyfob setup TOOL dev';

  test('a role limited to models: the tool\'s preferred family first, and a small model for Claude Code', () => {
    assert.deepEqual({ ...chooseToolModel(claude, { name: 'dev', models: ['gpt-5', 'claude-haiku-4-5', 'claude-opus-4-1', 'claude-sonnet-4-5'] }, cmd), note: '' },
      { model: 'claude-sonnet-4-5', small: 'claude-haiku-4-5', note: '', warnings: [] });
    assert.equal(chooseToolModel(claude, { name: 'dev', models: ['claude-haiku-4-5'] }, cmd).small, 'claude-haiku-4-5');
    assert.equal(chooseToolModel(codex, { name: 'dev', models: ['claude-sonnet-4-5', 'gpt-4o', 'gpt-5-codex'] }, cmd).model, 'gpt-5-codex');
    assert.equal(chooseToolModel(codex, { name: 'dev', models: ['o3', 'gpt-4o'] }, cmd).model, 'gpt-4o');
  });

  test('every model allowed: nothing written; --model wins, warned when the role does not list it', () => {
    assert.equal(chooseToolModel(claude, { name: 'dev', models: [] }, cmd).model, null);
    const pinned = chooseToolModel(claude, { name: 'dev', models: ['claude-haiku-4-5'] }, cmd, 'claude-opus-4-5');
    assert.equal(pinned.model, 'claude-opus-4-5');
    assert.match(pinned.warnings.join(), /role dev does not list claude-opus-4-5/);
    assert.deepEqual(chooseToolModel(claude, { name: 'dev', models: ['claude-*'] }, cmd, 'claude-opus-4-5').warnings, [], 'a wildcard may allow it');
  });

  test('no model the tool can speak: nothing written, a warning naming the role\'s models', () => {
    const none = chooseToolModel(claude, { name: 'dev', models: ['gpt-4o', 'gpt-5'] }, cmd);
    assert.equal(none.model, null);
    assert.match(none.warnings.join(), /role dev allows gpt-4o, gpt-5: none is a model Claude Code can speak/);
    assert.equal(chooseToolModel(codex, { name: 'dev', models: ['claude-sonnet-4-5'] }, cmd).model, null);
  });
});
