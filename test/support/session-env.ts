// For tests that run children without the suite's keyring: whether a tool is installed, and an environment that
// leads to no D-Bus session, display or keyring.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** This process's environment without a D-Bus session, display or keyring, and with a fresh HOME (`homePrefix` + random). */
export function withoutSession(homePrefix: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: fs.mkdtempSync(path.join(os.tmpdir(), homePrefix)) };
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY', 'XDG_RUNTIME_DIR', 'GNOME_KEYRING_CONTROL',
    'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'SSH_AUTH_SOCK']) delete env[name];
  return env;
}
