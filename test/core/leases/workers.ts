// Child Keyfob processes for the crash and concurrency tests (see fixtures/lease-worker.ts).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { WorkerPlan } from './fixtures/lease-worker.js';
import type { Harness } from './helpers.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const WORKER = path.join(here, 'fixtures', 'lease-worker.ts');

export interface Worker {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runWorker(h: Harness, plan: Omit<WorkerPlan, 'stateDir' | 'service'>): Worker {
  const full: WorkerPlan = { stateDir: h.stateDir, service: h.service, ...plan };
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(full)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
      buffer = buffer.slice(nl + 1);
    }
  });
  // 'close', not 'exit': a worker's last lines are in `lines` only once its stdout has drained.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, lines, exited };
}

/** Waits (real time, bounded) for something another process or the simulator does; fails with `what` if it never does. */
export async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Kills a worker with SIGKILL and waits until it is gone (reaped: its pid no longer answers). */
export async function killWorker(worker: Worker): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine (the kill loops' seeds). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Real time between a worker's start and its kill: the kill loops hit random points of a real process. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
