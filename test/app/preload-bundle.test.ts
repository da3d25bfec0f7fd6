// The preload as Electron's sandbox will load it: built with vite.preload.config.ts into one CommonJS file that
// requires nothing but `electron` (a sandboxed preload cannot load other modules), and that exposes window.keyfob.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { test } from 'node:test';
import { build } from 'vite';
import { INVOKE_CHANNELS, channelName } from '../../preload/api.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the preload bundles to sandbox-compatible CommonJS that only requires electron', async (t) => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'keyfob-preload-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  await build({ configFile: path.join(REPO_ROOT, 'vite.preload.config.ts'), logLevel: 'error', build: { outDir: out } });
  const code = await readFile(path.join(out, 'preload.cjs'), 'utf8');

  assert.deepEqual([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]), ['electron']);
  assert.doesNotMatch(code, /^\s*import\s|^\s*export\s/m, 'no ES module syntax');

  // Run it the way the sandbox does: CommonJS with a `require` that knows only electron.
  const exposed = new Map<string, Record<string, (...args: unknown[]) => unknown>>();
  const invoked: unknown[][] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: Record<string, (...args: unknown[]) => unknown>) => exposed.set(key, api) },
    ipcRenderer: { invoke: (...args: unknown[]) => invoked.push(args), on: () => undefined, removeListener: () => undefined },
  };
  const require = (name: string): unknown => {
    if (name !== 'electron') throw new Error(`the sandbox cannot require ${name}`);
    return electron;
  };
  runInNewContext(code, { require, module: { exports: {} }, exports: {} });
  const api = exposed.get('keyfob');
  assert.ok(api, 'window.keyfob exposed');
  api.issue?.('dev');
  api.auditLog?.();
  assert.deepEqual(invoked, [[channelName('issue'), 'dev'], [channelName('auditLog')]]);
  assert.equal(INVOKE_CHANNELS.every((c) => typeof api[c] === 'function'), true);
});
