// Durations as people type them ("15m", "8h", "3600") and as LiteLLM reads them ("<n>s"). Keyfob keeps every
// duration as whole seconds and always sends LiteLLM whole seconds: one unit, nothing to mis-parse.
import { KeyfobError } from '../errors.js';

/** Ten years: long enough for any lease setting, short enough that `now + duration` never overflows a Date. */
export const MAX_DURATION_SECONDS = 10 * 365 * 86_400;

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 } as const;
type DurationUnit = keyof typeof UNIT_SECONDS;

const KEYFOB_DURATION = /^(\d+)([smhdw])?$/;
const DURATION_EXAMPLE = 'like "90s", "15m", "8h", "7d" or "2w", or whole seconds like "3600"';

function durationError(field: string, message: string): KeyfobError {
  return new KeyfobError('validation', `${field}: ${message}`, { fields: [{ field, message }] });
}

/**
 * Seconds from `90s`, `15m`, `8h`, `7d`, `2w`, or whole seconds (a number or a digit string). Surrounding spaces
 * are forgiven; anything else (fractions, negatives, upper-case units, `1mo`) is rejected with an example.
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
  const match = KEYFOB_DURATION.exec(input.trim());
  if (!match) {
    const shown = input.length > 20 ? `${input.slice(0, 20)}…` : input;
    throw durationError(field, `${JSON.stringify(shown)} is not a duration: write it ${DURATION_EXAMPLE}`);
  }
  const unit = (match[2] ?? 's') as DurationUnit;
  return checkBound(Number(match[1]) * UNIT_SECONDS[unit], field);
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
