// `keyfob env ROLE --format …`: every variable tools read to reach the proxy with a live key of ROLE, for the shell
// (or file) at hand. The same reuse/renew/issue rules as `keyfob token`; the same variables as `keyfob exec`.
import { ENV_FORMATS, HELPER_OVERRIDING_NAMES, formatEnvironment, isEnvFormat, obtainToken, toolEnvironment, TOOL_ENV_NAMES, withoutNames } from '../../core/tools/index.js';
import { KeyfobError } from '../../core/errors.js';
import { parseDuration } from '../../core/roles/index.js';
import { boolValue, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, exitCodeFor, usageError } from '../failure.js';
import { oneLineError } from './token.js';

export const envCommand: Command = {
  name: 'env',
  summary: 'print the environment variables tools read, with a live key of a role',
  usage: 'keyfob env ROLE [--format sh|fish|powershell|dotenv|json] [--min-left D] [--for-shell]',
  description: [
    `Sets ${TOOL_ENV_NAMES.slice(0, 5).join(', ')},`,
    `${TOOL_ENV_NAMES.slice(5).join(', ')}.`,
    'OPENAI_BASE_URL and OPENAI_API_BASE are <proxy root>/v1; ANTHROPIC_BASE_URL and LITELLM_PROXY_API_BASE the proxy',
    'root (the form of the connected URL that answered, without a trailing /v1 when the proxy serves the root).',
    'The key follows `keyfob token`: a live lease is reused, renewed past its renew point, or a new one issued.',
    '--format sh (default; bash and zsh too), fish, powershell, dotenv or json. `keyfob setup shell ROLE` prints the',
    'line that runs this at shell start, with --for-shell: it leaves out ANTHROPIC_AUTH_TOKEN and ANTHROPIC_BASE_URL,',
    'which Claude Code would prefer to its key helper, so a shell never holds Claude Code on a dead key.',
    'dotenv is written with single quotes, read alike by sh, the dotenv package and python-dotenv; a value those',
    'would read differently (a quote, a backslash, a line break) is refused rather than written.',
  ],
  args: {
    options: {
      format: { type: 'string', value: 'sh|fish|powershell|dotenv|json', help: 'how to print the variables (default sh)' },
      'min-left': { type: 'string', value: 'D', help: 'the least time left on the key (default: max(2m, 10% of the TTL))' },
      'for-shell': { type: 'boolean', help: 'leave out the variables a tool\'s key helper yields to (the `setup shell` line)' },
    },
    positionals: [{ name: 'ROLE', required: true }],
  },
  examples: [
    'keyfob env dev --format json',
    'eval "$(keyfob env dev)"',
    'keyfob env dev --format fish | source',
    'keyfob env dev --format powershell | Out-String | Invoke-Expression',
    'keyfob env dev --format dotenv > .env',
  ],
  async run(ctx, args) {
    const format = stringValue(args, 'format') ?? 'sh';
    if (!isEnvFormat(format)) {
      throw usageError(`--format must be one of ${ENV_FORMATS.join(', ')}`, { fields: [{ field: '--format', message: `must be one of ${ENV_FORMATS.join(', ')} (got ${JSON.stringify(format)})` }] });
    }
    const forShell = boolValue(args, 'for-shell');
    const rawMinLeft = stringValue(args, 'min-left');
    const minLeftSeconds = rawMinLeft === undefined ? undefined : parseDuration(rawMinLeft, '--min-left');
    try {
      const lines = await ctx.withCore({}, async (core) => {
        const urls = await core.toolBaseUrls();
        if (!urls) throw new KeyfobError('not-connected', 'Keyfob is not connected to a LiteLLM proxy.');
        const token = await obtainToken({ core, stateDir: ctx.stateDir, role: args.positionals[0] as string, now: () => Date.now(), via: 'env', ...(minLeftSeconds === undefined ? {} : { minLeftSeconds }) });
        const vars = toolEnvironment(token.lease, token.key, urls);
        return formatEnvironment(forShell ? withoutNames(vars, HELPER_OVERRIDING_NAMES) : vars, format);
      });
      for (const line of lines) ctx.out(line);
      return EXIT_OK;
    } catch (e) {
      ctx.err(oneLineError(e));
      return exitCodeFor(e); // 1; 2 for an unknown role, as every command
    }
  },
};
