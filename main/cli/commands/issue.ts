// `keyfob issue ROLE`: a new lease; the key alone on stdout (pipe-friendly), the summary on stderr.
import { boolValue, expandOptionalValue, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { CommandClipboard, NO_CLIPBOARD_HINT } from '../adapters/command-clipboard.js';
import { scheduleClipboardClear } from '../adapters/clipboard-clear.js';
import { KeyfobError } from '../../core/errors.js';
import { EXIT_OK, usageError } from '../failure.js';
import { requireRole } from '../role-names.js';
import { ENV_FLAVORS, envVariables, exportLines, formatSpan, issuedJson, json, leaseSummary, type EnvFlavor } from '../output.js';

export function parseEnvFlavor(raw: string | undefined, flag = '--env'): EnvFlavor | undefined {
  if (raw === undefined) return undefined;
  if (!(ENV_FLAVORS as readonly string[]).includes(raw)) {
    throw usageError(`${flag} must be openai or anthropic (or nothing, for both)`, {
      fields: [{ field: flag, message: `must be openai or anthropic, or nothing for both (got ${JSON.stringify(raw)})` }],
    });
  }
  return raw as EnvFlavor;
}

export const issueCommand: Command = {
  name: 'issue',
  summary: 'issue a new lease of a role and print its key',
  usage: 'keyfob issue ROLE [--json | --env [openai|anthropic]] [--copy]',
  description: [
    'Prints the key alone on stdout and a one-line summary (lease id, alias, expiry) on stderr.',
    '--json prints one object: lease_id, key, key_alias, role, models, max_budget, issued_at, expires_at,',
    'max_expires_at (ISO-8601 UTC or null) and renewable.',
    '--env prints shell exports: openai sets OPENAI_API_KEY and OPENAI_BASE_URL (<proxy root>/v1); anthropic sets',
    'ANTHROPIC_BASE_URL (the proxy root: the form of the URL that answered) and ANTHROPIC_AUTH_TOKEN; --env alone both.',
    '--copy puts the key on the clipboard instead of stdout and clears it after the clipboard delay setting',
    '(30s by default) if it still holds the key.',
    'A lease issued here is not renewed by this command: it expires at its TTL unless the desktop app (or',
    '`keyfob lease renew`) renews it. For a key that lives exactly as long as a command, use `keyfob exec`.',
  ],
  args: {
    options: {
      json: { type: 'boolean', help: 'print the lease and key as one JSON object' },
      env: { type: 'string', value: '[openai|anthropic]', help: 'print `export …` lines for OpenAI or Anthropic clients (both when no value)' },
      copy: { type: 'boolean', help: 'copy the key to the clipboard instead of printing it' },
    },
    positionals: [{ name: 'ROLE', required: true }],
  },
  preprocess: (argv) => expandOptionalValue(argv, '--env', ['openai', 'anthropic'], 'both'),
  examples: [
    'keyfob issue dev',
    'eval "$(keyfob issue dev --env openai)" && python my_script.py',
    'keyfob issue dev --json | jq -r .lease_id',
  ],
  async run(ctx, args) {
    const role = args.positionals[0] as string;
    const asJson = boolValue(args, 'json');
    const flavor = parseEnvFlavor(stringValue(args, 'env'));
    const copy = boolValue(args, 'copy');
    if (asJson && flavor) {
      throw usageError('--json and --env cannot be combined', { fields: [{ field: '--env', message: 'cannot be combined with --json: pick one output' }] });
    }
    const clipboard = new CommandClipboard();
    if (copy && !clipboard.toolName) {
      // Checked before issuing: a key nobody can see would only wait for its expiry.
      throw new KeyfobError('internal', 'no clipboard is available in this session, so --copy cannot work', { hint: NO_CLIPBOARD_HINT });
    }
    return ctx.withCore({ reconcile: true, notifications: false }, async (core) => {
      requireRole(core, role);
      const issued = await ctx.progress(`issuing a key for role ${role}`, () => core.leases.issue(role));
      const now = Date.now();
      let summary = leaseSummary(issued.lease, now);
      if (copy) {
        try {
          await clipboard.writeSecret(issued.key);
        } catch (e) {
          // The lease exists; say how to get at its key rather than leaving it unseen.
          ctx.err(`keyfob: issued ${summary}, but copying failed; revoke it with \`keyfob lease revoke ${issued.lease.lease_id}\``);
          throw e;
        }
        const seconds = core.getSettings().clipboard_clear_seconds;
        const cleared = seconds > 0 && scheduleClipboardClear(issued.key, seconds);
        summary += seconds > 0 ? (cleared ? `; copied to the clipboard (cleared in ${formatSpan(seconds)})` : '; copied to the clipboard (could not arrange its clearing)') : '; copied to the clipboard';
      }
      if (asJson) {
        ctx.out(json(issuedJson(issued)));
      } else if (flavor) {
        const urls = await core.toolBaseUrls();
        if (!urls) throw new KeyfobError('not-connected', 'Keyfob is not connected to a LiteLLM proxy.');
        for (const line of exportLines(envVariables(flavor, urls, issued.key))) ctx.out(line);
      } else if (!copy) {
        ctx.out(issued.key);
      }
      if (!asJson) ctx.err(`keyfob: issued ${summary}`);
      return EXIT_OK;
    });
  },
};
