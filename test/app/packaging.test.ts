// The packaging configuration, checked the only way these machines allow: electron-builder `--dir` against a stub
// Electron (Electron itself cannot be downloaded here), then a look inside the app.asar it produced. Needs the build
// (`npm run build`: dist/main, dist/preload/preload.cjs, renderer/dist), which `npm test` runs first.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { extractFile, listPackage } from '@electron/asar';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILT = ['dist/main/app.js', 'dist/preload/preload.cjs', 'renderer/dist/index.html'];
const require = createRequire(import.meta.url);
const run = promisify(execFile);

// @electron/fuses finds the fuse wire after this sentinel: version 1, then one byte per fuse ('0' off, '1' on).
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's own defaults, in wire order: RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on, asar
// integrity off, only-from-asar off, browser V8 snapshot off, file:// privileges on.
const DEFAULT_WIRE = '10110001';
const FUSES = ['RunAsNode', 'EnableCookieEncryption', 'EnableNodeOptionsEnvironmentVariable', 'EnableNodeCliInspectArguments',
  'EnableEmbeddedAsarIntegrityValidation', 'OnlyLoadAppFromAsar', 'LoadBrowserProcessSpecificV8Snapshot', 'GrantFileProtocolExtraPrivileges'];

/**
 * A stand-in for the Electron binary: a shell script that prints how it was started (each argument on a line, and
 * whether ELECTRON_RUN_AS_NODE was set) and exits 7, carrying a fuse wire in a comment so that electron-builder's
 * fuse step has something to flip.
 */
function standInBinary(): Buffer {
  return Buffer.concat([
    Buffer.from(`#!/bin/sh\n# ${FUSE_SENTINEL}`),
    Buffer.from([1, DEFAULT_WIRE.length]),
    Buffer.from(DEFAULT_WIRE),
    Buffer.from('\nprintf \'%s\\n\' "RUN_AS_NODE=${ELECTRON_RUN_AS_NODE-unset}" "$@"\nexit 7\n'),
  ]);
}

function fuseWire(binary: string): Record<string, boolean> {
  const bytes = readFileSync(binary);
  const at = bytes.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
  assert.equal(bytes[at], 1, 'fuse wire version 1');
  const length = bytes[at + 1] as number;
  return Object.fromEntries(FUSES.slice(0, length).map((name, i) => [name, bytes[at + 2 + i] === 0x31]));
}

test('the builder configuration sets the hardening fuses: no RunAsNode, NODE_OPTIONS or --inspect; only the asar, checked', () => {
  const yaml = require('js-yaml') as { load(text: string): unknown };
  const config = yaml.load(readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as { electronFuses?: Record<string, unknown>; extraResources?: Array<{ from: string; to: string; filter: string[] }> };
  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
  });
  assert.ok(config.extraResources?.some((r) => r.from === 'build/cli' && r.to === '.' && r.filter.includes('keyfob') && r.filter.includes('keyfob.cmd')), 'the launchers are resources');
  for (const file of ['build/cli/keyfob', 'build/cli/keyfob.cmd', 'main/electron/cli-mode.ts', 'main/app.ts']) {
    assert.doesNotMatch(readFileSync(path.join(REPO_ROOT, file), 'utf8'), /ELECTRON_RUN_AS_NODE\s*=/, `${file} never sets ELECTRON_RUN_AS_NODE`);
  }
});

test('electron-builder packs the built main, preload and renderer — and no tests, simulator, sources or maps', { timeout: 180_000 }, async (t) => {
  for (const file of BUILT) assert.ok(existsSync(path.join(REPO_ROOT, file)), `${file} is missing: run \`npm run build\` first`);

  const work = await mkdtemp(path.join(os.tmpdir(), 'keyfob-pack-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  // A stand-in Electron distribution: electron-builder copies it and renames the `electron` executable.
  const stub = path.join(work, 'electron-dist');
  const out = path.join(work, 'out');
  await mkdir(stub);
  await writeFile(path.join(stub, 'electron'), standInBinary());
  await chmod(path.join(stub, 'electron'), 0o755);

  const started = performance.now();
  const builder = path.join(REPO_ROOT, 'node_modules', '.bin', 'electron-builder');
  const args = ['--linux', '--dir', '--config', 'electron-builder.yml', `-c.electronDist=${stub}`, '-c.electronVersion=45.5.0', `-c.directories.output=${out}`];
  await promisify(execFile)(builder, args, { cwd: REPO_ROOT, env: { ...process.env, ELECTRON_BUILDER_OFFLINE: '1', CI: '1' }, maxBuffer: 16 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`electron-builder --dir took ${seconds.toFixed(1)} s`);

  const resources = path.join(out, 'linux-unpacked', 'resources');
  const binary = path.join(out, 'linux-unpacked', 'keyfob');
  assert.ok(existsSync(binary), 'the executable is named after the package');
  assert.deepEqual(fuseWire(binary), {
    RunAsNode: false,
    EnableCookieEncryption: false,
    EnableNodeOptionsEnvironmentVariable: false,
    EnableNodeCliInspectArguments: false,
    EnableEmbeddedAsarIntegrityValidation: true,
    OnlyLoadAppFromAsar: true,
    LoadBrowserProcessSpecificV8Snapshot: false,
    GrantFileProtocolExtraPrivileges: true,
  }, 'the packed binary has its fuses flipped as configured');

  // The launcher is a resource, executable, and runs the packed binary in CLI mode, arguments untouched.
  const launcher = path.join(resources, 'keyfob');
  assert.ok(statSync(launcher).mode & 0o100, 'resources/keyfob is executable');
  assert.ok(existsSync(path.join(resources, 'keyfob.cmd')), 'resources/keyfob.cmd (Windows)');
  const cliArgs = ['lease', 'list', '--json', 'two words', '--', '$HOME'];
  const expected = ['RUN_AS_NODE=unset', '--ozone-platform=headless', '--disable-gpu', '--cli', '--', ...cliArgs].join('\n');
  const direct = await run(launcher, cliArgs).catch((e: { code: number; stdout: string }) => e);
  assert.equal(direct.stdout.trimEnd(), expected);
  assert.equal((direct as { code?: number }).code, 7, "the binary's exit status is the command's");
  // Through a symlink, as "Install command-line tool" puts it on the PATH.
  const bin = path.join(work, 'bin');
  await mkdir(bin);
  await symlink(launcher, path.join(bin, 'keyfob'));
  const linked = await run(path.join(bin, 'keyfob'), cliArgs).catch((e: { stdout: string }) => e);
  assert.equal(linked.stdout.trimEnd(), expected);
  const archive = path.join(resources, 'app.asar');
  const files = listPackage(archive, { isPack: false }).map((f) => f.replaceAll('\\', '/'));
  const own = files.filter((f) => !f.startsWith('/node_modules/'));

  for (const file of ['/package.json', '/dist/main/app.js', '/dist/main/cli/run.js', '/dist/main/electron/cli-mode.js', '/dist/main/core/keyfob-core.js', '/dist/main/electron/tray.js', '/dist/main/ipc/handlers.js', '/dist/preload/preload.cjs', '/renderer/dist/index.html']) {
    assert.ok(files.includes(file), `${file} is packed`);
  }
  assert.ok(own.some((f) => /^\/renderer\/dist\/assets\/.+\.js$/.test(f)), 'the renderer bundle is packed');
  // Every import of the packed main process resolves inside the archive: a relative one to a packed file, a bare one
  // to a packed module, Node or Electron.
  const packedModules = new Set(files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/').slice(2, f.startsWith('/node_modules/@') ? 4 : 3).join('/')));
  const unresolved: string[] = [];
  for (const file of own.filter((f) => /^\/dist\/main\/.+\.js$/.test(f))) {
    const source = extractFile(archive, file.slice(1)).toString('utf8');
    for (const [, spec] of source.matchAll(/^(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"];/gm)) {
      if (!spec) continue;
      if (spec.startsWith('.')) {
        const target = path.posix.join(path.posix.dirname(file), spec);
        if (!files.includes(target)) unresolved.push(`${file} → ${spec}`);
      } else if (!spec.startsWith('node:') && spec !== 'electron') {
        const name = spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
        if (!packedModules.has(name)) unresolved.push(`${file} → ${spec}`);
      }
    }
  }
  assert.deepEqual(unresolved, [], 'every import of the packed main process is packed');
  const forbidden = own.filter((f) => /^\/(test|bench|build|main|preload|renderer\/src|seed|\.ci|\.readme)(\/|$)|\.ts$|\.map$|^\/dist\/preload\/preload\.js$|\/sim\//.test(f));
  assert.deepEqual(forbidden, [], 'no sources, tests, simulator, benchmarks or source maps');

  const pkg = JSON.parse(extractFile(archive, 'package.json').toString('utf8')) as { main: string; devDependencies?: unknown };
  assert.equal(pkg.main, 'dist/main/app.js');
  assert.ok(files.includes(`/${pkg.main}`), 'package.json main is in the archive');
  const modules = new Set(files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/').slice(2, f.startsWith('/node_modules/@') ? 4 : 3).join('/')));
  for (const dependency of ['@github/keytar', 'axios', 'conf', 'electron-store']) assert.ok(modules.has(dependency), `${dependency} is packed`);
  for (const devOnly of ['electron', 'electron-builder', 'vite', 'typescript', 'tsx', 'playwright-core', 'eslint']) assert.equal(modules.has(devOnly), false, `${devOnly} is not packed`);

  // keytar's native binary must be outside the archive to load; the tray images are resources of their own.
  assert.ok(existsSync(path.join(resources, 'app.asar.unpacked', 'node_modules', '@github', 'keytar', 'prebuilds', 'linux-x64', 'keytar.node')));
  const trayImages = await readdir(path.join(resources, 'tray'));
  for (const state of ['idle', 'live', 'expiring', 'error']) {
    for (const variant of ['-light', '-dark', 'Template']) {
      assert.ok(trayImages.includes(`${state}${variant}.png`) && trayImages.includes(`${state}${variant}@2x.png`), `tray/${state}${variant} (1x, 2x)`);
    }
  }
});

test('the launcher finds the binary in a macOS bundle and a Windows install (Git Bash), and says so when the app is gone', async (t) => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'keyfob-launcher-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const contents = path.join(work, 'Keyfob.app', 'Contents');
  await mkdir(path.join(contents, 'Resources'), { recursive: true });
  await mkdir(path.join(contents, 'MacOS'));
  await cp(path.join(REPO_ROOT, 'build', 'cli', 'keyfob'), path.join(contents, 'Resources', 'keyfob'));
  await writeFile(path.join(contents, 'MacOS', 'Keyfob'), standInBinary());
  await chmod(path.join(contents, 'MacOS', 'Keyfob'), 0o755);
  const mac = await run(path.join(contents, 'Resources', 'keyfob'), ['status']).catch((e: { stdout: string; code: number }) => e);
  assert.equal(mac.stdout.trimEnd(), ['RUN_AS_NODE=unset', '--cli', '--', 'status'].join('\n'), 'no Linux display switches on macOS');

  // A Windows install, from Git Bash: resources\keyfob beside ..\Keyfob.exe.
  const win = path.join(work, 'Programs', 'Keyfob');
  await mkdir(path.join(win, 'resources'), { recursive: true });
  await cp(path.join(REPO_ROOT, 'build', 'cli', 'keyfob'), path.join(win, 'resources', 'keyfob'));
  await writeFile(path.join(win, 'Keyfob.exe'), standInBinary());
  await chmod(path.join(win, 'Keyfob.exe'), 0o755);
  const gitBash = await run(path.join(win, 'resources', 'keyfob'), ['role', 'list']).catch((e: { stdout: string }) => e);
  assert.equal(gitBash.stdout.trimEnd(), ['RUN_AS_NODE=unset', '--cli', '--', 'role', 'list'].join('\n'));

  await rm(path.join(contents, 'MacOS'), { recursive: true });
  const gone = await run(path.join(contents, 'Resources', 'keyfob'), ['status']).catch((e: { stderr: string; code: number }) => e);
  assert.equal((gone as { code?: number }).code, 127);
  assert.match(gone.stderr, /the Keyfob app was not found beside .*Resources/);
});
