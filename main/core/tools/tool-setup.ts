// What `keyfob setup claude-code|codex ROLE` and the window's Set up buttons both plan: the helper command of a role
// and the changes to the tool's own configuration files. The callers say where the CLI lives and whether to write.
import type { KeyfobCore } from '../core-api.js';
import { KeyfobError } from '../errors.js';
import { resolveTTLs } from '../roles/index.js';
import { claudeSettingsPath, planClaudeSetup } from './claude-settings.js';
import { codexConfigPath, codexProfilePath, planCodexSetup } from './codex-config.js';
import { readConfigText, type FileChange } from './config-file.js';
import { helperArgv, shellCommandLine } from './helper-command.js';
import { helperRefreshMs } from './token-policy.js';

type Env = Readonly<Record<string, string | undefined>>;

export type SetupTool = 'claude-code' | 'codex';

/** A role's key helper: the command a tool runs, the proxy it talks to, and the lease TTL its refresh follows. */
export interface HelperSetup {
  role: string;
  proxyUrl: string;
  ttlSeconds: number;
  helper: string[];
}

/**
 * The helper for `roleName`. `keyfob` runs the CLI from anywhere; `home` is carried in when it is not the default
 * state directory; `connectHint` says how to connect, in the caller's words.
 */
export async function helperSetup(core: KeyfobCore, roleName: string, opts: { keyfob: readonly string[]; home?: string | undefined; connectHint: string }): Promise<HelperSetup> {
  const role = core.getRole(roleName);
  const settings = core.getSettings();
  // Only the URL the credential is bound to: a settings change (a compromised window) cannot aim the tools elsewhere.
  const proxyUrl = await core.boundUrl();
  if (!proxyUrl) {
    throw new KeyfobError('not-connected', 'Keyfob is not connected to a LiteLLM proxy yet, so there is no proxy URL to set up.', { hint: opts.connectHint });
  }
  const helper = helperArgv({ keyfob: opts.keyfob, role: role.name, ...(opts.home ? { home: opts.home } : {}) });
  return { role: role.name, proxyUrl, ttlSeconds: resolveTTLs(role, settings).ttl, helper };
}

/** The tool's main file and the changes that make Keyfob its key helper (Codex: the provider and its profile file). */
export async function planToolSetup(tool: SetupTool, setup: HelperSetup, where: { env: Env; home: string; project?: { cwd: string } }): Promise<{ file: string; changes: FileChange[] }> {
  const refreshMs = helperRefreshMs(setup.ttlSeconds);
  if (tool === 'claude-code') {
    const file = claudeSettingsPath(where);
    const values = { apiKeyHelper: shellCommandLine(setup.helper), baseUrl: setup.proxyUrl, helperTtlMs: refreshMs };
    return { file, changes: [planClaudeSetup(file, readConfigText(file), values, where.env)] };
  }
  const file = codexConfigPath(where);
  const profilePath = codexProfilePath(file, setup.role);
  const values = { role: setup.role, proxyUrl: setup.proxyUrl, helper: setup.helper, refreshIntervalMs: refreshMs };
  return { file, changes: await planCodexSetup(file, readConfigText(file), values, { path: profilePath, text: readConfigText(profilePath) }) };
}
