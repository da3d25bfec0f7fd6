// The clipboard guard: what password managers do (KeePassXC, Bitwarden). A copied key is cleared after a delay, but
// only if the clipboard still holds that key — the person may have copied something else meanwhile, and wiping their
// own text would be worse than useless. A new copy replaces the pending clear; a lease's revocation or expiry clears
// its key at once (it no longer works anyway); quitting clears it. Only a hash of the copied key is kept.
import { createHash } from 'node:crypto';
import type { DeadlineSource } from './single-timer.js';
import type { Clipboard, Clock } from './ports.js';

interface Tracked {
  hash: string;
  leaseId: string | null;
  /** When to clear (ms since the epoch), or null for "never" (clear delay 0). */
  clearAt: number | null;
}

export interface ClipboardGuardOptions {
  clipboard: Clipboard;
  clock: Clock;
  /** Read at each copy, so a settings change applies to the next copy. 0 = never clear. */
  clearAfterSeconds: () => number;
  /** Called when the guard's deadline changed (the owner re-arms its one timer). */
  onDeadlineChange?: () => void;
}

export class ClipboardGuard implements DeadlineSource {
  private tracked: Tracked | null = null;

  constructor(private readonly opts: ClipboardGuardOptions) {}

  /** Writes `key` to the clipboard (marked secret) and schedules its clearing. */
  async copy(key: string, leaseId: string | null): Promise<void> {
    await this.opts.clipboard.writeSecret(key);
    const seconds = this.opts.clearAfterSeconds();
    this.tracked = {
      hash: digest(key),
      leaseId,
      clearAt: seconds > 0 ? this.opts.clock.now() + seconds * 1000 : null,
    };
    this.opts.onDeadlineChange?.();
  }

  /** The lease whose key was copied last (and may still be on the clipboard), if any. */
  get trackedLeaseId(): string | null {
    return this.tracked?.leaseId ?? null;
  }

  /** A lease ended: clear the clipboard if it still holds that lease's key. */
  async leaseEnded(leaseId: string): Promise<boolean> {
    if (!this.tracked || this.tracked.leaseId !== leaseId) return false;
    return this.clearIfUnchanged();
  }

  /** At quit: clear the clipboard if it still holds a key Keyfob copied. */
  async clearOnQuit(): Promise<boolean> {
    if (!this.tracked) return false;
    return this.clearIfUnchanged();
  }

  nextDeadline(): number | null {
    return this.tracked?.clearAt ?? null;
  }

  async run(now: number): Promise<void> {
    if (this.tracked?.clearAt !== null && this.tracked !== null && this.tracked.clearAt <= now) await this.clearIfUnchanged();
  }

  private async clearIfUnchanged(): Promise<boolean> {
    const tracked = this.tracked;
    if (!tracked) return false;
    // Forget it first: a copy made while we read the clipboard must not be forgotten by us afterwards.
    this.tracked = null;
    this.opts.onDeadlineChange?.();
    try {
      const current = await this.opts.clipboard.readText();
      if (digest(current) !== tracked.hash) return false;
      if (this.tracked) return false; // a new copy landed while we were reading
      await this.opts.clipboard.clear();
      return true;
    } catch {
      return false; // no clipboard (headless): nothing to clear
    }
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
