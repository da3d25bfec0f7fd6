// `keyfob` on the PATH from npm: `npm pack` makes a tarball holding bin/ and the built dist/main, and both
// `npm install -g ./keyfob-<version>.tgz` and `npm install -g .` (from the checkout) give a working `keyfob` in a
// throw-away prefix. The installed command is run from outside the checkout, through PATH, against the simulator.
// Dependencies come from the npm cache (--prefer-offline). The installed files are the built dist/ byte for byte,
// so the other CLI tests, which run bin/keyfob.js, test what gets installed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { startSimulator } from '../sim/index.js';
import { REPO, assertBuilt, baseEnv } from '../cli/harness.js';

const exec = promisify(execFile);
const MASTER_KEY = 'sk-global-install-master';

/** npm's own environment: the machine's npm cache (HOME is a temp dir under test/run.sh), no npm_* from a parent npm. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  const cache = path.join(os.userInfo().homedir, '.npm');
  if (existsSync(cache)) env.npm_config_cache = cache;
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

test('npm pack and npm install -g (tarball and checkout) put a working keyfob on the PATH', { timeout: 90_000 }, async (t) => {
  assertBuilt();
  const work = await mkdtemp(path.join(process.env.KEYFOB_TEST_TMP ?? os.tmpdir(), 'keyfob-install-'));
  const sim = await startSimulator({ masterKey: MASTER_KEY });
  t.after(async () => {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  });
  const version = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

  // dist/ is already built by the test command; --ignore-scripts skips `prepare` building it a second time.
  const started = performance.now();
  const packed = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO, env: npmEnv(), maxBuffer: 8 * 1024 * 1024 });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  assert.ok(info, 'info is set');
  assert.equal(info.filename, `keyfob-${version}.tgz`);
  const files = info.files.map((f) => f.path);
  for (const needed of ['package.json', 'bin/keyfob.js', 'dist/main/cli/keyfob.js', 'dist/main/cli/run.js', 'dist/main/core/keyfob-core.js']) {
    assert.ok(files.includes(needed), `${needed} is in the tarball`);
  }
  assert.deepEqual(files.filter((f) => /\.map$|\.ts$|^test\/|^dist\/test\/|^main\/|^renderer\/|^bench\//.test(f)), [], 'no sources, maps or tests');

  const fromTarball = path.join(work, 'prefix-tgz');
  const fromCheckout = path.join(work, 'prefix-checkout');
  await exec('npm', ['install', '-g', '--prefix', fromTarball, '--prefer-offline', path.join(work, info.filename)], { cwd: work, env: npmEnv() });
  await exec('npm', ['install', '-g', '--prefix', fromCheckout, '--prefer-offline', '--ignore-scripts', REPO], { cwd: work, env: npmEnv() });
  t.diagnostic(`npm pack and both installs took ${((performance.now() - started) / 1000).toFixed(1)} s`);

  /** `keyfob ARGS` found through PATH, run from outside the checkout. */
  const keyfob = async (prefix: string, args: string[], opts: { stdin?: string; home?: string } = {}) => {
    const env = baseEnv(opts.home, { PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH ?? ''}` });
    const child = execFile('keyfob', args, { cwd: work, env });
    child.stdin?.end(opts.stdin ?? '');
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  };

  for (const prefix of [fromTarball, fromCheckout]) {
    const v = await keyfob(prefix, ['--version']);
    assert.deepEqual([v.code, v.stdout], [0, `keyfob ${version}\n`], `${prefix}: ${v.stderr}`);
    const typo = await keyfob(prefix, ['isue']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /did you mean `issue`\?/);
  }

  // The tarball's copy is the built dist/ (the checkout's install is a link to the checkout itself).
  const installed = path.join(fromTarball, 'lib', 'node_modules', 'keyfob');
  const builtFiles = listFiles(path.join(REPO, 'dist', 'main')).filter((f) => f.endsWith('.js')).sort();
  assert.deepEqual(listFiles(path.join(installed, 'dist', 'main')).sort(), builtFiles);
  for (const f of builtFiles) {
    assert.ok(readFileSync(path.join(installed, 'dist', 'main', f)).equals(readFileSync(path.join(REPO, 'dist', 'main', f))), `dist/main/${f} is the built one`);
  }

  // End to end through the installed command: connect, a role, a key, the lease, revocation.
  const home = path.join(work, 'keyfob-home');
  const connect = await keyfob(fromTarball, ['connect', '--url', sim.url], { stdin: MASTER_KEY, home });
  assert.equal(connect.code, 0, connect.stderr);
  assert.equal((await keyfob(fromTarball, ['role', 'set', 'dev', '--ttl', '1.5h', '--max-ttl', '8h'], { home })).code, 0);
  const issued = await keyfob(fromTarball, ['issue', 'dev'], { home });
  assert.equal(issued.code, 0, issued.stderr);
  assert.match(issued.stdout, /^sk-\S+\n$/);
  assert.match(issued.stderr, /expires in 1h 29m/);
  assert.equal(sim.liveKeys().length, 1);
  const list = await keyfob(fromTarball, ['lease', 'list'], { home });
  assert.match(list.stdout, /\bdev\s+active\s+in 1h 29m \(at (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\)/, 'the expiry in local time');
  const revoke = await keyfob(fromTarball, ['lease', 'revoke', '--all'], { home });
  assert.equal(revoke.stdout, 'Revoked 1 lease.\n', revoke.stderr);
  assert.equal(sim.liveKeys().length, 0);
});
