// The one place a value is quoted for a shell or an environment file, each by its own rules. Every output that a
// shell evaluates (`keyfob env`, `issue --env`, `setup shell`, Claude Code's apiKeyHelper) quotes through here.
import { KeyfobError } from '../errors.js';

/** POSIX single quotes (sh, bash, zsh, `eval "$(…)"`): nothing is special inside but `'` itself. */
export function quoteSh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** fish single quotes: inside them `\\` and `\'` are escapes, so both are escaped (sh rules would let `\'` close nothing). */
export function quoteFish(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** PowerShell verbatim strings: `'` is doubled; the typographic single quotes count as quotes too. */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (c) => c + c)}'`;
}

/**
 * A dotenv line's value that sh (`set -a; . ./.env`), the npm `dotenv` package and python-dotenv all read exactly:
 * single quotes, which sh does not expand. No quoting satisfies all three for `'`, `\` (python-dotenv decodes `\\`
 * and `\'` inside single quotes), `$` (python-dotenv expands `${VAR}` even there) or a line break, so such a value
 * is refused rather than written wrong.
 */
export function quoteDotenv(value: string, name = 'a value'): string {
  if (/['\\$\n\r]/.test(value)) {
    throw new KeyfobError('validation', `${name} holds a quote, a backslash, a $ or a line break, which sh and dotenv readers read differently; Keyfob does not write it as dotenv.`, {
      hint: 'Use --format sh or --format json instead.',
    });
  }
  return `'${value}'`;
}

/** An argv as one command line of the given shell (each word quoted by that shell's rules). */
export function commandLine(shell: 'sh' | 'fish' | 'powershell', argv: readonly string[]): string {
  if (shell === 'sh') return argv.map(quoteSh).join(' ');
  if (shell === 'fish') return argv.map(quoteFish).join(' ');
  const [exe, ...args] = argv;
  return ['&', quotePowerShell(exe ?? ''), ...args.map(quotePowerShell)].join(' ');
}
