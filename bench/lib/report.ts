// The results as one markdown table: what was measured, the number, the target and whether it was met.
import os from 'node:os';
import type { BenchKeychain } from './keyring.js';

export interface Row {
  area: string;
  measure: string;
  result: string;
  /** Empty when the issue sets no target (reported for information). */
  target?: string;
  met?: boolean;
}

export interface BenchContext {
  keychain: BenchKeychain;
  /** Progress on stderr, so stdout carries only the table. */
  log(message: string): void;
}

export interface Section {
  name: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

export interface RunInfo {
  started: Date;
  seconds: number;
  keychain: string;
  /** The 1-minute load average when the run started: other work on the machine shows in every number. */
  loadAtStart: number;
}

export function machineLine(loadAtStart: number): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `${model}, ${cpus.length} cores (load average ${loadAtStart.toFixed(1)} at the start), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export function markdown(rows: readonly Row[], info: RunInfo): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const met = (row: Row) => (row.met === undefined ? '' : row.met ? 'yes' : '**no**');
  const missed = rows.filter((r) => r.met === false).length;
  const targets = rows.filter((r) => r.met !== undefined).length;
  return [
    '# Keyfob benchmarks',
    '',
    `Measured ${info.started.toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\` (${info.seconds.toFixed(0)} s) on ${machineLine(info.loadAtStart)}.`,
    `Keychain: ${info.keychain}. Times are medians over repeated runs (p95 where the tail matters); every ratio compares`,
    `numbers taken in the same run. ${targets - missed} of ${targets} targets met.`,
    '',
    '| Area | Measure | Result | Target | Met |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${cell(r.area)} | ${cell(r.measure)} | ${cell(r.result)} | ${cell(r.target ?? '')} | ${met(r)} |`),
    '',
  ].join('\n');
}

/** A "requests per operation" row: the calls an operation made against the number it should make. */
export function requestRow(area: string, measure: string, calls: string[], target: number, also = true): Row {
  return {
    area,
    measure,
    result: calls.length ? `${calls.length} (${calls.join(', ')})` : '0',
    target: String(target),
    met: calls.length === target && also,
  };
}
