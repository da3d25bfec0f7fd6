// The CLI's Activity port: a command runs because someone is working, so the person counts as active for as long as
// the process lives (this is what keeps an `exec` lease renewed while its command runs). Idle and screen-lock
// detection belong to the desktop app, which can ask the OS.
import type { Activity, ActivitySnapshot } from '../../core/ports.js';

export const activeWhileRunning: Activity = {
  current: (): ActivitySnapshot => ({ idleSeconds: 0, locked: false }),
};
