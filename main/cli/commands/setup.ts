// `keyfob setup claude-code|codex|shell ROLE`: Keyfob becomes the tool's key helper, so no key is ever pasted.
// The merges are the core's (main/core/tools, also used by the app); this file finds the files, prints and writes.
import os from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KeyfobCore } from '../../core/core-api.js';
import { KeyfobError } from '../../core/errors.js';
import { defaultStateDir } from '../../core/settings/index.js';
import {
  SHELL_KINDS,
  claudeSettingsPath,
  codexConfigPath,
  codexProfilePath,
  codexProviderId,
  helperRefreshMs,
  helperSetup,
  lineDiff,
  planClaudeRemove,
  planCodexRemove,
  planToolSetup,
  readConfigText,
  shellCommandLine,
  shellLines,
  writeFileChange,
} from '../../core/tools/index.js';
import type { FileChange, HelperSetup, ShellKind } from '../../core/tools/index.js';
import { boolValue, stringValue } from '../args.js';
import type { CliContext, Command } from '../command.js';
import { EXIT_OK, usageError } from '../failure.js';

/** The argv that runs this Keyfob CLI from anywhere: absolute node and bin/keyfob.js. */
export function keyfobInvocation(): string[] {
  // Compiled, this file is dist/main/cli/commands/setup.js; run from source, main/cli/commands/setup.ts.
  for (const up of ['../../../../bin/keyfob.js', '../../../bin/keyfob.js']) {
    const bin = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(bin)) return [process.execPath, bin];
  }
  throw new KeyfobError('internal', 'Cannot find bin/keyfob.js beside this Keyfob installation.');
}

/** An explicit home (`--home` or KEYFOB_HOME) is carried into the helper; the default one is not spelled out. */
function explicitHome(ctx: CliContext): string | undefined {
  return ctx.stateDir === defaultStateDir(process.platform, ctx.streams.env) ? undefined : ctx.stateDir;
}

function userHome(ctx: CliContext): string {
  return ctx.streams.env.HOME || os.homedir();
}

function planHelper(ctx: CliContext, core: KeyfobCore, roleName: string): Promise<HelperSetup> {
  return helperSetup(core, roleName, { keyfob: keyfobInvocation(), home: explicitHome(ctx), connectHint: 'run `keyfob connect --url URL` first' });
}

/** `--print`: the changes, nothing written; otherwise write them (each with a backup) and say where. */
function finish(ctx: CliContext, changes: readonly FileChange[], print: boolean, done: string[]): number {
  for (const change of changes) {
    for (const w of change.warnings) ctx.err(`keyfob: warning: ${w}`);
    if (!change.changed) {
      if (change.before !== null) ctx.out(`${change.path}: already as setup leaves it; nothing to change.`);
      continue;
    }
    if (print) {
      ctx.out(`${change.path} would ${change.after === null ? 'be deleted' : 'change'} (nothing written):`);
      for (const line of lineDiff(change.before ?? '', change.after ?? '')) ctx.out(line);
      continue;
    }
    const { backup } = writeFileChange(change, Date.now());
    const verb = change.after === null ? 'deleted' : 'updated';
    ctx.out(`${verb} ${change.path}${backup ? ` (previous file saved as ${backup})` : ' (new file)'}`);
  }
  if (changes.every((c) => !c.changed && c.before === null)) ctx.out('nothing to change: no file holds what setup adds.');
  if (!print && changes.some((c) => c.changed)) for (const line of done) ctx.out(line);
  return EXIT_OK;
}

export const setupClaudeCodeCommand: Command = {
  name: 'setup claude-code',
  summary: 'make Keyfob the key helper of Claude Code (apiKeyHelper in its settings.json)',
  usage: 'keyfob setup claude-code ROLE [--project] [--print] [--remove]',
  description: [
    'Merges into $CLAUDE_CONFIG_DIR/settings.json (else ~/.claude/settings.json; --project: .claude/settings.local.json',
    'here): apiKeyHelper = the absolute `keyfob token ROLE` (with this --home / KEYFOB_HOME), env.ANTHROPIC_BASE_URL =',
    'the proxy, env.CLAUDE_CODE_API_KEY_HELPER_TTL_MS = half the least time left on a key handed out. Every other',
    'setting stays, in order; the previous file is kept as a dated backup; running it twice changes nothing.',
    '--print shows the change without writing; --remove takes out exactly what setup added.',
    'Warns when ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN is set: Claude Code prefers them to the helper.',
  ],
  args: {
    options: {
      project: { type: 'boolean', help: 'write .claude/settings.local.json in the current directory instead' },
      print: { type: 'boolean', help: 'show the change; write nothing' },
      remove: { type: 'boolean', help: 'take out what setup added' },
    },
    positionals: [{ name: 'ROLE', required: true }],
  },
  examples: ['keyfob setup claude-code dev', 'keyfob setup claude-code dev --print', 'keyfob setup claude-code dev --remove'],
  async run(ctx, args) {
    const print = boolValue(args, 'print');
    const remove = boolValue(args, 'remove');
    return ctx.withCore({}, async (core) => {
      const plan = await planHelper(ctx, core, args.positionals[0] as string);
      const where = { env: ctx.streams.env, home: userHome(ctx), ...(boolValue(args, 'project') ? { project: { cwd: process.cwd() } } : {}) };
      if (remove) {
        const file = claudeSettingsPath(where);
        const values = { apiKeyHelper: shellCommandLine(plan.helper), baseUrl: plan.proxyUrl, helperTtlMs: helperRefreshMs(plan.ttlSeconds) };
        return finish(ctx, [planClaudeRemove(file, readConfigText(file), values)], print, []);
      }
      const { changes } = await planToolSetup('claude-code', plan, where);
      return finish(ctx, changes, print, [`Claude Code now asks \`keyfob token ${plan.role}\` for its key: run \`claude\` as usual.`]);
    });
  },
};

export const setupCodexCommand: Command = {
  name: 'setup codex',
  summary: 'make Keyfob the key helper of Codex (a provider in its config.toml, and a profile)',
  usage: 'keyfob setup codex ROLE [--print] [--remove]',
  description: [
    'Merges into $CODEX_HOME/config.toml (else ~/.codex/config.toml): [model_providers.keyfob-ROLE] with base_url =',
    'the proxy + /v1, wire_api = "responses", auth.command/auth.args running `keyfob token ROLE` and',
    'auth.refresh_interval_ms; and writes the profile selecting it, keyfob-ROLE.config.toml beside it (the form',
    'current Codex reads for `codex --profile keyfob-ROLE`; a legacy [profiles.keyfob-ROLE] table is taken out).',
    'Comments and every other table stay; dated backup; idempotent; --print and --remove as for claude-code.',
  ],
  args: {
    options: {
      print: { type: 'boolean', help: 'show the change; write nothing' },
      remove: { type: 'boolean', help: 'take out the provider and profile setup added' },
    },
    positionals: [{ name: 'ROLE', required: true }],
  },
  examples: ['keyfob setup codex dev', 'codex --profile keyfob-dev', 'keyfob setup codex dev --remove'],
  async run(ctx, args) {
    const print = boolValue(args, 'print');
    const remove = boolValue(args, 'remove');
    return ctx.withCore({}, async (core) => {
      const where = { env: ctx.streams.env, home: userHome(ctx) };
      if (remove) {
        const file = codexConfigPath(where);
        const role = core.getRole(args.positionals[0] as string).name;
        const profilePath = codexProfilePath(file, role);
        const profile = { path: profilePath, text: readConfigText(profilePath) };
        return finish(ctx, await planCodexRemove(file, readConfigText(file), role, profile), print, []);
      }
      const plan = await planHelper(ctx, core, args.positionals[0] as string);
      const { changes } = await planToolSetup('codex', plan, where);
      return finish(ctx, changes, print, [`Run \`codex --profile ${codexProviderId(plan.role)}\`; Codex asks \`keyfob token ${plan.role}\` for its key.`]);
    });
  },
};

export const setupShellCommand: Command = {
  name: 'setup shell',
  summary: 'print the line that gives every new shell a live key of a role',
  usage: 'keyfob setup shell ROLE [--shell bash|zsh|fish|powershell]',
  description: [
    'Prints, for each shell, the line to add to its start-up file (~/.bashrc, ~/.zshrc, ~/.config/fish/config.fish,',
    'the PowerShell $PROFILE). It runs `keyfob env ROLE` in that shell\'s format. Nothing is written.',
    '--shell prints only that shell\'s line, e.g. `keyfob setup shell dev --shell bash >> ~/.bashrc`.',
  ],
  args: {
    options: { shell: { type: 'string', value: 'bash|zsh|fish|powershell', help: 'print only this shell\'s line' } },
    positionals: [{ name: 'ROLE', required: true }],
  },
  examples: ['keyfob setup shell dev', 'keyfob setup shell dev --shell zsh >> ~/.zshrc'],
  async run(ctx, args) {
    const only = stringValue(args, 'shell');
    if (only !== undefined && !(SHELL_KINDS as readonly string[]).includes(only)) {
      throw usageError(`--shell must be one of ${SHELL_KINDS.join(', ')}`, { fields: [{ field: '--shell', message: `must be one of ${SHELL_KINDS.join(', ')} (got ${JSON.stringify(only)})` }] });
    }
    const role = await ctx.withCore({}, async (core) => core.getRole(args.positionals[0] as string).name);
    const home = explicitHome(ctx);
    const lines = shellLines([...keyfobInvocation(), ...(home ? ['--home', home] : [])], role);
    if (only) {
      ctx.out((lines.find((l) => l.shell === (only as ShellKind)) as { line: string }).line);
      return EXIT_OK;
    }
    for (const l of lines) {
      ctx.out(`# ${l.shell}: add to ${l.file}`);
      ctx.out(l.line);
    }
    return EXIT_OK;
  },
};
