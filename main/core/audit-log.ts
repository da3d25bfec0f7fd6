// The audit log: one JSON line per issue, renew, revoke, expiry and failure, so that a person can answer "which keys
// existed, when, and what happened to them" from the window or `keyfob audit`. Never a key: free text is redacted.
// Rotated by size (one previous generation, `audit.log.1`) so it cannot grow without bound.
import fs from 'node:fs';
import path from 'node:path';
import { redactText } from './errors.js';
import type { Clock } from './ports.js';
import type { AuditAction, AuditEntry } from './types.js';

export const DEFAULT_AUDIT_MAX_BYTES = 1024 * 1024;
const DEFAULT_AUDIT_FILE = 'audit.log';
const ACTIONS: readonly AuditAction[] = ['issue', 'renew', 'revoke', 'expire', 'reconcile', 'connect', 'role'];
const OUTCOMES: readonly AuditEntry['outcome'][] = ['ok', 'failed', 'skipped'];

export interface AuditLogOptions {
  stateDir: string;
  clock: Clock;
  fileName?: string;
  maxBytes?: number;
}

export type AuditRecord = Omit<AuditEntry, 'time'>;

export class AuditLog {
  readonly path: string;
  private readonly clock: Clock;
  private readonly maxBytes: number;
  private closed = false;

  constructor(opts: AuditLogOptions) {
    this.path = path.join(path.resolve(opts.stateDir), opts.fileName ?? DEFAULT_AUDIT_FILE);
    this.clock = opts.clock;
    this.maxBytes = opts.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
  }

  get rotatedPath(): string {
    return `${this.path}.1`;
  }

  /**
   * Appends one entry. Auditing must never break the operation it records: a failing write is swallowed and
   * reported through the return value.
   */
  append(record: AuditRecord): boolean {
    if (this.closed) return false;
    const entry: AuditEntry = { time: new Date(this.clock.now()).toISOString(), ...sanitize(record) };
    try {
      fs.mkdirSync(path.dirname(this.path), { recursive: true, mode: 0o700 });
      this.rotateIfFull();
      appendNoFollow(this.path, `${JSON.stringify(entry)}\n`);
      return true;
    } catch {
      return false;
    }
  }

  /** No append after this (its owner has stopped). Appends are synchronous: none is left in flight. */
  close(): void {
    this.closed = true;
  }

  /** Newest first, across the current and the rotated file. Malformed lines (a torn last write) are skipped. */
  read(limit = 100): AuditEntry[] {
    const out: AuditEntry[] = [];
    for (const file of [this.path, this.rotatedPath]) {
      const lines = readLines(file);
      for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
        const entry = parseEntry(lines[i] as string);
        if (entry) out.push(entry);
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  private rotateIfFull(): void {
    let size: number;
    try {
      size = fs.statSync(this.path).size;
    } catch {
      return;
    }
    if (size < this.maxBytes) return;
    fs.renameSync(this.path, this.rotatedPath);
  }
}

// Where the platform has O_NOFOLLOW (Linux, macOS) the open itself refuses a symlink (ELOOP), with no window between
// a check and the write; elsewhere an lstat check stands in.
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/**
 * Appends through no symlink: another process of the same user that plants `audit.log → ~/.bashrc` must not get
 * Keyfob to write into a file of its choosing. The append then fails, like any failing write (swallowed above).
 */
function appendNoFollow(file: string, text: string): void {
  if (O_NOFOLLOW === 0 && isSymlink(file)) throw new Error(`${file} is a symbolic link`);
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | O_NOFOLLOW, 0o600);
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function sanitize(record: AuditRecord): AuditRecord {
  const clean: AuditRecord = { action: record.action, outcome: record.outcome };
  if (record.lease_id !== undefined) clean.lease_id = record.lease_id;
  if (record.role !== undefined) clean.role = record.role;
  if (record.key_alias !== undefined) clean.key_alias = record.key_alias;
  if (record.detail !== undefined) clean.detail = redactText(record.detail).slice(0, 500);
  return clean;
}

function readLines(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  } catch {
    return [];
  }
}

function parseEntry(line: string): AuditEntry | null {
  try {
    const v = JSON.parse(line) as Partial<AuditEntry>;
    if (typeof v.time !== 'string' || !ACTIONS.includes(v.action as AuditAction) || !OUTCOMES.includes(v.outcome as AuditEntry['outcome'])) return null;
    return v as AuditEntry;
  } catch {
    return null;
  }
}
