// `keyfob setup shell`: the line a shell's start-up file needs so that every new shell has a live key of a role.
import { quotePowerShell, quoteSh } from './tool-env.js';

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
 * The line runs `keyfob env ROLE --format …` at shell start and evaluates its exports; a failure prints Keyfob's
 * reason and leaves the shell usable.
 */
export function shellLines(keyfob: readonly string[], role: string): ShellLine[] {
  const sh = [...keyfob, 'env', role, '--format', 'sh'].map(quoteSh).join(' ');
  const fish = [...keyfob, 'env', role, '--format', 'fish'].map(quoteSh).join(' ');
  const [exe, ...args] = [...keyfob, 'env', role, '--format', 'powershell'];
  const ps = `& ${quotePowerShell(exe as string)} ${args.map(quotePowerShell).join(' ')} | Out-String | Invoke-Expression`;
  return [
    { shell: 'bash', file: '~/.bashrc', line: `eval "$(${sh})"` },
    { shell: 'zsh', file: '~/.zshrc', line: `eval "$(${sh})"` },
    { shell: 'fish', file: '~/.config/fish/config.fish', line: `${fish} | source` },
    { shell: 'powershell', file: '$PROFILE', line: ps },
  ];
}
