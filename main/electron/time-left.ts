// How the tray says "how long is left": whole minutes, because its labels are refreshed at most once a minute.
const MINUTE = 60_000;

/** Milliseconds until `iso`, or null for a lease without expiry. */
export function msUntil(iso: string | null, now: number): number | null {
  return iso === null ? null : Date.parse(iso) - now;
}

/** "expired", "< 1 min", "42 min", "3 h 05 min", "2 d 4 h". */
export function describeTimeLeft(ms: number | null): string {
  if (ms === null) return 'no expiry';
  if (ms <= 0) return 'expired';
  if (ms < MINUTE) return '< 1 min';
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The macOS menu-bar title beside the icon: short, e.g. "42m", "3h05", "<1m". */
export function compactTimeLeft(ms: number | null): string {
  if (ms === null) return '∞';
  if (ms <= 0) return '0m';
  if (ms < MINUTE) return '<1m';
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, '0')}`;
  return `${Math.floor(hours / 24)}d`;
}
