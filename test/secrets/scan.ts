// Finds key material in text: any of the known secrets verbatim (the admin key need not start with `sk-`), and any
// `sk-` token that is more than a hint. A hint is `sk-...` plus at most four characters (`sk-...abcd`): enough to
// tell keys apart, never enough to use one. LiteLLM's own mask (`sk-a****wxyz`) carries no run of key characters.
import fs from 'node:fs';
import path from 'node:path';
import { redactKey } from '../../main/core/errors.js';

/** `sk-` at the start of a token (not inside `task-list`), with what follows it. */
const SK_TOKEN = /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_.-]*/g;
const HINT = /^sk-\.\.\.[A-Za-z0-9_-]{0,4}$/;
const KEY_RUN = /[A-Za-z0-9_-]{4,}/;

export interface Finding {
  where: string;
  what: string;
}

/** Every piece of key material in `text`, described without repeating it. */
export function keyMaterialIn(text: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const secret of new Set(secrets)) {
    if (secret.length >= 8 && text.includes(secret)) found.push(`the secret ${redactKey(secret)}`);
  }
  for (const [match] of text.matchAll(SK_TOKEN)) {
    // A sentence may end right after a token: its full stop is not part of it.
    let token = match;
    while (token.endsWith('.') && !HINT.test(token)) token = token.slice(0, -1);
    if (HINT.test(token)) continue;
    if (KEY_RUN.test(token.slice(3))) found.push(`an sk- token ${redactKey(token)}`);
  }
  return found;
}

export function scan(where: string, text: string, secrets: readonly string[]): Finding[] {
  return keyMaterialIn(text, secrets).map((what) => ({ where, what }));
}

/** Every file under `dir` (backups, temp files and rotated logs included), read as text. */
export function scanTree(dir: string, secrets: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    findings.push(...scan(file, fs.readFileSync(file).toString('latin1'), secrets));
  }
  return findings;
}

/** Lists the files scanned, so a test can show it looked where it says it did. */
export function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}
