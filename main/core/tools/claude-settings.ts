// `keyfob setup claude-code ROLE`: Claude Code runs `apiKeyHelper` from its settings.json for its key (sent as
// `X-Api-Key` and `Authorization: Bearer`), again after CLAUDE_CODE_API_KEY_HELPER_TTL_MS and after a 401. Setup
// merges its settings into the file as text edits (json-text.ts): every byte it does not change stays as it was.
import path from 'node:path';
import { KeyfobError } from '../errors.js';
import type { FileChange } from './config-file.js';
import { deleteMember, memberOf, scanObject, setMember, topObject, valueOf, type JsonObjectSpan } from './json-text.js';

export const CLAUDE_SETTINGS_FILE = 'settings.json';
export const CLAUDE_PROJECT_SETTINGS = path.join('.claude', 'settings.local.json');
/** Both take precedence over apiKeyHelper in Claude Code. */
export const CLAUDE_OVERRIDING_VARIABLES = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const;

export interface ClaudeSetupValues {
  /** A shell command line that prints the key: the absolute `keyfob token ROLE` (see helperCommandLine). */
  apiKeyHelper: string;
  /** The proxy root: LiteLLM serves Anthropic's `/v1/messages` there. */
  baseUrl: string;
  /** How long Claude Code caches the helper's key (helperRefreshMs). */
  helperTtlMs: number;
  /** `env` model variables to set (chooseToolModels), e.g. ANTHROPIC_MODEL; none when the role allows every model. */
  models?: Readonly<Record<string, string>>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `--project`: `.claude/settings.local.json` in `cwd`; else `$CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function claudeSettingsPath(opts: { env: Env; home: string; project?: { cwd: string } }): string {
  if (opts.project) return path.resolve(opts.project.cwd, CLAUDE_PROJECT_SETTINGS);
  const dir = opts.env.CLAUDE_CONFIG_DIR?.trim();
  return path.join(dir ? path.resolve(dir) : path.join(opts.home, '.claude'), CLAUDE_SETTINGS_FILE);
}

type Json = Record<string, unknown>;

const UNTOUCHED_HINT = 'Fix the file (or move it aside), then run the setup again.';

interface Parsed {
  text: string;
  doc: Json;
  /** One level of the file's indentation, for a new `env` object. */
  unit: string;
}

function parseSettings(file: string, text: string | null): Parsed {
  if (text === null || text.trim() === '') return { text: text === null || text === '' ? '{}\n' : `{}${text}`, doc: {}, unit: '  ' };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new KeyfobError('validation', `${file} is not valid JSON (${(e as Error).message}); Keyfob leaves it untouched.`, { hint: UNTOUCHED_HINT });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new KeyfobError('validation', `${file} does not hold a JSON object; Keyfob leaves it untouched.`, { hint: UNTOUCHED_HINT });
  }
  return { text, doc: doc as Json, unit: /^([ \t]+)"/m.exec(text)?.[1] ?? '  ' };
}

function envOf(doc: Json): Json | null {
  const env = doc.env;
  return typeof env === 'object' && env !== null && !Array.isArray(env) ? (env as Json) : null;
}

/** The `env` object's span, after making one when there is none (or it is not an object). */
function envSpan(text: string, unit: string): { text: string; span: JsonObjectSpan } {
  let top = topObject(text);
  const env = memberOf(top, 'env');
  if (!env || text[env.valueStart] !== '{') {
    text = setMember(text, top, 'env', '{}', unit);
    top = topObject(text);
  }
  const member = memberOf(top, 'env') as NonNullable<ReturnType<typeof memberOf>>;
  return { text, span: scanObject(text, member.valueStart) };
}

/** The variables that would make Claude Code ignore the helper, in the environment or the settings' `env`. */
export function claudeOverrideWarnings(doc: Json, env: Env, file: string): string[] {
  const warnings: string[] = [];
  const settingsEnv = envOf(doc) ?? {};
  for (const name of CLAUDE_OVERRIDING_VARIABLES) {
    if (env[name]) warnings.push(`${name} is set in your environment: Claude Code uses it instead of the Keyfob helper. Unset it (and remove it from your shell profile).`);
    if (typeof settingsEnv[name] === 'string' && settingsEnv[name]) warnings.push(`${name} is set in ${file} (env): Claude Code uses it instead of the Keyfob helper. Remove it there.`);
  }
  return warnings;
}

/** The `env` entries setup writes: the base URL, the helper's TTL and the chosen models. */
function envEntries(values: ClaudeSetupValues): Array<[string, string]> {
  return [['ANTHROPIC_BASE_URL', values.baseUrl], ['CLAUDE_CODE_API_KEY_HELPER_TTL_MS', String(values.helperTtlMs)], ...Object.entries(values.models ?? {})];
}

/**
 * Sets `apiKeyHelper` and setup's `env` entries (ANTHROPIC_BASE_URL, CLAUDE_CODE_API_KEY_HELPER_TTL_MS, the models).
 * A key that exists keeps its place and only its value changes; new ones go last. A value replaced is named.
 */
export function planClaudeSetup(file: string, text: string | null, values: ClaudeSetupValues, env: Env): FileChange {
  const parsed = parseSettings(file, text);
  const { doc, unit } = parsed;
  const warnings = claudeOverrideWarnings(doc, env, file);
  const replaced = (name: string, old: unknown, now: string): void => {
    if (old !== undefined && old !== now) warnings.push(`${name} was ${JSON.stringify(old)}; setup replaces it (the backup keeps the old file).`);
  };
  replaced('apiKeyHelper', doc.apiKeyHelper, values.apiKeyHelper);
  let after = doc.apiKeyHelper === values.apiKeyHelper ? parsed.text : setMember(parsed.text, topObject(parsed.text), 'apiKeyHelper', JSON.stringify(values.apiKeyHelper), unit);
  const settingsEnv = envOf(doc) ?? {};
  if (doc.env !== undefined && envOf(doc) === null) warnings.push(`env was ${JSON.stringify(doc.env)}, not an object; setup replaces it.`);
  for (const [name, value] of envEntries(values)) {
    if (settingsEnv[name] === value) continue;
    replaced(`env.${name}`, settingsEnv[name], value);
    const { text: withEnv, span } = envSpan(after, unit);
    after = setMember(withEnv, span, name, JSON.stringify(value), unit);
  }
  if (text === null || text.trim() === '') after = after.endsWith('\n') ? after : `${after}\n`;
  return { path: file, before: text, after, changed: after !== text, warnings };
}

/**
 * Takes out exactly what setup adds, when it still holds setup's value: the helper (this role's), its `env`
 * entries, and `env` itself once it is empty. A value changed since is left, with a warning.
 */
export function planClaudeRemove(file: string, text: string | null, values: ClaudeSetupValues): FileChange {
  if (text === null) return { path: file, before: null, after: '', changed: false, warnings: [`${file} does not exist: nothing to remove.`] };
  const { doc } = parseSettings(file, text);
  const warnings: string[] = [];
  let after = text;
  if ('apiKeyHelper' in doc) {
    if (doc.apiKeyHelper === values.apiKeyHelper) after = deleteMember(after, topObject(after), 'apiKeyHelper');
    else warnings.push(`apiKeyHelper is ${JSON.stringify(doc.apiKeyHelper)}, not what setup wrote; left as it is.`);
  }
  const settingsEnv = envOf(doc);
  if (settingsEnv) {
    for (const [name, value] of envEntries(values)) {
      if (!(name in settingsEnv)) continue;
      if (settingsEnv[name] !== value) {
        warnings.push(`env.${name} is ${JSON.stringify(settingsEnv[name])}, not what setup wrote; left as it is.`);
        continue;
      }
      const envMember = memberOf(topObject(after), 'env') as NonNullable<ReturnType<typeof memberOf>>;
      after = deleteMember(after, scanObject(after, envMember.valueStart), name);
    }
    const envMember = memberOf(topObject(after), 'env');
    if (envMember && Object.keys(valueOf(after, envMember) as Json).length === 0) after = deleteMember(after, topObject(after), 'env');
  }
  return { path: file, before: text, after, changed: after !== text, warnings };
}
