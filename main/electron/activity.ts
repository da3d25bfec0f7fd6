// The core's Activity port on Electron's powerMonitor. `current()` asks the OS each time (both calls are cheap and
// synchronous); a poll every 30 s and on every power event watches for the screen locking, which only macOS and
// Windows announce with an event — polling `getSystemIdleState` is the portable way to see "locked".
import { powerMonitor } from 'electron';
import type { Activity, ActivitySnapshot, Clock, TimerHandle } from '../core/ports.js';

export const ACTIVITY_POLL_MS = 30_000;

export interface PowerActivityOptions {
  clock: Clock;
  /** The idle threshold setting (seconds), read at each poll. */
  idleThresholdSeconds: () => number;
  /** Called (asynchronously, once per change) when the screen locks or unlocks. */
  onLockChange: (locked: boolean) => void;
  pollMs?: number;
}

export class PowerActivity implements Activity {
  private locked = false;
  /** Set by lock-screen/unlock-screen (macOS, Windows) where the idle state may lag behind. */
  private lockedByEvent = false;
  private timer: TimerHandle | null = null;
  private running = false;
  private readonly pollMs: number;
  private readonly onLock = (): void => this.onLockEvent(true);
  private readonly onUnlock = (): void => this.onLockEvent(false);
  private readonly onPowerEvent = (): void => {
    this.poll();
  };

  constructor(private readonly opts: PowerActivityOptions) {
    this.pollMs = opts.pollMs ?? ACTIVITY_POLL_MS;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    powerMonitor.on('lock-screen', this.onLock);
    powerMonitor.on('unlock-screen', this.onUnlock);
    powerMonitor.on('suspend', this.onPowerEvent);
    powerMonitor.on('resume', this.onPowerEvent);
    powerMonitor.on('on-ac', this.onPowerEvent);
    powerMonitor.on('on-battery', this.onPowerEvent);
    this.tick();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
    powerMonitor.removeListener('lock-screen', this.onLock);
    powerMonitor.removeListener('unlock-screen', this.onUnlock);
    powerMonitor.removeListener('suspend', this.onPowerEvent);
    powerMonitor.removeListener('resume', this.onPowerEvent);
    powerMonitor.removeListener('on-ac', this.onPowerEvent);
    powerMonitor.removeListener('on-battery', this.onPowerEvent);
  }

  current(): ActivitySnapshot {
    return this.poll();
  }

  get isLocked(): boolean {
    return this.locked;
  }

  private tick(): void {
    this.poll();
    if (this.running) this.timer = this.opts.clock.setTimeout(() => this.tick(), this.pollMs);
  }

  private onLockEvent(locked: boolean): void {
    this.lockedByEvent = locked;
    this.poll();
  }

  private poll(): ActivitySnapshot {
    const threshold = Math.max(1, Math.round(this.opts.idleThresholdSeconds()));
    const state = powerMonitor.getSystemIdleState(threshold);
    const idleSeconds = powerMonitor.getSystemIdleTime();
    // Either source saying "locked" counts: the event comes first on macOS/Windows, the idle state everywhere.
    const locked = this.lockedByEvent || state === 'locked';
    if (locked !== this.locked) {
      this.locked = locked;
      // Not from inside the caller (the core's scheduler may be polling us): after it returns.
      queueMicrotask(() => this.opts.onLockChange(locked));
    }
    return { idleSeconds, locked };
  }
}
