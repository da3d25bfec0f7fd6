// What a piece of user text may hold before Keyfob stores it or sends it to the proxy: bounded length, no control
// characters (they corrupt terminals, logs and aliases), no bidi controls, and well-formed UTF-16 (a lone surrogate
// cannot be encoded as UTF-8, so JSON round-trips through the proxy's database would mangle it).

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Bidirectional embeddings, overrides and isolates reorder what a terminal or a table shows ("Trojan Source"):
// a model name could display as another one.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` is not acceptable text, or null when it is. */
export function textProblem(value: string, maxLength: number): string | null {
  if (value.length > maxLength) return `is too long (${value.length} characters; at most ${maxLength})`;
  if (CONTROL_CHARACTER.test(value)) return 'must not contain control characters (newlines, tabs, escapes)';
  if (BIDI_CONTROL.test(value)) return 'must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)';
  if (LONE_SURROGATE.test(value)) return 'contains an invalid character (a lone UTF-16 surrogate)';
  // U+FFFD is what a decoder leaves of bytes that were not UTF-8 (a command-line argument, a pasted binary string).
  if (value.includes('\uFFFD')) return 'contains bytes that are not valid UTF-8 (shown as \uFFFD)';
  return null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
