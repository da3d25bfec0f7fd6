// What `keyfob setup claude-code|codex ROLE` and the window's Set up buttons both plan: the helper command of a role,
// the model the role allows, and the changes to the tool's own configuration files (its registry entry). The callers
// say where the CLI lives and whether to write.
import type { KeyfobCore } from '../core-api.js';
import { KeyfobError } from '../errors.js';
import { resolveTTLs } from '../roles/index.js';
import { toolBaseUrls } from './base-urls.js';
import type { FileChange } from './config-file.js';
import { helperArgv } from './helper-command.js';
import { chooseToolModel, type ModelChoice } from './tool-models.js';
import { TOOL_REGISTRY, type HelperSetup, type ToolId, type ToolWhere } from './tool-registry.js';

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
  return { role: role.name, models: role.models, urls: toolBaseUrls(proxyUrl, settings.litellm_resolved_url), ttlSeconds: resolveTTLs(role, settings).ttl, helper };
}

export interface ToolSetupPlan {
  /** The tool's main file. */
  file: string;
  changes: FileChange[];
  model: ModelChoice;
}

/** The model for the tool, then its changes (or, with `remove`, the changes that take setup's out). */
export async function planToolSetup(tool: ToolId, setup: HelperSetup, where: ToolWhere, opts: { model?: string | undefined; remove?: boolean } = {}): Promise<ToolSetupPlan> {
  const entry = TOOL_REGISTRY[tool];
  const model = chooseToolModel(entry.models, { name: setup.role, models: setup.models }, `keyfob setup ${tool} ${setup.role}`, opts.model);
  const changes = opts.remove ? await entry.remove(setup, where, model) : await entry.plan(setup, where, model);
  return { file: entry.files(setup.role, where)[0] as string, changes, model };
}
