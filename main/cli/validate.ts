// Per-flag value checks. Each parser throws a plain Error whose message says what is accepted; InputProblems collects
// them under the flag's name so that one run reports every invalid value at once.
import { isKeyfobError, type FieldError } from '../core/errors.js';
import { parseBudgetDuration, parseDuration } from '../core/roles/index.js';
import { usageError } from './failure.js';

export class InputProblems {
  readonly fields: FieldError[] = [];

  add(field: string, message: string): void {
    this.fields.push({ field, message });
  }

  /** Runs `parse` on a given raw value; a failure is recorded under `field` and yields undefined. */
  take<T>(field: string, raw: string | undefined, parse: (raw: string) => T): T | undefined {
    if (raw === undefined) return undefined;
    try {
      return parse(raw);
    } catch (e) {
      // Core validators name their own field; the CLI reports under the flag the person typed.
      if (isKeyfobError(e) && e.fields.length) for (const f of e.fields) this.add(field, f.message);
      else this.add(field, e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }

  throwIfAny(summary = 'invalid input'): void {
    if (this.fields.length) throw usageError(`${summary}: ${this.fields.length} invalid value${this.fields.length > 1 ? 's' : ''}`, { fields: this.fields });
  }
}

/** Whole numbers for limits and counts. */
export function parseWholeNumber(raw: string, opts: { min?: number } = {}): number {
  const min = opts.min ?? 0;
  const trimmed = raw.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < min || !Number.isSafeInteger(Number(trimmed))) {
    throw new Error(`must be a whole number ≥ ${min} (got ${JSON.stringify(raw)})`);
  }
  return Number(trimmed);
}

/** `none` clears an optional limit when updating a role. */
export function parseOptionalWholeNumber(raw: string): number | null {
  if (raw.trim().toLowerCase() === 'none') return null;
  try {
    return parseWholeNumber(raw);
  } catch {
    throw new Error(`must be a whole number ≥ 0, or "none" to remove the limit (got ${JSON.stringify(raw)})`);
  }
}

/** USD amounts: 0 means no budget. */
export function parseAmount(raw: string): number {
  const trimmed = raw.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed) || !Number.isFinite(Number(trimmed))) {
    throw new Error(`must be an amount in USD ≥ 0, e.g. 5 or 2.50; 0 means no budget (got ${JSON.stringify(raw)})`);
  }
  return Number(trimmed);
}

/** Comma-separated names; empty entries dropped, so `--models ""` means "all models". */
export function parseCommaList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** `--metadata k=v`, repeatable. */
export function parseKeyValues(entries: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  const bad: string[] = [];
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const key = at > 0 ? entry.slice(0, at).trim() : '';
    if (!key) bad.push(JSON.stringify(entry));
    else result[key] = entry.slice(at + 1);
  }
  if (bad.length) throw new Error(`must be KEY=VALUE with a non-empty KEY (got ${bad.join(', ')})`);
  return result;
}

/** A budget reset period in LiteLLM's grammar (`30d`, `1mo`); `none` removes it. */
export function parseBudgetPeriod(raw: string): string | null {
  const trimmed = raw.trim();
  return trimmed.toLowerCase() === 'none' ? null : parseBudgetDuration(trimmed, 'budget_duration');
}

/** `none` clears an optional text field. */
export function parseOptionalText(raw: string): string | null {
  const trimmed = raw.trim();
  if (trimmed === '') throw new Error('must not be empty; use "none" to remove it');
  return trimmed.toLowerCase() === 'none' ? null : trimmed;
}

export function parseProxyUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`must be an http:// or https:// URL, e.g. https://litellm.example.com (got ${JSON.stringify(raw)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`must be an http:// or https:// URL (got ${url.protocol.replace(/:$/, '')}://)`);
  }
  if (url.username || url.password) throw new Error('must not contain a user name or password: your LiteLLM key is read from stdin');
  return raw.trim();
}

/** Lease durations: `90s`, `5min`, `1h30m`, `1.5h`, `2d` or whole seconds, as the app accepts them. */
export function parseDurationSeconds(raw: string): number {
  return parseDuration(raw, 'duration');
}
