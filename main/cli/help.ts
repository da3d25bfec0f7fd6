// Help texts, built from the command specs so that options and help never drift apart.
import type { OptionSpec } from './args.js';
import type { Command } from './command.js';
import { COMMANDS, GROUPS } from './commands/index.js';

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  home: {
    type: 'string',
    value: 'DIR',
    help: "Keyfob's state directory (default: $KEYFOB_HOME, else the desktop app's data directory)",
  },
  verbose: {
    type: 'boolean',
    help: "with a failure, also print the proxy's own words (keys redacted; the audit log keeps them too)",
  },
};

const HELP_OPTION: [string, string] = ['-h, --help', 'show this help'];

function optionLabel(name: string, o: OptionSpec): string {
  const flag = o.short ? `-${o.short}, --${name}` : `--${name}`;
  return o.type === 'string' ? `${flag} ${o.value ?? 'VALUE'}` : flag;
}

function columns(rows: ReadonlyArray<[string, string]>, indent = '  '): string[] {
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `${indent}${l.padEnd(width)}  ${r}`.trimEnd());
}

export function commandHelp(command: Command): string[] {
  const lines = [`Usage: ${command.usage}`, '', `${capitalise(command.summary)}.`];
  if (command.description?.length) lines.push('', ...command.description);
  const options: Array<[string, string]> = Object.entries(command.args.options).map(([n, o]) => [optionLabel(n, o), o.help]);
  options.push(...Object.entries(GLOBAL_OPTIONS).map(([n, o]): [string, string] => [optionLabel(n, o), o.help]), HELP_OPTION);
  lines.push('', 'Options:', ...columns(options));
  lines.push('', command.examples.length > 1 ? 'Examples:' : 'Example:', ...command.examples.map((e) => `  ${e}`));
  return lines;
}

export function groupHelp(group: string): string[] {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  return [
    `Usage: keyfob ${group} <command> [options]`,
    '',
    `${capitalise(GROUPS[group] ?? group)}.`,
    '',
    'Commands:',
    ...columns(members.map((c) => [c.usage.split('\n')[0]?.replace(/^keyfob /, '') ?? c.name, c.summary])),
    '',
    `Run \`keyfob ${group} <command> --help\` for the options and an example.`,
  ];
}

export function mainHelp(): string[] {
  return [
    'Usage: keyfob [--home DIR] <command> [options]',
    '',
    'Short-lived LiteLLM virtual keys, leased the way Vault leases dynamic secrets. Shares its roles, leases and',
    'keychain entries with the Keyfob desktop app.',
    '',
    'Commands:',
    ...columns(COMMANDS.map((c) => [c.name, c.summary])),
    '',
    'Options:',
    ...columns([...Object.entries(GLOBAL_OPTIONS).map(([n, o]): [string, string] => [optionLabel(n, o), o.help]), HELP_OPTION, ['--version', 'print the version']]),
    '',
    'Exit status: 0 success; 1 the operation failed (proxy, network, keychain); 2 bad usage or invalid input.',
    '',
    'Example:',
    '  keyfob connect --url http://localhost:4000 && keyfob role set dev --ttl 30m && keyfob exec dev -- python app.py',
    '',
    'Run `keyfob <command> --help` for a command\'s options and an example.',
  ];
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
