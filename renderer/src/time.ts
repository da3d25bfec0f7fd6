// Time as people read it: countdowns, durations typed into forms ("15m", "8h", "3600") and timestamps.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** "42:07" under an hour, "3h 05m" under a day, "2d 04h" beyond; "expired" at or below zero. */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.ceil(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}:${pad(s % 60)}`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
}

/** Whole seconds as the shortest exact duration: 3600 → "1h", 5400 → "1h 30m", 0 → "0s". */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ');
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** "90", "15m", "1h 30m", "1h30m", "2d" → seconds; null when it is not a duration. */
export function parseDuration(input: string): number | null {
  const value = input.trim().toLowerCase();
  if (/^\d+$/.test(value)) return Number(value);
  const parts = value.match(/\d+\s*[smhdw]/g);
  if (!parts || parts.join('').replace(/\s/g, '') !== value.replace(/\s/g, '')) return null;
  return parts.reduce((sum, part) => sum + Number.parseInt(part, 10) * (UNIT_SECONDS[part.trim().slice(-1)] ?? 0), 0);
}

// Formatters are built once: constructing an Intl formatter costs far more than formatting with one, and a window
// with 1,000 leases formats two instants per row. They follow the window's locale and time zone as they were when
// it opened, as toLocaleTimeString([]) would have.
const TIME_OF_DAY = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
const MONTH_DAY = new Intl.DateTimeFormat([], { month: 'short', day: 'numeric' });
const DATE_TIME = new Intl.DateTimeFormat([], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Local time of day, with the date when it is not today. */
export function formatInstant(ms: number, nowMs: number): string {
  const when = new Date(ms);
  const time = TIME_OF_DAY.format(when);
  return sameDay(when, new Date(nowMs)) ? time : `${MONTH_DAY.format(when)} ${time}`;
}

export function formatDateTime(ms: number): string {
  return DATE_TIME.format(new Date(ms));
}

export function formatUsd(amount: number): string {
  const digits = amount !== 0 && Math.abs(amount) < 1 ? 4 : 2;
  return `$${amount.toFixed(digits)}`;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
