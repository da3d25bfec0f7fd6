// `npm run demo`: Keyfob working in a minute on any machine, desktop or not. Starts the LiteLLM simulator with a demo
// admin key and a few models, connects a throw-away Keyfob home to it through the real CLI (admin key on stdin),
// creates two example roles, prints the commands to try next, and serves until Ctrl-C — then revokes what is left,
// removes the demo's keychain entries and its home. Where no keychain runs (a server, an SSH session, a container),
// it starts a private D-Bus session with a throw-away gnome-keyring and says how to use it from another terminal.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keychainServiceFor } from '../../main/core/settings/paths.js';
import { startSimulator, type Simulator } from '../sim/index.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'keyfob.js');
/** Inside the checkout (git-ignored) so the printed paths are short; KEYFOB_DEMO_DIR moves it (the demo's test). */
const DEMO_DIR = process.env.KEYFOB_DEMO_DIR ?? join(REPO, '.keyfob-demo');
const HOME_DIR = join(DEMO_DIR, 'home');
/** A key for a simulator on 127.0.0.1 that lives as long as this process: printing it is harmless. */
const ADMIN_KEY = 'sk-keyfob-demo-admin';
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-3-5-haiku'];
const PREFERRED_PORT = Number(process.env.KEYFOB_DEMO_PORT ?? 4000);

const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string): string => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

function fail(message: string, hint?: string): never {
  console.error(`demo: ${message}`);
  if (hint) console.error(`hint: ${hint}`);
  process.exit(1);
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return t;
}

/** `npx keyfob` runs dist/: build it when it is missing or older than the sources. */
function ensureBuilt(): void {
  const entry = join(REPO, 'dist', 'main', 'cli', 'keyfob.js');
  let built = 0;
  try {
    built = statSync(entry).mtimeMs;
  } catch {
    // not built
  }
  if (built >= Math.max(newest(join(REPO, 'main', 'cli')), newest(join(REPO, 'main', 'core')))) return;
  console.log(dim('demo: building the CLI (npm run build)…'));
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
  } catch {
    fail('the build failed', 'run `npm run build` and fix what it reports');
  }
}

async function startSim(): Promise<Simulator> {
  const opts = { masterKey: ADMIN_KEY, models: MODELS, realTime: true, onRequest: logRequest };
  try {
    return await startSimulator({ ...opts, port: PREFERRED_PORT });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || PREFERRED_PORT === 0) throw e;
    console.log(dim(`demo: port ${PREFERRED_PORT} (LiteLLM's usual port) is in use — perhaps by a real proxy — so the simulator takes a free port.`));
    return startSimulator({ ...opts, port: 0 });
  }
}

function logRequest(entry: { method: string; path: string; status: number | null; auth: string }): void {
  if (quietRequests) return;
  const who = entry.auth === 'master' ? 'admin key' : entry.auth === 'virtual' ? 'leased key' : entry.auth;
  console.log(dim(`  proxy  ${entry.method} ${entry.path} → ${entry.status ?? 'no answer'} (${who})${expectedAnswer(entry)}`));
}

/** `connect` asks /key/info about the key it was given: a 404 there is the answer it wants, not an error. */
function expectedAnswer(entry: { path: string; status: number | null; auth: string }): string {
  if (entry.path.startsWith('/key/info') && entry.status === 404 && entry.auth === 'master') return ' — expected: not a virtual key, so it is the master key';
  return '';
}
let quietRequests = true;

interface Keyring {
  /** Extra environment for every keyfob process (empty when the person's own keychain works). */
  env: Record<string, string>;
  stop(): void;
}

/** The CLI through its real entry point, as `npx keyfob` runs it. */
function keyfob(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function must(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<string> {
  const r = await keyfob(args, env, stdin);
  if (r.code !== 0) fail(`\`keyfob ${args.join(' ')}\` failed (exit ${r.code}):\n${r.stderr.trim()}`);
  return r.stdout;
}

/** The person's keychain when it works; else, on Linux with gnome-keyring installed, a private throw-away one. */
async function keychainFor(env: NodeJS.ProcessEnv): Promise<Keyring> {
  const status = JSON.parse(await must(['status', '--json'], env)) as { keychain_error: { message: string; hint?: string } | null };
  if (!status.keychain_error) return { env: {}, stop: () => undefined };
  const canBootstrap = process.platform === 'linux' && onPath('dbus-daemon') && onPath('gnome-keyring-daemon');
  if (!canBootstrap) {
    fail(`no keychain is available: ${status.keychain_error.message}`,
      'on Debian/Ubuntu: apt-get install gnome-keyring dbus-x11 libsecret-1-0 (the demo then starts a throw-away keyring itself)');
  }
  console.log(dim('demo: no keychain in this session: starting a private D-Bus session with a throw-away gnome-keyring'));
  const runtime = join(DEMO_DIR, 'keyring-runtime');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  // Both daemons run in a session of their own (detached): the terminal's Ctrl-C reaches the demo's whole process
  // group, and the keyring must outlive it until the demo has revoked what is left.
  const bus: ChildProcess = spawn('dbus-daemon', ['--session', '--nofork', '--nosyslog', '--print-address=1'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await firstLine(bus);
  if (!address) fail('dbus-daemon did not report its address');
  const daemon: ChildProcess = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address, XDG_DATA_HOME: join(DEMO_DIR, 'keyring-data'), XDG_RUNTIME_DIR: runtime },
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  daemon.stdin?.end('keyfob-demo');
  const keyring: Keyring = {
    env: { DBUS_SESSION_BUS_ADDRESS: address },
    stop: () => {
      daemon.kill();
      bus.kill();
    },
  };
  // The daemon registers on the bus within moments; wait until the CLI sees a working keychain.
  for (let i = 0; i < 50; i++) {
    const again = JSON.parse(await must(['status', '--json'], { ...env, ...keyring.env })) as { keychain_error: unknown };
    if (!again.keychain_error) return keyring;
    await new Promise((r) => setTimeout(r, 100));
  }
  keyring.stop();
  return fail('the throw-away gnome-keyring did not come up');
}

/** The first line a child prints on stdout ('' if it ends first). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString('utf8');
      const end = text.indexOf('\n');
      if (end >= 0) {
        child.stdout?.off('data', onData);
        resolve(text.slice(0, end).trim());
      }
    };
    child.stdout?.on('data', onData);
    child.once('close', () => resolve(text.trim())); // 'close': stdout has drained ('exit' may come first)
  });
}

/** Leases that are not over (not revoked or expired): what the demo must not leave behind. */
async function liveLeases(env: NodeJS.ProcessEnv): Promise<Array<{ lease_id: string; state: string }> | null> {
  const r = await keyfob(['lease', 'list', '--json'], env);
  if (r.code !== 0) return null;
  try {
    return (JSON.parse(r.stdout) as Array<{ lease_id: string; state: string }>).filter((l) => l.state !== 'revoked' && l.state !== 'expired');
  } catch {
    return null;
  }
}

/** Removes what the demo put in the person's own keychain (the admin key and any lease keys left). */
async function forgetKeychainEntries(): Promise<void> {
  const { default: keytar } = await import('@github/keytar');
  const service = keychainServiceFor(HOME_DIR);
  for (const { account } of await keytar.findCredentials(service)) await keytar.deletePassword(service, account);
}

async function main(): Promise<void> {
  ensureBuilt();
  rmSync(DEMO_DIR, { recursive: true, force: true });
  mkdirSync(HOME_DIR, { recursive: true, mode: 0o700 });
  const sim = await startSim();
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, KEYFOB_HOME: HOME_DIR };
  const keyring = await keychainFor(baseEnv);
  const env = { ...baseEnv, ...keyring.env };

  quietRequests = false;
  console.log(bold(`\nLiteLLM simulator on ${sim.url} (admin key ${ADMIN_KEY}, models ${MODELS.join(', ')})`));
  await must(['connect', '--url', sim.url], env, ADMIN_KEY);
  await must(['role', 'set', 'dev', '--models', 'gpt-4o-mini,claude-3-5-haiku', '--ttl', '15m', '--max-ttl', '8h', '--max-budget', '5', '--metadata', 'purpose=demo'], env);
  await must(['role', 'set', 'ci', '--models', 'gpt-4o-mini', '--ttl', '2m', '--max-ttl', '10m', '--rpm', '60'], env);
  quietRequests = true;

  const exports = [`export KEYFOB_HOME=${HOME_DIR}`, ...Object.entries(keyring.env).map(([k, v]) => `export ${k}='${v}'`)];
  console.log(`
${bold('Keyfob demo ready.')} Connected a throw-away home to the simulator and created the roles ${bold('dev')} (15m TTL,
renewable up to 8h, $5 budget) and ${bold('ci')} (2m TTL, at most 10m). In another terminal, in ${REPO}:

  ${exports.join('\n  ')}

  npx keyfob status                                  # proxy, keychain, live leases
  npx keyfob role list
  npx keyfob issue dev                               # the key on stdout, its lease on stderr
  eval "$(npx keyfob issue dev --env openai)" && node test/demo/ask.mjs "hello"
  npx keyfob exec dev -- node test/demo/ask.mjs "hello"   # a key that lives exactly as long as the command
  npx keyfob exec ci -- sleep 600                    # watch \`npx keyfob lease list\` elsewhere, then Ctrl-C it
  npx keyfob lease list
  npx keyfob lease renew <LEASE_ID> --increment 1h
  npx keyfob lease revoke --all
  npx keyfob log

The desktop app can share this state: KEYFOB_HOME=${HOME_DIR} npm start (or \`npm start -- --demo\`).
Proxy requests are listed below as they happen. Press Ctrl-C to stop and clean up.
`);
  quietRequests = false;

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    quietRequests = true;
    console.log('\ndemo: revoking what is left and cleaning up…');
    // Revoke first, while the keychain (possibly the throw-away one) is still running; then check.
    const revoke = await keyfob(['lease', 'revoke', '--all'], env);
    if (revoke.stdout.trim()) console.log(`demo: ${revoke.stdout.trim()}`);
    if (revoke.code !== 0) console.error(revoke.stderr.trim());
    const left = await liveLeases(env);
    if (revoke.code !== 0 || left === null || left.length > 0) {
      const what = left === null ? 'the leases could not be checked' : `${left.length} lease(s) still live: ${left.map((l) => `${l.lease_id} (${l.state})`).join(', ')}`;
      console.error(`demo: not cleaned up: ${what}.`);
      console.error(`demo: the demo home stays at ${HOME_DIR}; the simulator's keys end with this process, a real proxy's would not.`);
      keyring.stop();
      await sim.close();
      process.exit(1);
    }
    if (!keyring.env.DBUS_SESSION_BUS_ADDRESS) await forgetKeychainEntries().catch((e: unknown) => console.error(`demo: could not remove the demo's keychain entries: ${String(e)}`));
    keyring.stop();
    await sim.close();
    rmSync(DEMO_DIR, { recursive: true, force: true });
    console.log('demo: done.');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop());
}

await main();
