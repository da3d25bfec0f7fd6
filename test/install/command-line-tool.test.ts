// "Install command-line tool" against a temp home: a symlink in ~/.local/bin (Linux) or the mac bin folder, a
// script for an AppImage, the user PATH on Windows (through a fake of the registry value), and undoing each. The
// installed link is run, to show it reaches the app's launcher.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test, type TestContext } from 'node:test';
import { KeyfobError } from '../../main/core/errors.js';
import {
  commandLineToolStatus, installCommandLineTool, uninstallCommandLineTool, type CommandLineToolEnv, type UserPath,
} from '../../main/electron/command-line-tool.js';
import { createApiHandlers } from '../../main/ipc/handlers.js';
import { apiContextForCore } from '../../main/ipc/context.js';
import type { KeyfobCore } from '../../main/core/core-api.js';

const run = promisify(execFile);

async function tempApp(t: TestContext): Promise<{ root: string; home: string; resources: string }> {
  const root = await mkdtemp(path.join(process.env.KEYFOB_TEST_TMP ?? os.tmpdir(), 'keyfob-cli-tool-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const resources = path.join(root, 'Keyfob', 'resources');
  await mkdir(resources, { recursive: true });
  // A stand-in launcher: says it ran, with its arguments.
  await writeFile(path.join(resources, 'keyfob'), '#!/bin/sh\necho "launcher: $*"\n');
  await chmod(path.join(resources, 'keyfob'), 0o755);
  await writeFile(path.join(resources, 'keyfob.cmd'), '@echo off\r\n');
  const home = path.join(root, 'home');
  await mkdir(home);
  return { root, home, resources };
}

test('Linux: links the launcher into ~/.local/bin, says where (and that the folder is not on PATH), and removes it', async (t) => {
  const { home, resources } = await tempApp(t);
  const env: CommandLineToolEnv = { platform: 'linux', home, resourcesPath: resources, pathEnv: '/usr/bin:/bin' };
  const link = path.join(home, '.local', 'bin', 'keyfob');

  assert.deepEqual(await commandLineToolStatus(env), { installed: false, location: null, message: 'The keyfob command is not installed.' });
  const installed = await installCommandLineTool(env);
  assert.equal(installed.installed, true);
  assert.equal(installed.location, link);
  assert.match(installed.message, new RegExp(`^keyfob is installed at ${link}\\. .*\\.local/bin is not on your PATH: add it`));
  assert.equal(await readlink(link), path.join(resources, 'keyfob'));
  assert.equal((await run(link, ['lease', 'list'])).stdout, 'launcher: lease list\n', 'the link runs the launcher');

  const onPath = await commandLineToolStatus({ ...env, pathEnv: `/usr/bin:${path.dirname(link)}` });
  assert.equal(onPath.message, `keyfob is installed at ${link}.`, 'no PATH advice when the folder is on it');
  assert.equal((await installCommandLineTool(env)).installed, true, 'installing again is harmless');

  const removed = await uninstallCommandLineTool(env);
  assert.deepEqual(removed, { installed: false, location: null, message: `Removed ${link}.` });
  await assert.rejects(lstat(link), /ENOENT/);
});

test('a keyfob that is not Keyfob\'s is never replaced or removed', async (t) => {
  const { home, resources } = await tempApp(t);
  const env: CommandLineToolEnv = { platform: 'linux', home, resourcesPath: resources };
  const link = path.join(home, '.local', 'bin', 'keyfob');
  await mkdir(path.dirname(link), { recursive: true });
  await writeFile(link, '#!/bin/sh\necho mine\n');
  await assert.rejects(installCommandLineTool(env), (e: unknown) => e instanceof KeyfobError && /already exists and is not Keyfob's launcher/.test(e.message));
  assert.match((await commandLineToolStatus(env)).message, /exists but is not Keyfob's launcher; it is left alone/);
  await uninstallCommandLineTool(env);
  assert.equal(await readFile(link, 'utf8'), '#!/bin/sh\necho mine\n');
});

test('an AppImage gets a script that runs the AppImage itself in CLI mode', async (t) => {
  const { root, home, resources } = await tempApp(t);
  const appImage = path.join(root, "Key'fob.AppImage");
  await writeFile(appImage, '#!/bin/sh\nprintf "%s\\n" "$@"\n');
  await chmod(appImage, 0o755);
  const env: CommandLineToolEnv = { platform: 'linux', home, resourcesPath: resources, appImage };
  const status = await installCommandLineTool(env);
  assert.equal(status.installed, true);
  const script = path.join(home, '.local', 'bin', 'keyfob');
  assert.equal((await lstat(script)).isSymbolicLink(), false);
  assert.equal((await run(script, ['issue', 'dev', 'a b'])).stdout, ['--ozone-platform=headless', '--disable-gpu', '--cli', '--', 'issue', 'dev', 'a b', ''].join('\n'));
  assert.equal((await uninstallCommandLineTool(env)).installed, false);
  await assert.rejects(lstat(script), /ENOENT/);
});

test('macOS: a link in the bin folder; without permission, the sudo command to run', async (t) => {
  const { root, home } = await tempApp(t);
  const resources = path.join(root, 'Keyfob.app', 'Contents', 'Resources');
  await mkdir(resources, { recursive: true });
  await writeFile(path.join(resources, 'keyfob'), '#!/bin/sh\n');
  const bin = path.join(root, 'usr-local-bin');
  await mkdir(bin);
  const env: CommandLineToolEnv = { platform: 'darwin', home, resourcesPath: resources, macBinDir: bin };
  assert.equal((await installCommandLineTool(env)).location, path.join(bin, 'keyfob'));
  assert.equal(await readlink(path.join(bin, 'keyfob')), path.join(resources, 'keyfob'));
  assert.equal((await uninstallCommandLineTool(env)).installed, false);

  if (process.getuid?.() !== 0) {
    await chmod(bin, 0o555);
    t.after(() => chmod(bin, 0o755));
    await assert.rejects(installCommandLineTool(env), (e: unknown) => e instanceof KeyfobError && /sudo ln -sf/.test(e.hint ?? ''));
  } else {
    t.diagnostic('running as root: the permission case cannot be shown');
  }
});

test('Windows: adds the resources folder to the user PATH once, and takes it away again', async (t) => {
  const { home, resources } = await tempApp(t);
  let value = 'C:\\Windows\\system32;C:\\Tools';
  const userPath: UserPath = { get: async () => value, set: async (v) => void (value = v) };
  const env: CommandLineToolEnv = { platform: 'win32', home, resourcesPath: resources, userPath };
  const status = await installCommandLineTool(env);
  assert.equal(status.installed, true);
  assert.equal(value, `C:\\Windows\\system32;C:\\Tools;${resources}`);
  await installCommandLineTool(env);
  assert.equal(value.split(';').filter((p) => p === resources).length, 1, 'added once');
  assert.match(status.message, /open a new terminal/);
  assert.equal((await uninstallCommandLineTool(env)).installed, false);
  assert.equal(value, 'C:\\Windows\\system32;C:\\Tools');
});

test('from a checkout there is nothing to install: the error says what to run instead', async (t) => {
  const { home } = await tempApp(t);
  await assert.rejects(installCommandLineTool({ platform: 'linux', home, resourcesPath: null }), (e: unknown) => e instanceof KeyfobError && /npm install -g \./.test(e.hint ?? ''));
  // The IPC channel says the same where the app context offers no installer (the window's browser tests).
  const handlers = createApiHandlers(apiContextForCore({} as KeyfobCore, { now: () => 0 }));
  const r = await handlers.commandLineTool('status');
  assert.equal(r.ok, false);
  const wired = createApiHandlers({ ...apiContextForCore({} as KeyfobCore, { now: () => 0 }), commandLineTool: (action) => Promise.resolve({ installed: action === 'install', location: null, message: action }) });
  assert.deepEqual(await wired.commandLineTool('install'), { ok: true, value: { installed: true, location: null, message: 'install' } });
});
