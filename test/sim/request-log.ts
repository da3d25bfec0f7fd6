// The request log tests read to assert what a client sent. Key material never reaches it: every `sk-…` string in a
// body or query is cut to `sk-...abcd` (the same rule Keyfob applies to its own logs).
import { redactKeys } from '../../main/core/errors.js';

export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactKeys(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactKeys(k), redactDeep(v)]));
  }
  return value;
}

export function redactQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of query) out[redactKeys(name)] = redactKeys(value);
  return out;
}
