// How `keyfob setup` changes a tool's own configuration file: a planned change (before → after) that can be shown
// without writing (`--print`), and written with a dated backup of the previous file and an atomic rename.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { KeyfobError } from '../errors.js';

export interface FileChange {
  path: string;
  /** The file's text now; null when it does not exist. */
  before: string | null;
  /** The new text; null deletes the file (it held only what setup wrote). */
  after: string | null;
  /** False when the file already says what setup would write (running setup twice changes nothing). */
  changed: boolean;
  /** Things the person should know: a variable that overrides the helper, a replaced value. */
  warnings: string[];
}

export function readConfigText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KeyfobError('state-unavailable', `Cannot read ${file}: ${(e as Error).message}`, { hint: 'Check the file\'s permissions.' });
  }
}

/** `settings.json.keyfob-backup-20261201T231500Z`: one per change, so a second change never loses the first original. */
export function backupPathFor(file: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let candidate = `${file}.keyfob-backup-${stamp}`;
  for (let n = 1; fs.existsSync(candidate); n++) candidate = `${file}.keyfob-backup-${stamp}-${n}`;
  return candidate;
}

/**
 * Writes the change: the previous file (if any) is copied to a backup first, then the new text replaces it through
 * a rename, keeping the previous file's mode (0600 for a new one: these files may hold credentials). Returns the
 * backup's path, or null when there was no previous file. A change that changes nothing writes nothing.
 */
export function writeFileChange(change: FileChange, nowMs: number): { backup: string | null } {
  if (!change.changed) return { backup: null };
  const dir = path.dirname(change.path);
  let mode = 0o600;
  let backup: string | null = null;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (change.before !== null) {
      mode = fs.statSync(change.path).mode & 0o777;
      backup = backupPathFor(change.path, nowMs);
      fs.copyFileSync(change.path, backup, fs.constants.COPYFILE_EXCL);
    }
    if (change.after === null) {
      fs.rmSync(change.path, { force: true });
      return { backup };
    }
    const tmp = path.join(dir, `.${path.basename(change.path)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
    try {
      fs.writeFileSync(tmp, change.after, { mode, flag: 'wx' });
      fs.chmodSync(tmp, mode);
      fs.renameSync(tmp, change.path);
    } catch (e) {
      try { fs.unlinkSync(tmp); } catch { /* never created */ }
      throw e;
    }
  } catch (e) {
    if (e instanceof KeyfobError) throw e;
    throw new KeyfobError('state-unavailable', `Cannot write ${change.path}: ${(e as Error).message}`, { hint: 'Check that the directory exists and is writable.' });
  }
  return { backup };
}

/** A line diff (`- old`, `+ new`, unchanged lines left out) for `--print`: these files are small, so a plain LCS. */
export function lineDiff(before: string, after: string): string[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push(`+ ${b[j++]}`);
    } else {
      out.push(`- ${a[i++]}`);
    }
  }
  return out;
}
