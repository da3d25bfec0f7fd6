// Runs the real `keyfob` binary (bin/keyfob.js → dist/) the way a person does, with KEYFOB_HOME in a temp dir.
// The test command builds dist/ first (`npm run build`); a stale build fails loudly instead of testing old code.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(REPO, 'bin', 'keyfob.js');
const ENTRY = join(REPO, 'dist', 'main', 'cli', 'keyfob.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Throws with the fix when dist/ is missing or older than main/cli or main/core. */
export function assertBuilt(): void {
  let built: number;
  try {
    built = statSync(ENTRY).mtimeMs;
  } catch {
    throw new Error(`${ENTRY} is missing: run \`npm run build\` before these tests (npm test does).`);
  }
  const sources = Math.max(newestSource(join(REPO, 'main', 'cli')), newestSource(join(REPO, 'main', 'core')));
  if (sources > built) throw new Error('dist/ is older than main/cli or main/core: run `npm run build` before these tests (npm test does).');
}

export function tempHome(label: string): string {
  return mkdtempSync(join(process.env.KEYFOB_TEST_TMP ?? tmpdir(), `keyfob-cli-${label}-`));
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  home?: string;
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** A clean environment: no proxy variables leak in from the machine running the tests. */
export function baseEnv(home: string | undefined, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(OPENAI|ANTHROPIC|KEYFOB)_/.test(k) || k === 'DISPLAY' || k === 'WAYLAND_DISPLAY' || k.startsWith('NODE_')) continue;
    env[k] = v;
  }
  if (home) env.KEYFOB_HOME = home;
  return { ...env, ...extra };
}

export function startKeyfob(args: readonly string[], opts: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: baseEnv(opts.home, opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs keyfob to completion; stdin is closed after `opts.stdin` (or at once). */
export function keyfob(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const child = startKeyfob(args, opts);
  return collect(child, opts.stdin ?? '', opts.timeoutMs ?? 20_000, args);
}

export function collect(child: ChildProcess, stdin: string | null, timeoutMs: number, args: readonly string[] = []): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (stdin !== null) child.stdin?.end(stdin);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keyfob ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Resolves when `text` has appeared on the child's stdout. */
export function waitForOutput(child: ChildProcess, text: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" on stdout within ${timeoutMs} ms (got ${JSON.stringify(seen)})`)), timeoutMs);
    const onData = (d: Buffer | string): void => {
      seen += d.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
  });
}

/** Explains a failed expectation with everything the CLI printed. */
export function show(r: RunResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}
