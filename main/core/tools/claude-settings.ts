// `keyfob setup claude-code ROLE`: Claude Code runs `apiKeyHelper` from its settings.json for its key (sent as
// `X-Api-Key` and `Authorization: Bearer`), again after CLAUDE_CODE_API_KEY_HELPER_TTL_MS and after a 401. Setup
// merges exactly three settings into the file and leaves every other one where it was.
import path from 'node:path';
import { KeyfobError } from '../errors.js';
import type { FileChange } from './config-file.js';

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
}

type Env = Readonly<Record<string, string | undefined>>;

/** `--project`: `.claude/settings.local.json` in `cwd`; else `$CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function claudeSettingsPath(opts: { env: Env; home: string; project?: { cwd: string } }): string {
  if (opts.project) return path.resolve(opts.project.cwd, CLAUDE_PROJECT_SETTINGS);
  const dir = opts.env.CLAUDE_CONFIG_DIR?.trim();
  return path.join(dir ? path.resolve(dir) : path.join(opts.home, '.claude'), CLAUDE_SETTINGS_FILE);
}

type Json = Record<string, unknown>;

function parseSettings(file: string, text: string | null): { doc: Json; indent: string; newline: boolean } {
  if (text === null || text.trim() === '') return { doc: {}, indent: '  ', newline: true };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new KeyfobError('validation', `${file} is not valid JSON (${(e as Error).message}); Keyfob leaves it untouched.`, {
      hint: 'Fix the file (or move it aside), then run the setup again.',
    });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new KeyfobError('validation', `${file} does not hold a JSON object; Keyfob leaves it untouched.`, { hint: 'Fix the file (or move it aside), then run the setup again.' });
  }
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
  return { doc: doc as Json, indent, newline: text.endsWith('\n') };
}

function render(doc: Json, indent: string, newline: boolean): string {
  return JSON.stringify(doc, null, indent) + (newline ? '\n' : '');
}

function envOf(doc: Json): Json | null {
  const env = doc.env;
  return typeof env === 'object' && env !== null && !Array.isArray(env) ? (env as Json) : null;
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

/**
 * Sets `apiKeyHelper`, `env.ANTHROPIC_BASE_URL` and `env.CLAUDE_CODE_API_KEY_HELPER_TTL_MS`. A key that exists keeps
 * its place (JSON.parse and stringify keep insertion order); new ones go last. A value replaced is named in a warning.
 */
export function planClaudeSetup(file: string, text: string | null, values: ClaudeSetupValues, env: Env): FileChange {
  const { doc, indent, newline } = parseSettings(file, text);
  const warnings = claudeOverrideWarnings(doc, env, file);
  const replaced = (name: string, old: unknown, now: string): void => {
    if (old !== undefined && old !== now) warnings.push(`${name} was ${JSON.stringify(old)}; setup replaces it (the backup keeps the old file).`);
  };
  replaced('apiKeyHelper', doc.apiKeyHelper, values.apiKeyHelper);
  doc.apiKeyHelper = values.apiKeyHelper;
  const settingsEnv = envOf(doc) ?? {};
  const ttl = String(values.helperTtlMs);
  replaced('env.ANTHROPIC_BASE_URL', settingsEnv.ANTHROPIC_BASE_URL, values.baseUrl);
  replaced('env.CLAUDE_CODE_API_KEY_HELPER_TTL_MS', settingsEnv.CLAUDE_CODE_API_KEY_HELPER_TTL_MS, ttl);
  settingsEnv.ANTHROPIC_BASE_URL = values.baseUrl;
  settingsEnv.CLAUDE_CODE_API_KEY_HELPER_TTL_MS = ttl;
  doc.env = settingsEnv;
  const after = render(doc, indent, newline);
  return { path: file, before: text, after, changed: after !== text, warnings };
}

/**
 * Takes out exactly what setup adds, when it still holds setup's value: the helper (this role's), the two `env`
 * entries, and `env` itself once it is empty. A value changed since is left, with a warning.
 */
export function planClaudeRemove(file: string, text: string | null, values: ClaudeSetupValues): FileChange {
  if (text === null) return { path: file, before: null, after: '', changed: false, warnings: [`${file} does not exist: nothing to remove.`] };
  const { doc, indent, newline } = parseSettings(file, text);
  const warnings: string[] = [];
  const take = (holder: Json, key: string, expected: string, label: string): void => {
    if (!(key in holder)) return;
    if (holder[key] === expected) delete holder[key];
    else warnings.push(`${label} is ${JSON.stringify(holder[key])}, not what setup wrote; left as it is.`);
  };
  take(doc, 'apiKeyHelper', values.apiKeyHelper, 'apiKeyHelper');
  const settingsEnv = envOf(doc);
  if (settingsEnv) {
    take(settingsEnv, 'ANTHROPIC_BASE_URL', values.baseUrl, 'env.ANTHROPIC_BASE_URL');
    take(settingsEnv, 'CLAUDE_CODE_API_KEY_HELPER_TTL_MS', String(values.helperTtlMs), 'env.CLAUDE_CODE_API_KEY_HELPER_TTL_MS');
    if (Object.keys(settingsEnv).length === 0) delete doc.env;
  }
  const after = render(doc, indent, newline);
  return { path: file, before: text, after, changed: after !== text, warnings };
}
