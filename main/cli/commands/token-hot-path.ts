// The hot path of `keyfob token ROLE`, run by bin/keyfob.js before the CLI is loaded: what every tool runs on every
// key refresh. A live lease with enough left is answered from the ledger file and the keychain — no request, no lock,
// and only a handful of modules (the CLI's command table, conf and the HTTP client cost several times the floor of
// `node -e 0`). Anything else returns null and the full `token` command runs: a renewal or an issue, --min-left,
// any failure (it reports it properly), or arguments this reader does not know.
import path from 'node:path';
import { KeytarSecretStore } from '../../core/keychain/index.js';
// eslint-disable-next-line no-restricted-imports -- dependency-free paths; the settings group's index loads conf (~175 ms)
import { LEDGER_FILE, keychainServiceFor, resolveStateDir } from '../../core/settings/paths.js';
// eslint-disable-next-line no-restricted-imports -- the tools index loads the setup merges too; the hot path needs this file only
import { answerFromLedger, tokenJson } from '../../core/tools/live-key.js';

interface HotArgs {
  home: string | undefined;
  role: string;
  json: boolean;
}

/** `[--home D] token ROLE [--home D] [--json]`, or null for anything else. */
export function parseHotTokenArgs(argv: readonly string[]): HotArgs | null {
  let home: string | undefined;
  let json = false;
  let role: string | undefined;
  let sawToken = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--home') {
      home = argv[++i];
      if (home === undefined || home.startsWith('-')) return null;
    } else if (arg.startsWith('--home=')) {
      home = arg.slice('--home='.length);
    } else if (!sawToken) {
      if (arg !== 'token') return null;
      sawToken = true;
    } else if (arg === '--json') {
      json = true;
    } else if (arg.startsWith('-') || role !== undefined) {
      return null;
    } else {
      role = arg;
    }
  }
  if (!sawToken || role === undefined || (home !== undefined && home.trim() === '')) return null;
  return { home, role: role.trim().toLowerCase(), json };
}

/** Prints the key (or --json) and returns 0, or returns null: the full command must run. */
export async function runTokenHotPath(argv: readonly string[], env: NodeJS.ProcessEnv, stdout: NodeJS.WritableStream): Promise<number | null> {
  const args = parseHotTokenArgs(argv);
  if (!args) return null;
  try {
    const stateDir = resolveStateDir({ home: args.home, env });
    const live = await answerFromLedger({
      stateDir,
      ledgerPath: path.join(stateDir, LEDGER_FILE),
      role: args.role,
      now: Date.now(),
      secretStore: new KeytarSecretStore({ service: keychainServiceFor(stateDir) }),
      via: 'token',
    });
    if (!live) return null;
    // A reader that went away (the tool gave up) makes the write fail with EPIPE: nothing is left to tell it.
    stdout.on('error', () => undefined);
    stdout.write(`${args.json ? JSON.stringify(tokenJson(live)) : live.key}\n`);
    return 0;
  } catch {
    return null; // the full command meets the same failure and reports it in its one line
  }
}
