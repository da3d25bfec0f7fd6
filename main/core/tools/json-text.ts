// Edits to a JSON document's text that keep every byte they do not change: a tool's settings file may hold numbers
// beyond 2^53, duplicate keys or its own layout, which a parse-and-stringify round trip would silently rewrite.
// One linear scan per edit, so a large file costs milliseconds.

export interface JsonMember {
  key: string;
  /** Where the member's key (its opening quote) starts. */
  start: number;
  valueStart: number;
  valueEnd: number;
}

export interface JsonObjectSpan {
  open: number;
  close: number;
  members: JsonMember[];
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  throw new SyntaxError('unterminated string');
}

/** The end of the value starting at `i` (which must be its first character). */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 0x22) j = skipString(text, j) - 1;
      else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new SyntaxError('unterminated object or array');
  }
  let j = i;
  for (let d = text.charCodeAt(j); j < text.length && !isSpace(d) && d !== 0x2c && d !== 0x7d && d !== 0x5d; d = text.charCodeAt(++j));
  return j;
}

/** The members of the object whose `{` is at `open`, in the order written (duplicates included). */
export function scanObject(text: string, open: number): JsonObjectSpan {
  const members: JsonMember[] = [];
  let i = skipSpace(text, open + 1);
  while (text[i] !== '}') {
    if (text[i] === ',') i = skipSpace(text, i + 1);
    const start = i;
    const keyEnd = skipString(text, i);
    const raw = text.slice(start + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    const valueStart = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the `:`
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, start, valueStart, valueEnd });
    i = skipSpace(text, valueEnd);
    if (i >= text.length) throw new SyntaxError('unterminated object');
  }
  return { open, close: i, members };
}

/** The object at the top of the document. */
export function topObject(text: string): JsonObjectSpan {
  return scanObject(text, skipSpace(text, 0));
}

/** The member JSON.parse would keep: the last of that name. */
export function memberOf(span: JsonObjectSpan, key: string): JsonMember | undefined {
  return span.members.filter((m) => m.key === key).at(-1);
}

export function valueOf(text: string, member: JsonMember): unknown {
  return JSON.parse(text.slice(member.valueStart, member.valueEnd));
}

function lineIndentBefore(text: string, at: number): string {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, at))?.[0] ?? '';
}

/**
 * `key` set to `valueJson` in the object: its value replaced in place when it exists, else a member added after the
 * last one in the file's own layout (`unit` indents a new object's first member when it has none to copy).
 */
export function setMember(text: string, span: JsonObjectSpan, key: string, valueJson: string, unit: string): string {
  const existing = memberOf(span, key);
  if (existing) return text.slice(0, existing.valueStart) + valueJson + text.slice(existing.valueEnd);
  const last = span.members.at(-1);
  const name = JSON.stringify(key);
  if (!last) {
    const outer = lineIndentBefore(text, span.open);
    return `${text.slice(0, span.open)}{\n${outer}${unit}${name}: ${valueJson}\n${outer}}${text.slice(span.close + 1)}`;
  }
  const colon = text.slice(last.start, last.valueStart).slice(JSON.stringify(last.key).length);
  const sameLine = !text.slice(span.open, last.start).includes('\n');
  const sep = sameLine ? ', ' : `,\n${lineIndentBefore(text, last.start)}`;
  return text.slice(0, last.valueEnd) + sep + name + (colon || ': ') + valueJson + text.slice(last.valueEnd);
}

/** The object without the (last) member called `key`, commas and lines kept tidy. */
export function deleteMember(text: string, span: JsonObjectSpan, key: string): string {
  const member = memberOf(span, key);
  if (!member) return text;
  const index = span.members.indexOf(member);
  const next = span.members[index + 1];
  if (next) return text.slice(0, member.start) + text.slice(next.start);
  const prev = span.members[index - 1];
  if (prev) return text.slice(0, prev.valueEnd) + text.slice(member.valueEnd);
  return `${text.slice(0, span.open + 1)}${text.slice(span.close)}`;
}
