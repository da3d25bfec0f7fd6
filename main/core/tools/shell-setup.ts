// `keyfob setup shell`: the line a shell's start-up file needs so that every new shell has a live key of a role.
import { commandLine } from './shell-quote.js';

export type ShellKind = 'bash' | 'zsh' | 'fish' | 'powershell';
export const SHELL_KINDS: readonly ShellKind[] = ['bash', 'zsh', 'fish', 'powershell'];

export interface ShellLine {
  shell: ShellKind;
  /** Where the line goes. */
  file: string;
  line: string;
}

/**
 * `keyfob` is the helper argv without `token ROLE` (absolute node and keyfob.js, plus `--home DIR` when explicit).
 * The line runs `keyfob env ROLE --for-shell --format …` at shell start and evaluates its exports, each shell's line
 * quoted by that shell's own rules. `--for-shell` leaves out what Claude Code prefers to its key helper (see
 * HELPER_OVERRIDING_NAMES): the shell's key is fixed until the next shell, a helper's is asked for each time.
 * A failure prints Keyfob's reason and leaves the shell usable.
 */
export function shellLines(keyfob: readonly string[], role: string): ShellLine[] {
  const argv = (format: string): string[] => [...keyfob, 'env', role, '--for-shell', '--format', format];
  return [
    { shell: 'bash', file: '~/.bashrc', line: `eval "$(${commandLine('sh', argv('sh'))})"` },
    { shell: 'zsh', file: '~/.zshrc', line: `eval "$(${commandLine('sh', argv('sh'))})"` },
    { shell: 'fish', file: '~/.config/fish/config.fish', line: `${commandLine('fish', argv('fish'))} | source` },
    { shell: 'powershell', file: '$PROFILE', line: `${commandLine('powershell', argv('powershell'))} | Out-String | Invoke-Expression` },
  ];
}
