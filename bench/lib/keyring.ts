// The keychain the bench uses: the session's Secret Service when there is one; on a headless machine (CI, a
// server) a throw-away, unlocked gnome-keyring in a private D-Bus session (the bench re-runs itself inside one);
// and where neither exists, memory — said plainly in the results, since keychain times are then meaningless.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { KeytarSecretStore, SessionSecretStore } from '../../main/core/keychain/index.js';
import type { SecretStore } from '../../main/core/ports.js';
import { hasCommand } from '../../test/support/session-env.js';

const IN_PRIVATE_SESSION = 'KEYFOB_BENCH_PRIVATE_KEYRING';

/**
 * Without a D-Bus session, re-runs this process inside `dbus-run-session` with an unlocked gnome-keyring and
 * resolves with its exit status; resolves null when this process should go on itself.
 */
export async function rerunInsidePrivateKeyring(script: string, args: readonly string[]): Promise<number | null> {
  if (process.env.DBUS_SESSION_BUS_ADDRESS || process.env[IN_PRIVATE_SESSION]) return null;
  if (process.platform !== 'linux' || !hasCommand('dbus-run-session') || !hasCommand('gnome-keyring-daemon')) return null;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-bench-home-'));
  const unlock = 'echo -n keyfob-bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"';
  const child = spawn('dbus-run-session', ['--', 'bash', '-c', unlock, 'bash', process.execPath, '--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'inherit', 'pipe'],
    env: { ...process.env, HOME: home, [IN_PRIVATE_SESSION]: '1' },
  });
  // The private bus daemon logs its own doings (fd limits, services Chromium activates): not the bench's to show.
  let pending = '';
  child.stderr?.on('data', (d: Buffer) => {
    const lines = (pending + d.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (!line.startsWith('dbus-daemon[')) process.stderr.write(`${line}\n`);
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  fs.rmSync(home, { recursive: true, force: true });
  return code;
}

export interface BenchKeychain {
  /** True when the OS keychain works here; otherwise every part keeps its secrets in memory. */
  readonly real: boolean;
  /** For the results header. */
  readonly description: string;
  /** The store a bench part uses in place of `keychain` (itself when the keychain works). */
  choose(keychain: KeytarSecretStore): SecretStore;
}

export async function benchKeychain(): Promise<BenchKeychain> {
  const probe = new KeytarSecretStore({ service: `Keyfob-bench:${randomUUID()}` });
  try {
    await probe.probe();
    const where = process.env[IN_PRIVATE_SESSION] ? 'gnome-keyring in a private D-Bus session' : 'the session keychain';
    return { real: true, description: `${probe.backend}, ${where}`, choose: (keychain) => keychain };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { real: false, description: `memory: no usable keychain here (${why.slice(0, 120)})`, choose: () => new SessionSecretStore() };
  }
}
