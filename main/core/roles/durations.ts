// Durations as people type them ("90s", "5min", "1h30m", "1.5h", "3600") and as LiteLLM reads them ("<n>s").
// Keyfob keeps every duration as whole seconds and always sends LiteLLM whole seconds: nothing to mis-parse.
import { KeyfobError } from '../errors.js';

/** Ten years: long enough for any lease setting, short enough that `now + duration` never overflows a Date. */
export const MAX_DURATION_SECONDS = 10 * 365 * 86_400;

/** Unit words people type, each to its length in seconds. Months are left out on purpose: they have no fixed length. */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3_600, hr: 3_600, hrs: 3_600, hour: 3_600, hours: 3_600,
  d: 86_400, day: 86_400, days: 86_400,
  w: 604_800, wk: 604_800, week: 604_800, weeks: 604_800,
};

/** One `<number><unit>` part: `90s`, `1.5h`, `5 min`. */
const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*/gy;
const DURATION_EXAMPLE = 'like "90s", "5min", "1h30m", "1.5h" or "2d", or whole seconds like "3600"';

function durationError(field: string, message: string): KeyfobError {
  return new KeyfobError('validation', `${field}: ${message}`, { fields: [{ field, message }] });
}

/**
 * Seconds from what people type: `90s`, `15m`, `5min`, `1h30m`, `1h 30m`, `1.5h`, `2d`, `2w`, or whole seconds
 * (a number or a digit string). Units are case-insensitive, each used at most once. The result must come to whole
 * seconds (`1.5s` does not); negatives, months (`1mo`) and anything else are rejected with an example.
 */
export function parseDuration(input: string | number, field: string): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0) {
      throw durationError(field, `must be whole seconds (0 or more), or a duration ${DURATION_EXAMPLE}`);
    }
    return checkBound(input, field);
  }
  if (typeof input !== 'string') {
    throw durationError(field, `must be a duration ${DURATION_EXAMPLE}`);
  }
  const text = input.trim().toLowerCase();
  const shown = JSON.stringify(input.length > 20 ? `${input.slice(0, 20)}…` : input);
  if (/^\d+$/.test(text)) return checkBound(Number(text), field);
  if (/^-\s*[\d.]/.test(text)) throw durationError(field, `must not be negative (got ${shown})`);
  if (/^\d*\.?\d+\s*(mo|mos|month|months)$/.test(text)) {
    throw durationError(field, `months have no fixed length: write days instead, e.g. "30d" (got ${shown})`);
  }
  let total = 0;
  let at = 0;
  const seen = new Set<number>();
  DURATION_PART.lastIndex = 0;
  for (let part = DURATION_PART.exec(text); part; part = DURATION_PART.exec(text)) {
    const size = UNIT_SECONDS[part[2] as string];
    if (size === undefined || seen.has(size)) break;
    seen.add(size);
    total += Number(part[1]) * size;
    at = DURATION_PART.lastIndex;
  }
  if (text === '' || at !== text.length) {
    throw durationError(field, `${shown} is not a duration: write it ${DURATION_EXAMPLE}`);
  }
  // 1.5h is 5400 s exactly; 0.1h would come out as 360.00000000000006 without the rounding.
  const seconds = Math.round(total * 1_000) / 1_000;
  if (!Number.isInteger(seconds)) throw durationError(field, `must come to whole seconds (${shown} is ${seconds} s)`);
  return checkBound(seconds, field);
}

function checkBound(seconds: number, field: string): number {
  if (!Number.isSafeInteger(seconds) || seconds > MAX_DURATION_SECONDS) {
    throw durationError(field, `must be at most ${MAX_DURATION_SECONDS / 86_400}d (ten years)`);
  }
  return seconds;
}

/** Human form for countdowns and messages: `1h 30m`, `2d 4h`, `45s`, `0s`; negative values get a leading `-`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.floor(Math.abs(seconds));
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
  }
  return sign + parts.join(' ');
}

/** LiteLLM's `duration` for a lease: always whole seconds, `"<n>s"` (0 is valid and expires at once). */
export function toLiteLLMDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new KeyfobError('internal', `A LiteLLM duration needs 0 or more seconds, not ${seconds}.`);
  }
  return `${Math.floor(seconds)}s`;
}

/**
 * The proxy's own grammar (`duration_parser.py`): `^(\d+)(mo|s|m|h|d|w)` matched at the start only, so trailing
 * text is ignored (`"10min"` is accepted as 10 minutes). Use this to predict what the proxy will take; Keyfob
 * itself only writes the clean forms `parseBudgetDuration` accepts.
 */
export function isLiteLLMDuration(value: string): boolean {
  return /^(\d+)(mo|s|m|h|d|w)/.test(value);
}

const CLEAN_BUDGET_DURATION = /^([1-9]\d{0,5})(mo|s|m|h|d|w)$/;

/** A budget reset period (`30d`, `1mo`, `7d`, `24h`): LiteLLM's grammar without the trailing-text leniency. */
export function parseBudgetDuration(input: string, field: string): string {
  const value = typeof input === 'string' ? input.trim() : input;
  if (typeof value !== 'string' || !CLEAN_BUDGET_DURATION.test(value)) {
    throw durationError(field, 'must be a budget period like "30d", "1mo", "7d" or "24h" (units s, m, h, d, w, mo)');
  }
  // LiteLLM computes budget resets by the calendar and supports only one-month steps: "3mo" is refused (or mis-read)
  // by the proxy, at generate or at update depending on the release.
  if (value.endsWith('mo') && value !== '1mo') {
    throw durationError(field, `"${value}": LiteLLM supports only "1mo" as a monthly budget period (use days instead, like "90d")`);
  }
  return value;
}
