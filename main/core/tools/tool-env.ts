// The environment a tool reads to reach the proxy with a lease's key, and how each shell (or file) spells it.
// `keyfob env`, `keyfob exec`, `issue --env` and the app's "Copy shell exports" all use these, so every path sets the
// same names with the same base URLs (toolBaseUrls).
import { KeyfobError } from '../errors.js';
import type { Lease } from '../types.js';
import type { ToolBaseUrls } from './base-urls.js';
import { quoteDotenv, quoteFish, quotePowerShell, quoteSh } from './shell-quote.js';

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
 * What a shell's start-up line leaves out (`setup shell`): Claude Code prefers ANTHROPIC_AUTH_TOKEN to its key helper,
 * so a shell holding a fixed key would keep `claude` on a dead key after a revoke or an expiry. Claude Code gets its
 * key from `setup claude-code`'s helper; an Anthropic SDK script from `keyfob exec` or `keyfob env`.
 */
export const HELPER_OVERRIDING_NAMES: readonly ToolEnvName[] = ['ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL'];

/** LiteLLM's virtual keys: `sk-` and URL-safe characters. Anything else comes from a broken or hostile proxy. */
export const LITELLM_KEY_SHAPE = /^sk-[A-Za-z0-9_-]+$/;

export function assertLiteLLMKeyShape(key: string): void {
  if (!LITELLM_KEY_SHAPE.test(key)) {
    throw new KeyfobError('server-error', 'The proxy handed out a key that is not of LiteLLM\'s shape (sk- and URL-safe characters); Keyfob does not pass it to a shell or a tool.', {
      hint: 'Check that the URL is your LiteLLM proxy; revoke the lease with `keyfob lease revoke`.',
    });
  }
}

/**
 * Every convention tools read. OPENAI_API_BASE is the pre-1.0 SDKs' and LangChain's name. ANTHROPIC_AUTH_TOKEN (sent
 * as `Authorization: Bearer`) rather than ANTHROPIC_API_KEY: LiteLLM accepts both, and Claude Code lets an
 * ANTHROPIC_API_KEY override its key helper. KEYFOB_EXPIRES_AT is empty for a lease that never expires.
 */
export function toolEnvironment(lease: Pick<Lease, 'lease_id' | 'expires_at'>, key: string, urls: ToolBaseUrls): Record<ToolEnvName, string> {
  assertLiteLLMKeyShape(key);
  return {
    OPENAI_API_KEY: key,
    OPENAI_BASE_URL: urls.openai,
    OPENAI_API_BASE: urls.openai,
    ANTHROPIC_AUTH_TOKEN: key,
    ANTHROPIC_BASE_URL: urls.anthropic,
    LITELLM_PROXY_API_KEY: key,
    LITELLM_PROXY_API_BASE: urls.litellm,
    KEYFOB_LEASE_ID: lease.lease_id,
    KEYFOB_EXPIRES_AT: lease.expires_at ?? '',
  };
}

/** `vars` without the names in `leaveOut`. */
export function withoutNames<T extends string>(vars: Readonly<Record<T, string>>, leaveOut: readonly string[]): Partial<Record<T, string>> {
  return Object.fromEntries(Object.entries(vars).filter(([name]) => !leaveOut.includes(name))) as Partial<Record<T, string>>;
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
      return entries.map(([k, v]) => `${k}=${quoteDotenv(v, k)}`);
    case 'json':
      return [JSON.stringify(vars, null, 2)];
  }
}

export function isEnvFormat(value: unknown): value is EnvFormat {
  return typeof value === 'string' && (ENV_FORMATS as readonly string[]).includes(value);
}
