// The packaged launcher (build/cli/keyfob) finds the app beside itself whatever the caller's shell set: with CDPATH,
// `cd` searches it for a relative directory and prints where it went, which used to end up in the app's path (issue 21).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from './harness.js';

interface Ran { code: number; stdout: string; stderr: string }

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve) => {
    // execFile's callback comes after the child's streams have closed: the output is complete.
    execFile(file, args, { cwd, env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the packaged launcher', () => {
  it('runs the app beside it when started by a relative path with CDPATH set', async () => {
    const work = mkdtempSync(join(process.env.KEYFOB_TEST_TMP ?? tmpdir(), 'keyfob-launcher-cdpath-'));
    const app = join(work, 'app');
    mkdirSync(join(app, 'resources'), { recursive: true });
    copyFileSync(join(REPO, 'build', 'cli', 'keyfob'), join(app, 'resources', 'keyfob'));
    chmodSync(join(app, 'resources', 'keyfob'), 0o755);
    // A stand-in for the Linux app binary: prints its arguments.
    writeFileSync(join(app, 'keyfob'), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
    chmodSync(join(app, 'keyfob'), 0o755);
    // A decoy that CDPATH would find first for the relative directory `resources`.
    mkdirSync(join(work, 'decoy', 'resources'), { recursive: true });

    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CDPATH: join(work, 'decoy') };
    const r = await run('resources/keyfob', ['status'], app, env);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.stdout, ['--ozone-platform=headless', '--disable-gpu', '--cli', '--', 'status', ''].join('\n'));
    assert.equal(r.stderr, '');
  });
});
