// Text that comes from the proxy (error messages, redirect targets, aliases, model names, page titles) is shown in
// terminals and windows and written to the audit log. A hostile or broken proxy could put terminal escapes in it
// (ESC sequences that retitle the terminal, rewrite the screen, or write a link), or bidi controls that make the text
// read differently from what it is. Every piece of remote text passes through here before it is shown or stored.

/** ESC-introduced sequences: CSI `ESC [ … final`, OSC/DCS/SOS/PM/APC `ESC ] … (BEL | ESC \)`, two-byte `ESC x`. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|$)|[\s\S]?)/g;
/** 8-bit CSI and OSC/DCS/… introducers (C1), with what they introduce. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const C1_SEQUENCE = /\u009b[0-?]*[ -/]*[@-~]?|[\u0090\u0098\u009d\u009e\u009f][\s\S]*?(?:\u0007|\u009c|$)/g;
/** Any remaining C0/C1 control, DEL, line/paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Bidi embeddings, overrides and isolates, and the invisible direction marks. */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/**
 * `text` without escape sequences, control characters or bidi controls. Line breaks and tabs become spaces (the
 * caller decides about length and whitespace); nothing else is changed.
 */
export function cleanRemoteText(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(C1_SEQUENCE, '')
    .replace(/[\t\n\r\v\f]/g, ' ')
    .replace(CONTROL, '')
    .replace(BIDI, '');
}

/** Deeply cleans every string in a JSON value (keys and values), for metadata read back from the proxy. */
export function cleanRemoteValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cleanRemoteText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => cleanRemoteValue(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanRemoteText(k), cleanRemoteValue(v, depth + 1)]));
}
