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
export function backupPathFor(file: string, nowMs: number, n = 0): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${file}.keyfob-backup-${stamp}${n > 0 ? `-${n}` : ''}`;
}

/** Copies `file` to the first free backup name: taken atomically (COPYFILE_EXCL), so two writers never collide. */
function backUp(file: string, nowMs: number): string {
  for (let n = 0; ; n++) {
    const candidate = backupPathFor(file, nowMs, n);
    try {
      fs.copyFileSync(file, candidate, fs.constants.COPYFILE_EXCL);
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * A file inside a repository (`--project`) must be the repository's own: a symlink planted there (to
 * `~/.docker/config.json`, say) would have setup copy that file's secrets into the repository. Refused, saying why.
 */
export function assertProjectTarget(file: string, projectDir: string): void {
  for (let p = file; p.startsWith(projectDir) && p !== projectDir; p = path.dirname(p)) {
    if (isSymlink(p)) {
      throw new KeyfobError('validation', `${p} is a symbolic link: in a project, setup writes only a file of the project itself, never through a link (it could copy another file's secrets into the repository).`, {
        hint: 'Remove the link, or run the setup without --project.',
      });
    }
  }
}

/** The file a write lands in: a symlinked settings file (dotfiles) stays a link, and its target is updated. */
export function writeTargetOf(file: string): string {
  return isSymlink(file) ? fs.realpathSync(file) : file;
}

/**
 * Writes the change: the previous file (if any) is copied to a backup first, then the new text replaces it through
 * a rename, keeping the previous file's mode (0600 for a new one: these files may hold credentials). A symlinked file
 * is written through to its target. Returns the backup's path, or null when there was no previous file. A change that
 * changes nothing writes nothing.
 */
export function writeFileChange(change: FileChange, nowMs: number): { backup: string | null } {
  if (!change.changed) return { backup: null };
  let target = change.path;
  let mode = 0o600;
  let backup: string | null = null;
  try {
    target = writeTargetOf(change.path);
    const dir = path.dirname(target);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (change.before !== null) {
      mode = fs.statSync(target).mode & 0o777;
      backup = backUp(target, nowMs);
    }
    if (change.after === null) {
      fs.rmSync(change.path, { force: true });
      return { backup };
    }
    const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
    try {
      fs.writeFileSync(tmp, change.after, { mode, flag: 'wx' });
      fs.chmodSync(tmp, mode);
      fs.renameSync(tmp, target);
    } catch (e) {
      try { fs.unlinkSync(tmp); } catch { /* never created */ }
      throw e;
    }
  } catch (e) {
    if (e instanceof KeyfobError) throw e;
    throw new KeyfobError('state-unavailable', `Cannot write ${target}: ${(e as Error).message}`, { hint: 'Check that the directory exists and is writable.' });
  }
  return { backup };
}

/** Beyond this many changed lines (after the common head and tail), `--print` gives whole blocks, not an LCS. */
const DIFF_CELL_LIMIT = 250_000;

/**
 * A line diff (`- old`, `+ new`, unchanged lines left out) for `--print`. The common head and tail are skipped first
 * (setup changes a few lines of files that may be thousands long), and the LCS runs only on what is left and only
 * while it is small: otherwise the old block and the new block are shown whole. Linear memory either way.
 */
export function lineDiff(before: string, after: string): string[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  if ((midA.length + 1) * (midB.length + 1) > DIFF_CELL_LIMIT) return [...midA.map((l) => `- ${l}`), ...midB.map((l) => `+ ${l}`)];
  return lcsDiff(midA, midB);
}

function lcsDiff(a: readonly string[], b: readonly string[]): string[] {
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
