// Every tool `keyfob setup` and the window's "Use with…" panel know, one entry each. The tool name type, the IPC
// validator, the CLI's help and the window's panel all come from here; a tool without a plan does not compile.
import { claudeSettingsPath, planClaudeRemove, planClaudeSetup, type ClaudeSetupValues } from './claude-settings.js';
import { codexConfigPath, codexProfilePath, codexProviderId, planCodexRemove, planCodexSetup } from './codex-config.js';
import path from 'node:path';
import type { ToolBaseUrls } from './base-urls.js';
import { assertProjectTarget, readConfigText, type FileChange } from './config-file.js';
import { shellCommandLine } from './helper-command.js';
import type { ModelChoice, ModelTaste } from './tool-models.js';
import { helperRefreshMs } from './token-policy.js';

type Env = Readonly<Record<string, string | undefined>>;

export const TOOL_IDS = ['claude-code', 'codex'] as const;
export type ToolId = (typeof TOOL_IDS)[number];

/** Where the tool's files are looked for: the person's environment and home, and `--project` (Claude Code). */
export interface ToolWhere {
  env: Env;
  home: string;
  project?: { cwd: string } | undefined;
}

/** What a tool's plan is given (tool-setup.ts builds it): a role's key helper — the command the tool runs, the base URLs it talks to, its models and its lease TTL. */
export interface HelperSetup {
  role: string;
  /** The role's models; empty means every model. */
  models: readonly string[];
  urls: ToolBaseUrls;
  ttlSeconds: number;
  helper: string[];
}

export interface ToolSnippet {
  what: string;
  commands: Array<{ label: string; text: string }>;
}

export interface ToolEntry {
  id: ToolId;
  label: string;
  /** Whether `--project` (a file inside the current repository) applies. */
  project: boolean;
  /** The files setup changes, the main one first. */
  files(role: string, where: ToolWhere): string[];
  /** Which models the tool speaks and prefers (chooseToolModel). */
  models: ModelTaste;
  plan(setup: HelperSetup, where: ToolWhere, model: ModelChoice): Promise<FileChange[]>;
  remove(setup: HelperSetup, where: ToolWhere, model: ModelChoice): Promise<FileChange[]>;
  /** What to do next, once the files are written. */
  message(role: string): string;
  /** The window's "Use with…" commands. */
  snippet(role: string): ToolSnippet;
}

/** Claude Code's settings file; inside a project it must be the project's own file, not a link out of it. */
function claudeFile(where: ToolWhere): string {
  const file = claudeSettingsPath(where);
  if (where.project) assertProjectTarget(file, path.resolve(where.project.cwd));
  return file;
}

function claudeValues(setup: HelperSetup, model: ModelChoice): ClaudeSetupValues {
  const models: Record<string, string> = {};
  if (model.model) models.ANTHROPIC_MODEL = model.model;
  // Claude Code 2.x reads ANTHROPIC_DEFAULT_HAIKU_MODEL; ANTHROPIC_SMALL_FAST_MODEL is its older name, still read.
  if (model.small) Object.assign(models, { ANTHROPIC_SMALL_FAST_MODEL: model.small, ANTHROPIC_DEFAULT_HAIKU_MODEL: model.small });
  return { apiKeyHelper: shellCommandLine(setup.helper), baseUrl: setup.urls.anthropic, helperTtlMs: helperRefreshMs(setup.ttlSeconds), models };
}

function codexValues(setup: HelperSetup, model: ModelChoice) {
  return { role: setup.role, baseUrl: setup.urls.openai, helper: setup.helper, refreshIntervalMs: helperRefreshMs(setup.ttlSeconds), model: model.model ?? undefined };
}

const claudeCode: ToolEntry = {
  id: 'claude-code',
  label: 'Claude Code',
  project: true,
  files: (_role, where) => [claudeFile(where)], // checked before its lock is taken beside it
  models: { label: 'Claude Code', speaks: (m) => /claude/i.test(m), prefer: [/sonnet/i, /opus/i], small: [/haiku/i] },
  async plan(setup, where, model) {
    const file = claudeFile(where);
    return [planClaudeSetup(file, readConfigText(file), claudeValues(setup, model), where.env)];
  },
  async remove(setup, where, model) {
    const file = claudeFile(where);
    return [planClaudeRemove(file, readConfigText(file), claudeValues(setup, model))];
  },
  message: (role) => `Claude Code now asks \`keyfob token ${role}\` for its key: run \`claude\` as usual.`,
  snippet: (role) => ({
    what: 'Sets Claude Code’s key helper and a model the role allows: it asks Keyfob for a key of this role when it needs one, so nothing is pasted.',
    commands: [{ label: 'Set up', text: `keyfob setup claude-code ${role}` }],
  }),
};

const codex: ToolEntry = {
  id: 'codex',
  label: 'Codex',
  project: false,
  files: (role, where) => {
    const file = codexConfigPath(where);
    return [file, codexProfilePath(file, role)];
  },
  // Codex speaks the Responses API; LiteLLM bridges other families, but Codex's prompts are tuned for OpenAI's.
  models: { label: 'Codex', speaks: (m) => !/claude/i.test(m), prefer: [/codex/i, /gpt-5/i, /gpt/i, /^o\d/i] },
  async plan(setup, where, model) {
    const file = codexConfigPath(where);
    const profile = codexProfilePath(file, setup.role);
    return planCodexSetup(file, readConfigText(file), codexValues(setup, model), { path: profile, text: readConfigText(profile) });
  },
  async remove(setup, where) {
    const file = codexConfigPath(where);
    const profile = codexProfilePath(file, setup.role);
    return planCodexRemove(file, readConfigText(file), setup.role, { path: profile, text: readConfigText(profile) });
  },
  message: (role) => `Run \`codex --profile ${codexProviderId(role)}\`; Codex asks \`keyfob token ${role}\` for its key.`,
  snippet: (role) => ({
    what: 'Adds a Keyfob provider and profile (with a model the role allows) to Codex’s config; then start Codex with the profile.',
    commands: [
      { label: 'Set up', text: `keyfob setup codex ${role}` },
      { label: 'Run', text: `codex --profile ${codexProviderId(role)}` },
    ],
  }),
};

export const TOOL_REGISTRY = { 'claude-code': claudeCode, codex } as const satisfies Record<ToolId, ToolEntry>;

export function isToolId(value: unknown): value is ToolId {
  return typeof value === 'string' && (TOOL_IDS as readonly string[]).includes(value);
}
