// The dispatcher: global flags, command lookup, help, argument parsing, and turning every failure into the
// two-line report and exit status (0 ok, 1 operation failed, 2 bad usage).
import { readFileSync } from 'node:fs';
import { resolveStateDir } from '../core/settings/index.js';
import { beforeTerminator, parseCommandArgs, refuseSecretFlags, splitAtTerminator, stringValue, wantsHelp } from './args.js';
import type { CliContext, CliStreams, Command } from './command.js';
import { COMMANDS, GROUPS } from './commands/index.js';
import { EXIT_OK, EXIT_USAGE, exitCodeFor, renderError, usageError } from './failure.js';
import { GLOBAL_OPTIONS, commandHelp, groupHelp, mainHelp } from './help.js';
import { PromptCancelled } from './prompt.js';
import { commandWords } from './command-words.js';
import { didYouMean } from './suggest.js';

export type ContextFactory = (streams: CliStreams, stateDir: string) => CliContext;

interface GlobalFlags {
  home: string | undefined;
  help: boolean;
  version: boolean;
  verbose: boolean;
  words: string[];
}

/** Flags before the command word: `keyfob --home DIR role list`. */
function parseGlobalFlags(argv: readonly string[]): GlobalFlags {
  const flags: GlobalFlags = { home: undefined, help: false, version: false, verbose: false, words: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--home') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) throw usageError('--home needs a directory', { fields: [{ field: '--home', message: 'needs a value (DIR)' }] });
      flags.home = value;
      i++;
    } else if (arg.startsWith('--home=')) {
      flags.home = arg.slice('--home='.length);
    } else if (arg === '-h' || arg === '--help') {
      flags.help = true;
    } else if (arg === '--version') {
      flags.version = true;
    } else if (arg === '--verbose') {
      flags.verbose = true;
    } else if (arg === '-v' || arg === '-V') {
      throw usageError(`unknown option ${arg}: did you mean \`keyfob --version\`?`, { hint: 'run `keyfob --help` for the commands and their options' });
    } else if (arg.startsWith('-') && arg !== '-') {
      refuseSecretFlags([arg]);
      throw usageError(`unknown option ${arg} before the command`, { hint: 'run `keyfob --help` for the commands and their options' });
    } else {
      break;
    }
  }
  flags.words = argv.slice(i);
  return flags;
}

function findCommand(words: readonly string[]): { command: Command; rest: string[] } | { group: string; rest: string[] } | null {
  const [first, second] = words;
  if (first === undefined) return null;
  if (first in GROUPS) {
    const command = COMMANDS.find((c) => c.name === `${first} ${second}`);
    return command ? { command, rest: words.slice(2) } : { group: first, rest: words.slice(1) };
  }
  const command = COMMANDS.find((c) => c.name === first);
  return command ? { command, rest: words.slice(1) } : null;
}

function unknownCommand(words: readonly string[]): Error {
  const group = words.length > 1 && (words[0] as string) in GROUPS ? (words[0] as string) : undefined;
  const typed = (group === undefined ? words[0] : words[1]) ?? '';
  const names = commandWords(group);
  // `keyfob version` is what many tools take; Keyfob's is the global flag.
  const guess = group === undefined && typed === 'version' ? 'did you mean `keyfob --version`?' : didYouMean(typed, names, (n) => (group ? `${group} ${n}` : n));
  return usageError(`unknown command ${JSON.stringify(group ? `${group} ${typed}` : typed)}${guess ? `: ${guess}` : ''}`, {
    hint: `${group ? `${group} commands` : 'commands'}: ${names.join(', ')}; run \`keyfob ${group ? `${group} ` : ''}--help\``,
  });
}

function version(): string {
  // Compiled, this file is dist/main/cli/run.js (three levels below the package root); run from source, main/cli/run.ts.
  for (const up of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'keyfob' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
}

/**
 * A reader that went away (`keyfob issue dev --json | head -c0`) makes the next write fail with EPIPE, an 'error'
 * event that would crash the process mid-command with a stack trace. What is left to print is dropped instead: the
 * command runs to its end (the lease it issued is in the ledger, the core stops cleanly) and exits with its status.
 */
function dropOutputToClosedReader(stream: NodeJS.WritableStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    throw e;
  });
}

/**
 * The core sleeps on the clock, whose timers are unref'd so that an armed lease deadline never keeps a finished
 * command alive. A command that *waits* on such a timer (a revocation waiting for another process's lock, `exec`
 * revoking after its child) would then leave Node with nothing ref'd and it would exit 13 ("unsettled top-level
 * await") mid-command. One ref'd handle for as long as the command runs keeps every wait it depends on alive; it
 * is cleared the moment the command settles, so it never delays the exit.
 */
export async function runCli(argv: readonly string[], streams: CliStreams, makeContext: ContextFactory): Promise<number> {
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  try {
    return await runCommandLine(argv, streams, makeContext);
  } finally {
    clearInterval(keepAlive);
  }
}

async function runCommandLine(argv: readonly string[], streams: CliStreams, makeContext: ContextFactory): Promise<number> {
  dropOutputToClosedReader(streams.stdout);
  dropOutputToClosedReader(streams.stderr);
  const print = (stream: NodeJS.WritableStream, lines: readonly string[]): void => void stream.write(`${lines.join('\n')}\n`);
  let helpHint = 'run `keyfob --help` for usage';
  try {
    const global = parseGlobalFlags(argv);
    if (global.version) {
      print(streams.stdout, [`keyfob ${version()}`]);
      return EXIT_OK;
    }
    const words = global.words[0] === 'help' ? global.words.slice(1) : global.words;
    const asksHelp = global.help || global.words[0] === 'help';
    if (words.length === 0) {
      print(asksHelp ? streams.stdout : streams.stderr, mainHelp());
      return asksHelp ? EXIT_OK : EXIT_USAGE;
    }
    const found = findCommand(words);
    if (!found) throw unknownCommand(words);
    if ('group' in found) {
      const [sub] = found.rest;
      if (sub !== undefined && !sub.startsWith('-')) {
        helpHint = `run \`keyfob ${found.group} --help\` for its commands`;
        throw unknownCommand([found.group, sub]);
      }
      const help = asksHelp || wantsHelp(found.rest);
      print(help ? streams.stdout : streams.stderr, groupHelp(found.group));
      return help ? EXIT_OK : EXIT_USAGE;
    }
    const { command } = found;
    helpHint = `run \`keyfob ${command.name} --help\` for usage and an example`;
    if (asksHelp || wantsHelp(found.rest)) {
      print(streams.stdout, commandHelp(command));
      return EXIT_OK;
    }
    const raw = command.preprocess ? command.preprocess(found.rest) : found.rest;
    const { own, command: commandLine } = command.takesCommandLine ? splitAtTerminator(raw) : { own: raw, command: null };
    if (command.takesCommandLine && commandLine === null && own.some((a) => !a.startsWith('-'))) {
      throw usageError('put `--` between the role and the command', {
        fields: [{ field: '--', message: `is required before the command, e.g. ${command.examples[0] ?? command.usage}` }],
      });
    }
    const parsed = parseCommandArgs({ ...command.args, options: { ...command.args.options, ...GLOBAL_OPTIONS } }, own);
    if (global.verbose) parsed.values.verbose = true;
    const home = stringValue(parsed, 'home') ?? global.home;
    if (home !== undefined && home.trim() === '') throw usageError('--home must not be empty', { fields: [{ field: '--home', message: 'must be a directory' }] });
    const stateDir = resolveStateDir({ home, env: streams.env });
    return await command.run(makeContext(streams, stateDir), parsed, commandLine);
  } catch (e) {
    if (e instanceof PromptCancelled) return e.exitCode;
    print(streams.stderr, renderError(e, helpHint, { verbose: beforeTerminator(argv).includes('--verbose') }));
    return exitCodeFor(e);
  }
}
