// `keyfob connect`: the proxy URL as a flag, the admin key from stdin or a no-echo prompt — never as an argument.
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { isKeyfobError } from '../../core/errors.js';
import { normalizeProxyUrl } from '../../core/litellm/index.js';
import { boolValue, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, usageError } from '../failure.js';
import { readSecret } from '../prompt.js';
import { InputProblems, parseProxyUrl } from '../validate.js';

export const connectCommand: Command = {
  name: 'connect',
  summary: 'store the LiteLLM proxy URL and admin key (verified first)',
  usage: 'keyfob connect --url URL [--ca-file FILE] [--insecure]',
  description: [
    'Reads the key (a personal or team LiteLLM key, or the proxy\'s master key) from stdin, or asks for it without echo',
    'when run in a terminal. It is never accepted as an argument: process lists and shell history would keep it.',
    'The key is verified against the proxy (GET /key/list) before it is stored in the OS keychain; the URL and',
    'TLS options go to the settings file shared with the desktop app.',
  ],
  args: {
    options: {
      url: { type: 'string', value: 'URL', help: 'the LiteLLM proxy, e.g. https://litellm.example.com (a trailing /v1 is dropped)' },
      'ca-file': { type: 'string', value: 'FILE', help: 'PEM file with extra CA certificates (corporate TLS proxies)' },
      insecure: { type: 'boolean', help: 'skip TLS certificate verification (self-signed proxies; prefer --ca-file)' },
    },
    positionals: [],
  },
  examples: [
    'keyfob connect --url http://localhost:4000          # prompts for the admin key',
    'printf \'%s\' "$LITELLM_MASTER_KEY" | keyfob connect --url https://litellm.example.com',
  ],
  async run(ctx, args) {
    const problems = new InputProblems();
    const rawUrl = stringValue(args, 'url');
    if (rawUrl === undefined) problems.add('--url', 'is required: the address of your LiteLLM proxy, e.g. http://localhost:4000');
    const url = problems.take('--url', rawUrl, (raw) => {
      parseProxyUrl(raw);
      return normalizeProxyUrl(raw, '--url');
    });
    const caFile = problems.take('--ca-file', stringValue(args, 'ca-file'), (raw) => {
      const path = resolve(raw);
      try {
        accessSync(path, constants.R_OK);
      } catch {
        throw new Error(`must be a readable PEM file (cannot read ${path})`);
      }
      return path;
    });
    const insecure = boolValue(args, 'insecure');
    problems.throwIfAny('cannot connect');

    return ctx.withCore({ probeKeychain: true }, async (core) => {
      const adminKey = await readSecret(ctx.streams, 'LiteLLM admin key (input hidden): ', 'admin key');
      try {
        await ctx.progress('verifying the admin key with the proxy', () =>
          core.connect({ url: url as string, adminKey, caFile: caFile ?? null, allowInsecureTls: insecure }),
        );
      } catch (e) {
        const field = isKeyfobError(e) && e.kind === 'validation' ? e.fields.find((f) => f.field === 'adminKey') : undefined;
        if (field) throw usageError(`the admin key ${field.message.replace(/^is /, 'is ')}`, { fields: [{ field: 'admin key (stdin)', message: field.message }] });
        throw e;
      }
      const status = await core.connectionStatus();
      if (insecure) ctx.err('keyfob: warning: TLS certificate verification is off for this proxy');
      ctx.out(`Connected to ${status.url ?? url}: admin key verified and stored in ${status.keychain_backend}.`);
      return EXIT_OK;
    });
  },
};
