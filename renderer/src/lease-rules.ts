// What a lease's state means for the window: the rules every view shares (preload/lease-rules.ts, the tray's too),
// and how a screen reader names a key.
import type { LeaseView } from '../../preload/api.js';

export { countsAsLive, hasEnded, needsAttention, willAutoRenew } from '../../preload/lease-rules.js';

/** How a screen reader names a key: "ci key …xv0w" (the hint's last four characters), never a hex alias. */
export function spokenName(lease: Pick<LeaseView, 'role' | 'key_hint' | 'key_alias'>): string {
  const tail = lease.key_hint ? lease.key_hint.replace(/^sk-\.*/, '').slice(-4) : lease.key_alias.slice(-4);
  return `${lease.role} key …${tail}`;
}
