// How the tray says "how long is left": whole minutes, because its labels are refreshed at most once a minute.
// The one duration style of every view (tray, window, notifications): short units, no zero parts, no padding —
// "42m", "1h", "1h 30m", "2d 4h". The window's countdown (renderer/src/time.ts) adds seconds under an hour.
const MINUTE = 60_000;

/** Milliseconds until `iso`, or null for a lease without expiry. */
export function msUntil(iso: string | null, now: number): number | null {
  return iso === null ? null : Date.parse(iso) - now;
}

/** Whole minutes as the two largest non-zero units: 42 → "42m", 60 → "1h", 90 → "1h 30m", 3000 → "2d 2h". */
export function formatMinutes(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts = days > 0 ? [[days, 'd'], [hours, 'h']] : [[hours, 'h'], [mins, 'm']];
  const shown = parts.filter(([n]) => n !== 0).map(([n, unit]) => `${n}${unit}`);
  return shown.length ? shown.join(' ') : '0m';
}

/** "expired", "< 1m", "42m", "3h 5m", "2d 4h", "no expiry". */
export function describeTimeLeft(ms: number | null): string {
  if (ms === null) return 'no expiry';
  if (ms <= 0) return 'expired';
  if (ms < MINUTE) return '< 1m';
  return formatMinutes(Math.floor(ms / MINUTE));
}

/** The macOS menu-bar title beside the icon: the same words, shorter where it can be ("<1m", "∞"). */
export function compactTimeLeft(ms: number | null): string {
  if (ms === null) return '∞';
  if (ms <= 0) return '0m';
  if (ms < MINUTE) return '<1m';
  return formatMinutes(Math.floor(ms / MINUTE));
}
