// `get_next_standardized_reset_time` (duration_parser.py, v1.80.9): the calendar-aligned reset time that era C uses
// for a new key's `expires` and that budget resets use. It never fails except for `Nmo` with N ≠ 1; anything it cannot
// parse, and any unit but s/m/h/d/mo (`w` included, as in v1.80.9), means "next midnight". Worked in the wall time of
// one of the fixed-offset zones the release knows; an unknown zone is UTC.
import { DurationError } from './duration.js';

/** The fixed-offset zones (minutes east of UTC). The page names five; which five is this simulator's assumption. */
export const FIXED_ZONES: Readonly<Record<string, number>> = {
  UTC: 0,
  'US/Eastern': -5 * 60,
  'US/Pacific': -8 * 60,
  'Asia/Kolkata': 5 * 60 + 30,
  'Europe/London': 0,
};

const DAY_MS = 86_400_000;

export function zoneOffsetMinutes(timezone: string): number {
  return FIXED_ZONES[timezone] ?? 0;
}

/** The reset time in epoch µs for `duration` at `nowUs`, in `timezone`. */
export function nextStandardizedResetUs(duration: string, nowUs: number, timezone: string): number {
  const offsetMs = zoneOffsetMinutes(timezone) * 60_000;
  const nowMs = Math.floor(nowUs / 1000);
  const local = nowMs + offsetMs;
  const midnight = Math.floor(local / DAY_MS) * DAY_MS;
  const nextMidnight = midnight + DAY_MS;
  const at = (localMs: number) => (localMs - offsetMs) * 1000;
  const match = /^(\d+)([a-z]+)/.exec(duration);
  if (!match) return at(nextMidnight);
  const value = Number(match[1]);
  const unit = match[2];
  const t = new Date(local);
  const [h, m, s] = [t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()];
  /** Today at h:m:s, or — when h has run past 23 — the next day at (h mod 24):m:s (never further: the release's bug). */
  const clock = (hour: number, minute: number, second: number) =>
    at(hour >= 24 ? nextMidnight + ((hour % 24) * 3600 + minute * 60 + second) * 1000 : midnight + (hour * 3600 + minute * 60 + second) * 1000);
  switch (unit) {
    case 'd': {
      if (value === 0) return nowUs;
      if (value === 1) return at(nextMidnight);
      if (value === 7) {
        const weekday = (t.getUTCDay() + 6) % 7; // Python's weekday(): Monday 0
        return at(midnight + ((7 - weekday) % 7 || 7) * DAY_MS);
      }
      if (value === 30) return at(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
      return at(midnight + value * DAY_MS);
    }
    case 'h':
      if (value === 0) return nowUs;
      return clock(h + value - (h % value), 0, 0);
    case 'm': {
      if (value === 0) return nowUs;
      const minutes = m + value - (m % value);
      return clock(h + Math.floor(minutes / 60), minutes % 60, 0);
    }
    case 's': {
      if (value === 0) return nowUs;
      const seconds = s + value - (s % value);
      const minutes = m + Math.floor(seconds / 60);
      return clock(h + Math.floor(minutes / 60), minutes % 60, seconds % 60);
    }
    case 'mo':
      if (value !== 1) throw new DurationError('Monthly resets currently only support 1 month intervals');
      return at(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
    default:
      return at(nextMidnight);
  }
}
