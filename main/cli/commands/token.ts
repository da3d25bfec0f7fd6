// `keyfob token ROLE`: the key helper that Claude Code (apiKeyHelper), Codex (auth.command) and any script run for
// a key. One live key of ROLE alone on stdout; on failure exit 1 and ONE line on stderr, which the calling tool
// shows to the person. The most frequent path in Keyfob: bin/keyfob.js sends `token` here first (runTokenFast), where
// a live lease with enough left is answered from the ledger and the keychain without loading the rest of the CLI.
import { KeytarSecretStore } from '../../core/keychain/index.js';
import { normalizeRoleName, parseDuration } from '../../core/roles/index.js';
// eslint-disable-next-line no-restricted-imports -- the hot path needs only these dependency-free paths; the settings group's index loads conf (~175 ms)
import { LEDGER_FILE, keychainServiceFor, resolveStateDir } from '../../core/settings/paths.js';
import { obtainToken, readLiveKey, recordToolAsk, tokenJson } from '../../core/tools/index.js';
import type { LiveKey } from '../../core/tools/index.js';
import { boolValue, stringValue } from '../args.js';
import type { CliContext, Command } from '../command.js';
import { EXIT_FAILED, EXIT_OK, renderError } from '../failure.js';
import path from 'node:path';

/** One line for the calling tool: the reason and what to do, redacted like every CLI error. */
export function oneLineError(e: unknown): string {
  return renderError(e).join(' ');
}

function parseMinLeft(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : parseDuration(raw, '--min-left');
}

function printToken(out: (line: string) => void, token: Pick<LiveKey, 'key' | 'lease'>, asJson: boolean): void {
  out(asJson ? JSON.stringify(tokenJson(token)) : token.key);
}

export const tokenCommand: Command = {
  name: 'token',
  summary: 'print a live key of a role (reusing, renewing or issuing a lease): the key helper for tools',
  usage: 'keyfob token ROLE [--min-left D] [--json]',
  description: [
    'Prints one live key of ROLE alone on stdout. A live lease with enough left (at least the larger of 2 minutes',
    'and 10 % of its TTL; --min-left sets it) is reused with no request. One past its renew point is renewed first:',
    'a tool asking for its key counts as activity. With none live, or too little left at the max TTL, a new lease is',
    'issued; older leases expire on their own schedule (another tool may still hold their keys). Concurrent calls',
    'share one lease. On failure: exit 1 and one line on stderr, for the calling tool to show.',
    '--json prints {key, lease_id, expires_at, max_expires_at}.',
  ],
  args: {
    options: {
      'min-left': { type: 'string', value: 'D', help: 'the least time left on the key handed out (default: max(2m, 10% of the TTL))' },
      json: { type: 'boolean', help: 'print {key, lease_id, expires_at, max_expires_at}' },
    },
    positionals: [{ name: 'ROLE', required: true }],
  },
  examples: [
    'keyfob token dev',
    'curl -H "Authorization: Bearer $(keyfob token dev)" http://localhost:4000/v1/models',
    'keyfob token dev --json | jq -r .expires_at',
  ],
  async run(ctx, args) {
    try {
      const role = args.positionals[0] as string;
      const minLeftSeconds = parseMinLeft(stringValue(args, 'min-left'));
      const token = await tokenViaCore(ctx, role, minLeftSeconds, 'token');
      printToken(ctx.out, token, boolValue(args, 'json'));
      return EXIT_OK;
    } catch (e) {
      ctx.err(oneLineError(e));
      return EXIT_FAILED;
    }
  },
};

/** The slow path, shared with `keyfob env`: the core without reconcile (a helper call makes at most one request). */
export function tokenViaCore(ctx: CliContext, role: string, minLeftSeconds: number | undefined, via: 'token' | 'env') {
  return ctx.withCore({}, (core) =>
    obtainToken({ core, stateDir: ctx.stateDir, role, now: () => Date.now(), via, ...(minLeftSeconds === undefined ? {} : { minLeftSeconds }) }),
  );
}

interface FastArgs {
  home: string | undefined;
  role: string;
  json: boolean;
  minLeft: string | undefined;
}

/** `[--home D] token ROLE [--home D] [--json] [--min-left D]`, or null for anything else (the full CLI decides). */
export function parseFastTokenArgs(argv: readonly string[]): FastArgs | null {
  let home: string | undefined;
  let json = false;
  let minLeft: string | undefined;
  let role: string | undefined;
  let sawToken = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string | undefined => {
      const v = argv[i + 1];
      i++;
      return v === undefined || v.startsWith('-') ? undefined : v;
    };
    if (arg === '--home') {
      home = value();
      if (home === undefined) return null;
    } else if (arg.startsWith('--home=')) {
      home = arg.slice('--home='.length);
    } else if (!sawToken) {
      if (arg !== 'token') return null;
      sawToken = true;
    } else if (arg === '--json') {
      json = true;
    } else if (arg === '--min-left') {
      minLeft = value();
      if (minLeft === undefined) return null;
    } else if (arg.startsWith('--min-left=')) {
      minLeft = arg.slice('--min-left='.length);
    } else if (arg.startsWith('-') || role !== undefined) {
      return null;
    } else {
      role = arg;
    }
  }
  if (!sawToken || role === undefined || (home !== undefined && home.trim() === '')) return null;
  return { home, role, json, minLeft };
}

/**
 * The hot path, run by bin/keyfob.js before the CLI is loaded: prints the key of a live lease that needs no request
 * and returns the exit status, or returns null when the full command must run (a renewal or an issue is due, the
 * ledger is missing, the arguments are anything else). Loads the keychain binding and a few small modules only.
 */
export async function runTokenFast(argv: readonly string[], env: NodeJS.ProcessEnv, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number | null> {
  const args = parseFastTokenArgs(argv);
  if (!args) return null;
  let minLeftSeconds: number | undefined;
  try {
    minLeftSeconds = parseMinLeft(args.minLeft);
  } catch {
    return null; // the full command reports the usage error
  }
  const stateDir = resolveStateDir({ home: args.home, env });
  try {
    const live = await readLiveKey({
      ledgerPath: path.join(stateDir, LEDGER_FILE),
      role: normalizeRoleName(args.role),
      now: Date.now(),
      secretStore: new KeytarSecretStore({ service: keychainServiceFor(stateDir) }),
      ...(minLeftSeconds === undefined ? {} : { minLeftSeconds }),
    });
    if (!live) return null;
    recordToolAsk(stateDir, { lease_id: live.lease.lease_id, role: live.lease.role, last_asked_at: new Date().toISOString(), via: 'token' });
    printToken((line) => void stdout.write(`${line}\n`), live, args.json);
    return EXIT_OK;
  } catch (e) {
    stderr.write(`${oneLineError(e)}\n`);
    return EXIT_FAILED;
  }
}
