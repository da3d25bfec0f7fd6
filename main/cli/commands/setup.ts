// `keyfob setup claude-code|codex|shell ROLE`: Keyfob becomes the tool's key helper, so no key is ever pasted.
// The tools and their merges are the core's registry (main/core/tools, also used by the app); this file finds the
// files, takes each file's lock, prints and writes.
import os from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KeyfobCore } from '../../core/core-api.js';
import { KeyfobError } from '../../core/errors.js';
import { defaultStateDir } from '../../core/settings/index.js';
import {
  HELPER_OVERRIDING_NAMES,
  SHELL_KINDS,
  TOOL_IDS,
  TOOL_REGISTRY,
  helperSetup,
  lineDiff,
  planToolSetup,
  shellLines,
  withFileLocks,
  writeFileChange,
} from '../../core/tools/index.js';
import type { FileChange, HelperSetup, ShellKind, ToolId } from '../../core/tools/index.js';
import { boolValue, stringValue } from '../args.js';
import type { ParsedArgs } from '../args.js';
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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

/** What each tool's `setup --help` says about its files; a tool in the registry without one does not compile. */
const TOOL_FILES_HELP: Record<ToolId, { summary: string; files: string[] }> = {
  'claude-code': {
    summary: 'make Keyfob the key helper of Claude Code (apiKeyHelper in its settings.json)',
    files: [
      'Merges into $CLAUDE_CONFIG_DIR/settings.json (else ~/.claude/settings.json; --project: .claude/settings.local.json',
      'here, which must not be a symbolic link): apiKeyHelper = the absolute `keyfob token ROLE` (with this --home /',
      'KEYFOB_HOME), env.ANTHROPIC_BASE_URL = the proxy root, env.CLAUDE_CODE_API_KEY_HELPER_TTL_MS = half the least time',
      'left on a key handed out, and the models (env.ANTHROPIC_MODEL, env.ANTHROPIC_SMALL_FAST_MODEL and',
      'env.ANTHROPIC_DEFAULT_HAIKU_MODEL). A symlinked settings.json stays a link; its target is updated.',
      'Warns when ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN is set: Claude Code prefers them to the helper.',
    ],
  },
  codex: {
    summary: 'make Keyfob the key helper of Codex (a provider in its config.toml, and a profile)',
    files: [
      'Merges into $CODEX_HOME/config.toml (else ~/.codex/config.toml): [model_providers.keyfob-ROLE] with base_url =',
      'the proxy root + /v1, wire_api = "responses", auth.command/auth.args running `keyfob token ROLE` and',
      'auth.refresh_interval_ms; and writes the profile selecting it (model_provider, and model), keyfob-ROLE.config.toml',
      'beside it (what `codex --profile keyfob-ROLE` reads; a legacy [profiles.keyfob-ROLE] table is taken out).',
    ],
  },
};

const COMMON_HELP = [
  'Model: when the role lists models, setup writes one the role allows that the tool can speak (its preferred',
  'family first) and says which; --model MODEL writes that one instead; a role that allows every model leaves the',
  'tool\'s own default. A role with no model the tool can speak gets a warning naming the role\'s models.',
  'Every other setting stays byte for byte; the previous file is kept as a dated backup; running it twice changes',
  'nothing; concurrent runs take turns on each file. --print shows the change without writing; --remove takes out',
  'exactly what setup added.',
];

function setupToolCommand(id: ToolId): Command {
  const entry = TOOL_REGISTRY[id];
  const help = TOOL_FILES_HELP[id];
  const usage = `keyfob setup ${id} ROLE [--model MODEL]${entry.project ? ' [--project]' : ''} [--print] [--remove]`;
  return {
    name: `setup ${id}`,
    summary: help.summary,
    usage,
    description: [...help.files, ...COMMON_HELP],
    args: {
      options: {
        model: { type: 'string', value: 'MODEL', help: 'the model to write (default: one the role allows)' },
        ...(entry.project ? { project: { type: 'boolean' as const, help: 'write .claude/settings.local.json in the current directory instead' } } : {}),
        print: { type: 'boolean', help: 'show the change; write nothing' },
        remove: { type: 'boolean', help: 'take out what setup added' },
      },
      positionals: [{ name: 'ROLE', required: true }],
    },
    examples: [`keyfob setup ${id} dev`, `keyfob setup ${id} dev --print`, `keyfob setup ${id} dev --remove`],
    run: (ctx, args) => runToolSetup(ctx, args, id),
  };
}

async function runToolSetup(ctx: CliContext, args: ParsedArgs, id: ToolId): Promise<number> {
  const entry = TOOL_REGISTRY[id];
  const print = boolValue(args, 'print');
  const remove = boolValue(args, 'remove');
  const model = stringValue(args, 'model');
  return ctx.withCore({}, async (core) => {
    const setup = await planHelper(ctx, core, args.positionals[0] as string);
    const where = { env: ctx.streams.env, home: userHome(ctx), ...(entry.project && boolValue(args, 'project') ? { project: { cwd: process.cwd() } } : {}) };
    // Read, planned and written under each file's lock: a concurrent run re-reads what this one wrote.
    return withFileLocks(entry.files(setup.role, where), { sleep }, async () => {
      const plan = await planToolSetup(id, setup, where, { model, remove });
      if (!remove) for (const w of plan.model.warnings) ctx.err(`keyfob: warning: ${w}`);
      const code = finish(ctx, plan.changes, print, remove ? [] : [entry.message(setup.role)]);
      if (!remove) ctx.out(plan.model.note);
      return code;
    });
  });
}

export const setupToolCommands: Command[] = TOOL_IDS.map(setupToolCommand);

export const setupShellCommand: Command = {
  name: 'setup shell',
  summary: 'print the line that gives every new shell a live key of a role',
  usage: 'keyfob setup shell ROLE [--shell bash|zsh|fish|powershell]',
  description: [
    'Prints, for each shell, the line to add to its start-up file (~/.bashrc, ~/.zshrc, ~/.config/fish/config.fish,',
    'the PowerShell $PROFILE), each quoted by that shell\'s own rules. It runs `keyfob env ROLE --for-shell` in that',
    `shell's format, which leaves out ${HELPER_OVERRIDING_NAMES.join(' and ')}: Claude Code would prefer them to its`,
    'key helper and keep the shell\'s key after a revoke or an expiry, so Claude Code always asks its helper (run',
    '`keyfob setup claude-code ROLE`). The shell\'s own key lives until the role\'s TTL; a new shell gets a live one.',
    'Nothing is written. --shell prints only that shell\'s line, e.g. `keyfob setup shell dev --shell bash >> ~/.bashrc`.',
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
