// A cross-process lock around every read-modify-write of the state directory: the app and the CLI may change the
// ledger at the same moment, and neither may lose the other's change. The lock is a file created with O_EXCL that
// names its holder (host, pid, a nonce); it is held for milliseconds, never across a network call.
//
// Waiting for the lock is real I/O coordination between processes, so it uses real time (node:timers/promises and
// performance.now), not the injected Clock: a FakeClock in one process means nothing to another process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyfobError } from '../errors.js';

export interface LockHolder {
  host: string;
  pid: number;
  nonce: string;
  /** Informational only (ISO time from the caller's clock). */
  since?: string;
}

export interface StateLockOptions {
  /** The lock file, e.g. `<stateDir>/state.lock`. */
  path: string;
  /** A holder seen unchanged for this long (by us, waiting) is taken over even if its pid looks alive. */
  staleMs?: number;
  /** Give up with `state-unavailable` after waiting this long. */
  timeoutMs?: number;
  /** Supplies the informational `since` stamp. */
  stamp?: () => string;
}

const DEFAULT_STALE_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** A lock file without a readable holder is normally being written right now; after this long it is debris. */
const UNREADABLE_STALE_MS = 2_000;

interface LockAttempt {
  me: LockHolder;
  started: number;
  watched: { raw: string; since: number } | null;
  nextPause(): number;
}

// A blocking sleep for withLockSync: Atomics.wait on a private buffer that nothing ever notifies.
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

// In-process queue per lock file: callers in one process take turns instead of polling the file against each other.
const inProcessTails = new Map<string, Promise<unknown>>();

export function processIdentity(): { host: string; pid: number } {
  return { host: os.hostname(), pid: process.pid };
}

/** True when the process is known to be gone. Only meaningful for holders on this host. */
export function isProcessDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class StateLock {
  readonly path: string;
  private readonly staleMs: number;
  private readonly timeoutMs: number;
  private readonly stamp: (() => string) | undefined;

  constructor(opts: StateLockOptions) {
    this.path = path.resolve(opts.path);
    this.staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.stamp = opts.stamp;
  }

  /** Runs `fn` while holding the lock. Keep `fn` short and free of network calls. */
  async withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    const previous = inProcessTails.get(this.path) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => { done = resolve; });
    const tail = previous.then(() => mine);
    inProcessTails.set(this.path, tail);
    try {
      await previous.catch(() => undefined);
      const holder = await this.acquire();
      try {
        return await fn();
      } finally {
        this.release(holder);
      }
    } finally {
      done();
      if (inProcessTails.get(this.path) === tail) inProcessTails.delete(this.path);
    }
  }

  /**
   * The same lock for synchronous callers (the settings store's read-modify-write, whose port is synchronous). It
   * waits by blocking the thread, which is acceptable for a lock that is held for milliseconds.
   */
  withLockSync<T>(fn: () => T): T {
    const attempt = this.newAttempt();
    while (!this.step(attempt)) Atomics.wait(SLEEPER, 0, 0, attempt.nextPause());
    try {
      return fn();
    } finally {
      this.release(attempt.me);
    }
  }

  private async acquire(): Promise<LockHolder> {
    const attempt = this.newAttempt();
    while (!this.step(attempt)) await sleep(attempt.nextPause());
    return attempt.me;
  }

  private newAttempt(): LockAttempt {
    const me: LockHolder = { ...processIdentity(), nonce: randomUUID() };
    if (this.stamp) me.since = this.stamp();
    let pause = 2;
    return {
      me,
      started: performance.now(),
      watched: null,
      nextPause: () => {
        const wait = pause + Math.random() * pause;
        pause = Math.min(pause * 2, 50);
        return wait;
      },
    };
  }

  /** One try: true when the lock is ours; takes over a stale holder; throws once the wait has gone on too long. */
  private step(attempt: LockAttempt): boolean {
    if (this.tryCreate(attempt.me)) return true;
    const raw = this.readRaw();
    if (raw !== null) {
      const now = performance.now();
      // The holder we are waiting on, and since when (our monotonic time) we have seen it unchanged.
      if (!attempt.watched || attempt.watched.raw !== raw) attempt.watched = { raw, since: now };
      if (this.isStale(raw, now - attempt.watched.since)) this.takeOver(raw);
    }
    if (performance.now() - attempt.started > this.timeoutMs) {
      throw new KeyfobError('state-unavailable', `Another Keyfob process has held the state lock (${this.path}) for too long.`, {
        hint: 'If no other Keyfob is running, delete the lock file and try again.',
      });
    }
    return false;
  }

  private tryCreate(me: LockHolder): boolean {
    let fd: number;
    try {
      fd = fs.openSync(this.path, 'wx', 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code === 'ENOENT') {
        this.ensureDir();
        return false;
      }
      throw stateError(path.dirname(this.path), e);
    }
    try {
      fs.writeSync(fd, JSON.stringify(me));
    } finally {
      fs.closeSync(fd);
    }
    return true;
  }

  private ensureDir(): void {
    try {
      fs.mkdirSync(path.dirname(this.path), { recursive: true, mode: 0o700 });
    } catch (e) {
      throw stateError(path.dirname(this.path), e);
    }
  }

  private readRaw(): string | null {
    try {
      return fs.readFileSync(this.path, 'utf8');
    } catch {
      return null; // released meanwhile
    }
  }

  private isStale(raw: string, watchedForMs: number): boolean {
    const holder = parseHolder(raw);
    if (!holder) return watchedForMs > UNREADABLE_STALE_MS;
    if (holder.host === os.hostname() && isProcessDead(holder.pid)) return true;
    return watchedForMs > this.staleMs;
  }

  /**
   * Removes a stale lock. Two waiters may judge the same lock stale; the takeover file makes sure only one of them
   * removes it, and it re-checks that the lock is still the stale one (not a fresh lock created meanwhile).
   */
  private takeOver(staleRaw: string): void {
    const guard = `${this.path}.takeover`;
    let fd: number;
    try {
      fd = fs.openSync(guard, 'wx', 0o600);
    } catch {
      // Someone else is taking over; if that someone died mid-takeover, clear its debris.
      const raw = (() => { try { return fs.readFileSync(guard, 'utf8'); } catch { return null; } })();
      const holder = raw === null ? null : parseHolder(raw);
      if (holder && holder.host === os.hostname() && isProcessDead(holder.pid)) rmQuiet(guard);
      return;
    }
    try {
      fs.writeSync(fd, JSON.stringify({ ...processIdentity(), nonce: randomUUID() }));
      fs.closeSync(fd);
      if (this.readRaw() === staleRaw) rmQuiet(this.path);
    } finally {
      rmQuiet(guard);
    }
  }

  private release(me: LockHolder): void {
    const holder = parseHolder(this.readRaw() ?? '');
    if (holder?.nonce === me.nonce) rmQuiet(this.path);
  }
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const v = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.nonce === 'string') return v as LockHolder;
  } catch {
    // fall through
  }
  return null;
}

function rmQuiet(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // already gone
  }
}

export function stateError(dir: string, cause: unknown): KeyfobError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'EROFS' ? 'is on a read-only file system'
    : code === 'EACCES' || code === 'EPERM' ? 'is not writable'
    : code === 'ENOSPC' ? 'is on a full disk'
    : `cannot be used (${code ?? 'unknown error'})`;
  return new KeyfobError('state-unavailable', `Keyfob's state directory ${dir} ${why}.`, {
    hint: 'Check the permissions of the directory, or choose another one with --home or KEYFOB_HOME.',
    cause,
  });
}
