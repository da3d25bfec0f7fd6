// `keyfob token ROLE`: the key helper that Claude Code (apiKeyHelper), Codex (auth.command) and any script run for
// a key. One live key of ROLE alone on stdout; on failure exit 1 and ONE line on stderr, which the calling tool
// shows to the person. The most frequent path in Keyfob: bin/keyfob.js tries token-hot-path.ts first, which answers a
// live lease with enough left from the ledger and the keychain without loading the rest of the CLI; this command does
// the rest (renewals, issues, --min-left, every failure, help).
import { parseDuration } from '../../core/roles/index.js';
import { obtainToken, tokenJson } from '../../core/tools/index.js';
import type { LiveKey } from '../../core/tools/index.js';
import { boolValue, stringValue } from '../args.js';
import type { CliContext, Command } from '../command.js';
import { EXIT_OK, exitCodeFor, renderError } from '../failure.js';

/** One line for the calling tool: the reason and what to do, redacted like every CLI error. */
export function oneLineError(e: unknown): string {
  return renderError(e).join(' ');
}

export function parseMinLeft(raw: string | undefined): number | undefined {
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
    'share one lease. On failure: exit 1 (2 for an unknown role or bad usage) and one line on stderr, for the',
    'calling tool to show.',
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
      return exitCodeFor(e); // 1; 2 for bad usage (an unknown role, a bad --min-left), as every command
    }
  },
};

/**
 * The slow path: the core without reconcile, so a live lease is answered at once. Only when a request is needed does
 * it first do the due recovery work (reconcile: an interrupted `token`'s pending key, a revocation to retry), bounded
 * by one request timeout — a helper-only workflow has no other command to do it. Whatever is not done by then goes
 * on while the token is obtained. The core's notices and notifications stay off stderr: a helper's stderr is the
 * one line of its failure.
 */
export function tokenViaCore(ctx: CliContext, role: string, minLeftSeconds: number | undefined, via: 'token' | 'env') {
  return ctx.withCore({ notifications: false, notices: false }, (core) => {
    const recover = (): Promise<void> => withinMs(core.start().then(() => undefined, () => undefined), core.getSettings().request_timeout_seconds * 1000);
    return obtainToken({ core, stateDir: ctx.stateDir, role, now: () => Date.now(), via, recover, ...(minLeftSeconds === undefined ? {} : { minLeftSeconds }) });
  });
}

/** Resolves when `work` does or after `ms`, whichever is first (the work itself is not cancelled). */
function withinMs(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work, bound]).finally(() => clearTimeout(timer));
}
