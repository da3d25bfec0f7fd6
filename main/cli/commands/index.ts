// Every command, in the order `keyfob --help` lists them.
import type { Command } from '../command.js';
import { configGetCommand, configSetCommand } from './config.js';
import { connectCommand } from './connect.js';
import { envCommand } from './env.js';
import { execCommand } from './exec.js';
import { issueCommand } from './issue.js';
import { leaseListCommand, leaseRenewCommand } from './lease.js';
import { leaseRevokeCommand } from './lease-revoke.js';
import { logCommand } from './log.js';
import { logoutCommand } from './logout.js';
import { modelsCommand } from './models.js';
import { setupShellCommand, setupToolCommands } from './setup.js';
import { roleDeleteCommand, roleListCommand, roleSetCommand, roleShowCommand } from './role.js';
import { statusCommand } from './status.js';
import { tokenCommand } from './token.js';

export const COMMANDS: readonly Command[] = [
  connectCommand,
  logoutCommand,
  statusCommand,
  logoutCommand,
  roleSetCommand,
  roleListCommand,
  roleShowCommand,
  roleDeleteCommand,
  modelsCommand,
  issueCommand,
  leaseListCommand,
  leaseRenewCommand,
  leaseRevokeCommand,
  execCommand,
  tokenCommand,
  envCommand,
  ...setupToolCommands,
  setupShellCommand,
  logCommand,
  configGetCommand,
  configSetCommand,
];

/** Command groups (`role`, `lease`): a word that needs a second one. */
export const GROUPS: Readonly<Record<string, string>> = {
  role: 'key templates: set, list, show, delete',
  lease: 'issued keys: list, renew, revoke',
  config: 'settings: get, set',
  setup: 'make Keyfob the key helper of a tool: claude-code, codex, shell',
};
