// Time as people read it: countdowns, durations typed into forms ("15m", "8h", "3600") and timestamps.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/**
 * A countdown in the one duration style of every view: "45s", "14m 59s", "49m", "1h 30m", "2d 4h"; "expired" at or
 * below zero. Seconds only under an hour; beyond, the two largest non-zero units (as the tray says it).
 */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s / 60}m`;
  return largestUnits(Math.floor(s / 60));
}

/** Whole minutes as the two largest non-zero units: 90 → "1h 30m", 1500 → "1d 1h". */
function largestUnits(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const parts: Array<[number, string]> = days > 0 ? [[days, 'd'], [hours, 'h']] : [[hours, 'h'], [minutes % 60, 'm']];
  return parts.filter(([n]) => n !== 0).map(([n, unit]) => `${n}${unit}`).join(' ') || '0m';
}

/** What a screen reader says for a time left: "5 minutes", "1 hour 30 minutes", "45 seconds" — never "10:00". */
export function spokenDuration(ms: number): string {
  if (ms <= 0) return 'no time';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return unit(s, 'second');
  const minutes = Math.round(s / 60);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const parts = days > 0 ? [unit(days, 'day'), hours ? unit(hours, 'hour') : ''] : [hours ? unit(hours, 'hour') : '', minutes % 60 ? unit(minutes % 60, 'minute') : ''];
  return parts.filter(Boolean).join(' ');
}

function unit(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
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

// Formatters are built once: constructing an Intl formatter costs far more than formatting with one, and a window
// with 1,000 leases formats two instants per row. They follow the window's locale and time zone as they were when
// it opened. `timeStyle` is the locale's own way of writing a time ("5:00 PM" in en-US, "17:00" in de-DE): no
// forced two-digit hour ("05:00 PM").
const TIME_OF_DAY = new Intl.DateTimeFormat([], { timeStyle: 'short' });
const MONTH_DAY = new Intl.DateTimeFormat([], { month: 'short', day: 'numeric' });
const DATE_TIME = new Intl.DateTimeFormat([], { dateStyle: 'medium', timeStyle: 'medium' });

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

