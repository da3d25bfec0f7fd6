// The packaged app's CLI mode (`Keyfob --cli -- ARGS`, what resources/keyfob runs): the real main-process entry
// (main/app.ts) on the fake `electron`, against the simulator and the real keyring. It must run the command and
// exit with its status before any window, tray or IPC handler exists.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import type { CliStreams } from '../../main/cli/command.js';

await import('../support/fake-electron/register.js');
const electron = await import('../support/fake-electron/index.js');
const { fake } = electron;
const { runMainProcess } = await import('../../main/app.js');
const { cliModeArgs } = await import('../../main/electron/cli-mode.js');

const MASTER_KEY = 'sk-cli-mode-master-7c21';
const BINARY = '/opt/Keyfob/keyfob';

interface Captured {
  streams: CliStreams;
  stdout(): string;
  stderr(): string;
}

function capture(stdinText = ''): Captured {
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { streams: { stdin, stdout, stderr, env: { PATH: process.env.PATH } }, stdout: () => out, stderr: () => err };
}

describe('Keyfob --cli', () => {
  let sim: Simulator;
  let root: string;
  let home: string;

  before(async () => {
    sim = await startSimulator({ masterKey: MASTER_KEY });
    root = await mkdtemp(path.join(process.env.KEYFOB_TEST_TMP ?? os.tmpdir(), 'keyfob-cli-mode-'));
    home = path.join(root, 'home');
  });
  after(async () => {
    await sim.close();
    await rm(root, { recursive: true, force: true });
  });
  beforeEach(() => fake.reset());

  /** The launcher's command line on Linux: Chromium switches, --cli, then `--` and the CLI's arguments. */
  const launch = async (args: string[], stdinText = ''): Promise<Captured & { mode: string; exitCode: number | null }> => {
    const io = capture(stdinText);
    const mode = await runMainProcess([BINARY, '--ozone-platform=headless', '--disable-gpu', '--cli', '--', '--home', home, ...args], io.streams);
    return { ...io, mode, exitCode: electron.app.exitCode };
  };

  test('runs commands end to end and exits with their status, with no window, tray or IPC', async () => {
    const connect = await launch(['connect', '--url', sim.url], MASTER_KEY);
    assert.equal(connect.mode, 'cli');
    assert.equal(connect.exitCode, 0, connect.stderr());
    assert.match(connect.stdout(), /^Connected to http:\/\/127\.0\.0\.1:\d+: your LiteLLM key is verified/);

    assert.equal((await launch(['role', 'set', 'dev', '--ttl', '1h30m', '--max-ttl', '8h'])).exitCode, 0);
    const issued = await launch(['issue', 'dev', '--json']);
    assert.equal(issued.exitCode, 0, issued.stderr());
    const lease = JSON.parse(issued.stdout()) as { key_alias: string; expires_at: string; issued_at: string };
    assert.ok(sim.liveKeys().some((k) => k.key_alias === lease.key_alias), 'the key exists on the proxy');
    const generate = [...sim.requests].reverse().find((r) => r.path === '/key/generate');
    assert.equal((generate?.body as { duration?: string } | undefined)?.duration, '5400s', '1h30m goes to LiteLLM as 5400 s');
    assert.ok(Math.abs(Date.parse(lease.expires_at) - Date.parse(lease.issued_at) - 5_400_000) < 10_000);

    assert.equal(fake.windows.length, 0, 'no window');
    assert.equal(fake.trays.length, 0, 'no tray');
    assert.equal(electron.ipcMain.handlers.size, 0, 'no IPC handler');
    assert.equal(electron.app.sandboxEnabled, false, 'the app itself was not started');
  });

  test('a usage error exits 2 with the CLI\'s own message; --version answers without a state directory', async () => {
    const typo = await launch(['isue', 'dev']);
    assert.equal(typo.exitCode, 2);
    assert.match(typo.stderr(), /^keyfob: unknown command "isue": did you mean `issue`\?$/m);
    assert.equal(fake.trays.length, 0);

    const io = capture();
    await runMainProcess([BINARY, '--cli', '--version'], io.streams);
    assert.equal(electron.app.exitCode, 0);
    assert.match(io.stdout(), /^keyfob \d+\.\d+\.\d+\n$/);
  });
});

test('cliModeArgs: only what follows --cli (and its --) is the CLI\'s', () => {
  assert.equal(cliModeArgs([BINARY]), null);
  assert.equal(cliModeArgs([BINARY, '--demo']), null);
  assert.deepEqual(cliModeArgs([BINARY, '--cli']), []);
  assert.deepEqual(cliModeArgs([BINARY, '--ozone-platform=headless', '--cli', '--', 'exec', 'dev', '--', 'env']), ['exec', 'dev', '--', 'env']);
  assert.deepEqual(cliModeArgs(['electron', '.', '--cli', 'status']), ['status']);
});
