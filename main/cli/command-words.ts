// The words a person may type after `keyfob` (or after `keyfob GROUP`), for "did you mean …?".
import { COMMANDS } from './commands/index.js';

export function commandWords(group?: string): string[] {
  const words = group === undefined
    ? COMMANDS.map((c) => c.name.split(' ')[0] as string)
    : COMMANDS.filter((c) => c.name.startsWith(`${group} `)).map((c) => c.name.slice(group.length + 1));
  return [...new Set(words)];
}

/** Words other sign-in tools use (`lite login`, `gh auth logout`), pointed at Keyfob's command for the same thing. */
export const SYNONYMS: Readonly<Record<string, string>> = {
  login: 'connect --sso',
  signin: 'connect --sso',
  'sign-in': 'connect --sso',
  signout: 'logout',
  'sign-out': 'logout',
  logoff: 'logout',
};
