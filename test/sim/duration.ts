// LiteLLM's duration grammar (litellm_core_utils/duration_parser.py): `re.match(r"(\d+)(mo|[smhdw]?)", s)`.
// `re.match` anchors at the start only, so trailing text is ignored ("10min" is 10 minutes); the unit group may match
// nothing, which is how "30", "1H" and "1.5h" get past the regex and then fail as an unsupported unit.

export class DurationError extends Error {
  override readonly name = 'DurationError';
}

export type DurationUnit = 's' | 'm' | 'h' | 'd' | 'w' | 'mo';

const GRAMMAR = /^(\d+)(mo|[smhdw]?)/;
const SECONDS: Record<Exclude<DurationUnit, 'mo'>, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
/** Python's datetime stops at year 9999: anything later is an OverflowError on the server. */
const MAX_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function parseDuration(text: string): { value: number; unit: DurationUnit } {
  const match = GRAMMAR.exec(text);
  if (!match) throw new DurationError('Invalid duration format');
  const unit = match[2] ?? '';
  if (unit === '') throw new DurationError(`Unsupported duration unit, passed duration: ${text}`);
  return { value: Number(match[1]), unit: unit as DurationUnit };
}

/** `now + duration`, in epoch microseconds. `mo` is a calendar month (day clamped to the target month's end, UTC). */
export function addDuration(nowUs: number, text: string): number {
  const { value, unit } = parseDuration(text);
  let resultUs: number;
  if (unit === 'mo') {
    const nowMs = Math.floor(nowUs / 1000);
    const now = new Date(nowMs);
    const totalMonths = now.getUTCMonth() + value;
    const year = now.getUTCFullYear() + Math.floor(totalMonths / 12);
    const month = totalMonths % 12;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const targetMs = Date.UTC(year, month, Math.min(now.getUTCDate(), lastDay), now.getUTCHours(), now.getUTCMinutes(),
      now.getUTCSeconds(), now.getUTCMilliseconds());
    resultUs = targetMs * 1000 + (nowUs - nowMs * 1000);
  } else {
    resultUs = nowUs + value * SECONDS[unit] * 1_000_000;
  }
  if (!Number.isFinite(resultUs) || resultUs / 1000 > MAX_EPOCH_MS) throw new DurationError('date value out of range');
  return resultUs;
}
