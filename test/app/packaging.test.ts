// The packaging configuration, checked the only way these machines allow: electron-builder `--dir` against a stub
// Electron (Electron itself cannot be downloaded here), then a look inside the app.asar it produced. Needs the build
// (`npm run build`: dist/main, dist/preload/preload.cjs, renderer/dist), which `npm test` runs first.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { extractFile, listPackage } from '@electron/asar';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILT = ['dist/main/app.js', 'dist/preload/preload.cjs', 'renderer/dist/index.html'];

test('electron-builder packs the built main, preload and renderer — and no tests, simulator, sources or maps', { timeout: 180_000 }, async (t) => {
  for (const file of BUILT) assert.ok(existsSync(path.join(REPO_ROOT, file)), `${file} is missing: run \`npm run build\` first`);

  const work = await mkdtemp(path.join(os.tmpdir(), 'keyfob-pack-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  // A stand-in Electron distribution: electron-builder copies it and renames the `electron` executable.
  const stub = path.join(work, 'electron-dist');
  const out = path.join(work, 'out');
  await mkdir(stub);
  await writeFile(path.join(stub, 'electron'), '');
  await chmod(path.join(stub, 'electron'), 0o755);

  const started = performance.now();
  const builder = path.join(REPO_ROOT, 'node_modules', '.bin', 'electron-builder');
  const args = ['--linux', '--dir', '--config', 'electron-builder.yml', `-c.electronDist=${stub}`, '-c.electronVersion=45.5.0', `-c.directories.output=${out}`];
  await promisify(execFile)(builder, args, { cwd: REPO_ROOT, env: { ...process.env, ELECTRON_BUILDER_OFFLINE: '1', CI: '1' }, maxBuffer: 16 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`electron-builder --dir took ${seconds.toFixed(1)} s`);

  const resources = path.join(out, 'linux-unpacked', 'resources');
  assert.ok(existsSync(path.join(out, 'linux-unpacked', 'keyfob')), 'the executable is named after the package');
  const archive = path.join(resources, 'app.asar');
  const files = listPackage(archive, { isPack: false }).map((f) => f.replaceAll('\\', '/'));
  const own = files.filter((f) => !f.startsWith('/node_modules/'));

  for (const file of ['/package.json', '/dist/main/app.js', '/dist/main/core/keyfob-core.js', '/dist/main/electron/tray.js', '/dist/main/ipc/handlers.js', '/dist/preload/preload.cjs', '/renderer/dist/index.html']) {
    assert.ok(files.includes(file), `${file} is packed`);
  }
  assert.ok(own.some((f) => /^\/renderer\/dist\/assets\/.+\.js$/.test(f)), 'the renderer bundle is packed');
  const forbidden = own.filter((f) => /^\/(test|bench|build|main|preload|renderer\/src|seed|\.ci|\.readme)(\/|$)|\.ts$|\.map$|^\/dist\/preload\/(api|preload)\.js$|\/sim\//.test(f));
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
