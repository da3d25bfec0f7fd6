// Argument parsing: node:util parseArgs for the tokens, then our own strict checks so that every problem is reported
// at once, naming the flag and what it accepts (exit 2). Secrets are refused as flags before anything else.
import { parseArgs } from 'node:util';
import type { FieldError } from '../core/errors.js';
import { usageError } from './failure.js';
import { didYouMean } from './suggest.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in help, e.g. `D` for a duration. */
  value?: string;
  help: string;
}

export interface PositionalSpec {
  name: string;
  required: boolean;
}

export interface ArgSpec {
  options: Record<string, OptionSpec>;
  positionals: PositionalSpec[];
}

export type OptionValue = string | boolean | string[] | undefined;

export interface ParsedArgs {
  values: Record<string, OptionValue>;
  positionals: string[];
}

/** Flags people reach for to pass a secret. Refused with the reason, whatever the command. */
const SECRET_FLAGS = ['key', 'admin-key', 'master-key', 'api-key', 'token', 'password', 'secret'];

export const SECRET_FLAG_REFUSAL =
  'a secret on the command line is visible to every user in the process list and is kept in shell history';

export const SECRET_FLAG_HINT =
  "pipe it on stdin instead, e.g. `printf '%s' \"$LITELLM_KEY\" | keyfob connect --url URL`, or run `keyfob connect --url URL` in a terminal to be prompted";

export function refuseSecretFlags(argv: readonly string[]): void {
  for (const arg of beforeTerminator(argv)) {
    const name = /^--([^=]+)/.exec(arg)?.[1];
    if (name && SECRET_FLAGS.includes(name)) {
      throw usageError(`--${name} is not accepted: ${SECRET_FLAG_REFUSAL}`, { hint: SECRET_FLAG_HINT });
    }
  }
}

/** The arguments before a `--` (everything after it belongs to another program). */
export function beforeTerminator(argv: readonly string[]): string[] {
  const at = argv.indexOf('--');
  return at < 0 ? [...argv] : argv.slice(0, at);
}

/** `exec ROLE -- CMD ARGS`: splits at the first `--`; `command` is null when there is none. */
export function splitAtTerminator(argv: readonly string[]): { own: string[]; command: string[] | null } {
  const at = argv.indexOf('--');
  return at < 0 ? { own: [...argv], command: null } : { own: argv.slice(0, at), command: argv.slice(at + 1) };
}

export function wantsHelp(argv: readonly string[]): boolean {
  return beforeTerminator(argv).some((a) => a === '--help' || a === '-h');
}

/** Parses `argv` (the command's own arguments, no `--` part) against `spec`; throws one usage error listing every problem. */
export function parseCommandArgs(spec: ArgSpec, argv: readonly string[]): ParsedArgs {
  refuseSecretFlags(argv);
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const problems: FieldError[] = [];
  const values: Record<string, OptionValue> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const known = spec.options[token.name];
    if (!known) {
      const guess = token.rawName.startsWith('--') ? didYouMean(token.name, Object.keys(spec.options), (n) => `--${n}`) : '';
      problems.push({ field: token.rawName, message: guess ? `unknown option: ${guess}` : `unknown option; ${acceptedOptions(spec)}` });
      continue;
    }
    const flag = `--${token.name}`;
    if (known.type === 'boolean') {
      if (token.value !== undefined) problems.push({ field: flag, message: 'takes no value' });
      else values[token.name] = true;
      continue;
    }
    // A string option: parseArgs (non-strict) takes the next argument whatever it is; refuse option-looking ones the
    // way strict mode does, so that `--tpm --json` is not read as tpm="--json". A negative number (`--ttl -5m`) is
    // taken as the value, so that its own check can say what is wrong with it.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value !== '-' && !/^-[\d.]/.test(token.value))) {
      problems.push({ field: flag, message: `needs a value (${known.value ?? 'VALUE'}); write ${flag}=VALUE when the value starts with "-"` });
      continue;
    }
    if (known.multiple) {
      const list = (values[token.name] as string[] | undefined) ?? [];
      list.push(token.value);
      values[token.name] = list;
    } else if (values[token.name] !== undefined) {
      problems.push({ field: flag, message: 'given more than once' });
    } else {
      values[token.name] = token.value;
    }
  }
  const required = spec.positionals.filter((p) => p.required);
  for (const p of required.slice(positionals.length)) problems.push({ field: p.name, message: 'missing' });
  if (positionals.length > spec.positionals.length) {
    const extra = positionals.slice(spec.positionals.length).map((p) => JSON.stringify(p)).join(', ');
    problems.push({
      field: 'arguments',
      message: spec.positionals.length
        ? `unexpected ${extra} (takes ${spec.positionals.map((p) => p.name).join(' ')})`
        : `unexpected ${extra} (this command takes no arguments)`,
    });
  }
  if (problems.length) throw usageError(`${problems.length} problems with the arguments`, { fields: problems });
  return { values, positionals };
}

function acceptedOptions(spec: ArgSpec): string {
  const names = Object.keys(spec.options).map((n) => `--${n}`);
  return names.length ? `accepted: ${names.join(', ')}` : 'this command takes no options';
}

export function stringValue(parsed: ParsedArgs, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function boolValue(parsed: ParsedArgs, name: string): boolean {
  return parsed.values[name] === true;
}

export function listValue(parsed: ParsedArgs, name: string): string[] {
  const v = parsed.values[name];
  return Array.isArray(v) ? v : [];
}

/**
 * A flag whose value is optional (`issue ROLE --env` or `--env openai`): parseArgs cannot express that, so a bare
 * flag not followed by an allowed value is rewritten to `--flag=<fallback>` before parsing.
 */
export function expandOptionalValue(argv: readonly string[], flag: string, allowed: readonly string[], fallback: string): string[] {
  const { own, command } = splitAtTerminator(argv);
  const out: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const arg = own[i] as string;
    const next = own[i + 1];
    if (arg === flag && (next === undefined || !allowed.includes(next))) out.push(`${flag}=${fallback}`);
    else out.push(arg);
  }
  return command === null ? out : [...out, '--', ...command];
}
