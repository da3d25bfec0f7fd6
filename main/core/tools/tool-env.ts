// The environment a tool reads to reach the proxy with a lease's key, and how each shell (or file) spells it.
// `keyfob env`, `keyfob exec` and the app's "Copy shell exports" all use these, so every path sets the same names.
import type { Lease } from '../types.js';

export type EnvFormat = 'sh' | 'fish' | 'powershell' | 'dotenv' | 'json';
export const ENV_FORMATS: readonly EnvFormat[] = ['sh', 'fish', 'powershell', 'dotenv', 'json'];

/** The names, in the order they are printed. */
export const TOOL_ENV_NAMES = [
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_API_BASE',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'LITELLM_PROXY_API_KEY',
  'LITELLM_PROXY_API_BASE',
  'KEYFOB_LEASE_ID',
  'KEYFOB_EXPIRES_AT',
] as const;

export type ToolEnvName = (typeof TOOL_ENV_NAMES)[number];

/**
 * Every convention tools read. OpenAI clients append `/chat/completions` (or `/responses`) to their base URL, whose
 * default ends in `/v1`, so both OpenAI names get `/v1` (OPENAI_API_BASE is the pre-1.0 SDKs' and LangChain's name).
 * Anthropic clients append `/v1/messages`, and LiteLLM's own SDK its routes, to the proxy root. ANTHROPIC_AUTH_TOKEN
 * (sent as `Authorization: Bearer`) rather than ANTHROPIC_API_KEY: LiteLLM accepts both, and Claude Code lets an
 * ANTHROPIC_API_KEY override its key helper. KEYFOB_EXPIRES_AT is empty for a lease that never expires.
 */
export function toolEnvironment(lease: Pick<Lease, 'lease_id' | 'expires_at'>, key: string, proxyUrl: string): Record<ToolEnvName, string> {
  const root = proxyUrl.replace(/\/+$/, '');
  return {
    OPENAI_API_KEY: key,
    OPENAI_BASE_URL: `${root}/v1`,
    OPENAI_API_BASE: `${root}/v1`,
    ANTHROPIC_AUTH_TOKEN: key,
    ANTHROPIC_BASE_URL: root,
    LITELLM_PROXY_API_KEY: key,
    LITELLM_PROXY_API_BASE: root,
    KEYFOB_LEASE_ID: lease.lease_id,
    KEYFOB_EXPIRES_AT: lease.expires_at ?? '',
  };
}

/** POSIX single quotes (sh, bash, zsh, `eval "$(…)"`): only `'` needs care. */
export function quoteSh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** fish single quotes: `\` and `'` are escaped with a backslash. */
export function quoteFish(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** PowerShell verbatim strings: `'` is doubled; the typographic single quotes count as quotes too. */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (c) => c + c)}'`;
}

/**
 * dotenv files (python-dotenv, the `dotenv` package, Docker Compose): single quotes are literal everywhere (no `$`
 * expansion); a value holding a single quote or a line break is double-quoted with backslash escapes instead.
 */
export function quoteDotenv(value: string): string {
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** The lines (or the JSON document) that set `vars` in the given format. */
export function formatEnvironment(vars: Readonly<Record<string, string>>, format: EnvFormat): string[] {
  const entries = Object.entries(vars);
  switch (format) {
    case 'sh':
      return entries.map(([k, v]) => `export ${k}=${quoteSh(v)}`);
    case 'fish':
      return entries.map(([k, v]) => `set -gx ${k} ${quoteFish(v)}`);
    case 'powershell':
      return entries.map(([k, v]) => `$env:${k} = ${quotePowerShell(v)}`);
    case 'dotenv':
      return entries.map(([k, v]) => `${k}=${quoteDotenv(v)}`);
    case 'json':
      return [JSON.stringify(vars, null, 2)];
  }
}

export function isEnvFormat(value: unknown): value is EnvFormat {
  return typeof value === 'string' && (ENV_FORMATS as readonly string[]).includes(value);
}
