// `keyfob setup` runs that target the same file take turns: each holds `<file>.keyfob-lock` (created exclusively,
// naming its pid) from reading the file to writing it, so a concurrent run re-reads what the other wrote and no
// provider is lost. A lock whose process is gone is taken over. The wait is the caller's (core has no timers).
import fs from 'node:fs';
import path from 'node:path';
import { KeyfobError } from '../errors.js';

export interface LockWait {
  sleep(ms: number): Promise<void>;
  /** How many times to look before giving up (each `stepMs` apart): by default about a minute, for a slow writer. */
  attempts?: number;
  stepMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(lock: string): boolean {
  try {
    fs.mkdirSync(path.dirname(lock), { recursive: true, mode: 0o700 });
    fs.writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const holder = Number.parseInt(fs.readFileSync(lock, 'utf8').trim() || 'NaN', 10);
  // A half-written lock (no pid yet) is left to its writer; a dead holder's lock is removed and tried again.
  if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
    try { fs.unlinkSync(lock); } catch { /* another waiter took it over first */ }
  }
  return false;
}

/** Runs `fn` holding the lock of every file (taken in sorted order, so two runs never hold one each). */
export async function withFileLocks<T>(files: readonly string[], wait: LockWait, fn: () => Promise<T>): Promise<T> {
  const locks = [...new Set(files)].sort().map((f) => `${f}.keyfob-lock`);
  const held: string[] = [];
  try {
    for (const lock of locks) {
      let taken = false;
      for (let i = 0; i < (wait.attempts ?? 3000) && !taken; i++) {
        taken = tryLock(lock);
        if (!taken) await wait.sleep(wait.stepMs ?? 20);
      }
      if (!taken) throw new KeyfobError('state-unavailable', `Another \`keyfob setup\` holds ${lock} and has not finished.`, { hint: `Wait for it; if none is running, delete ${lock}.` });
      held.push(lock);
    }
    return await fn();
  } finally {
    for (const lock of held.reverse()) {
      try { fs.unlinkSync(lock); } catch { /* gone */ }
    }
  }
}
