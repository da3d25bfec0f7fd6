// Two `keyfob role set` at once, or the CLI beside the window: every save must land. config.json's read-modify-write
// runs under a cross-process lock; without it a later write carries the file it read and drops the other's role.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openSettingsStore } from '../../../main/core/settings/settings-store.js';

const WRITER = path.join(import.meta.dirname, 'fixtures', 'role-writer.ts');

function runWriter(stateDir: string, prefix: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, stateDir, prefix, String(count)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    // 'close', not 'exit': the stderr quoted on failure is complete only once it has drained.
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`role writer ${prefix} exited ${code}: ${stderr}`))));
  });
}

test('four processes saving roles at once: every role lands, none is lost', async () => {
  const stateDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-settings-lock-')), 'state');
  openSettingsStore({ stateDir }); // creates the file, so every writer starts from the same document
  const writers = ['a', 'b', 'c', 'd'];
  await Promise.all(writers.map((prefix) => runWriter(stateDir, prefix, 15)));

  const names = Object.keys(openSettingsStore({ stateDir }).read().roles).sort();
  const expected = writers.flatMap((prefix) => Array.from({ length: 15 }, (_, i) => `${prefix}-${i}`)).sort();
  assert.deepEqual(names, expected);
  assert.ok(!fs.existsSync(path.join(stateDir, 'config.lock')), 'the lock is released');
});
