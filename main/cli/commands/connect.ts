// `keyfob connect`: the proxy URL as a flag, your LiteLLM key from stdin or a no-echo prompt — never as an argument;
// or `--sso`: the person signs in in the browser and no key is typed at all (the session stays in the keychain).
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isKeyfobError } from '../../core/errors.js';
import type { KeyfobCore } from '../../core/core-api.js';
import { normalizeProxyUrl } from '../../core/litellm/index.js';
import { cliOpenBrowser } from '../../core/sso/index.js';
import { boolValue, stringValue } from '../args.js';
import type { CliContext, Command } from '../command.js';
import { EXIT_OK, usageError } from '../failure.js';
import { readSecret } from '../prompt.js';
import { localDateTime } from '../when.js';
import { InputProblems, parseProxyUrl } from '../validate.js';
import { VAULT_CONNECT_OPTIONS, connectVault } from './connect-vault.js';

export const connectCommand: Command = {
  name: 'connect',
  summary: 'sign in with SSO (--sso) or to Vault/OpenBao (--vault), or store the LiteLLM proxy URL and your LiteLLM key (verified first)',
  usage: 'keyfob connect --url URL [--sso [--team TEAM_ID] [--no-browser]] [--ca-file FILE] [--insecure] [--vault URL --method token|userpass|oidc …]',
  description: [
    'With --sso you sign in to the proxy in your browser (LiteLLM 1.99 or later): no key is typed. The browser is',
    '$BROWSER when set, else the system\'s opener; the sign-in address is always printed on stderr, and --no-browser',
    'only prints it. The session is kept in the OS keychain and renews itself; `keyfob logout` ends it.',
    'Without --sso, it reads your LiteLLM key (a personal or team key; the proxy\'s master key works too, but is',
    'riskier) from stdin, or asks for it without echo when run in a terminal. It is never accepted as an argument:',
    'process lists and shell history would keep it.',
    'The key is verified against the proxy (GET /key/list) before it is stored in the OS keychain; the URL and',
    'TLS options go to the settings file shared with the desktop app.',
    'Team mode: with --vault URL, Keyfob signs in to Vault/OpenBao running the LiteLLM engine instead (--method',
    'token|userpass|oidc; the token or password from stdin or a prompt) and --url names the proxy the keys are for;',
    'roles and leases then come from Vault (docs/team-vault.md).',
  ],
  args: {
    options: {
      url: { type: 'string', value: 'URL', help: 'the LiteLLM proxy, e.g. https://litellm.example.com (a trailing /v1 is dropped)' },
      'ca-file': { type: 'string', value: 'FILE', help: 'PEM file with extra CA certificates (corporate TLS proxies)' },
      insecure: { type: 'boolean', help: 'skip TLS certificate verification (self-signed proxies; prefer --ca-file)' },
      sso: { type: 'boolean', help: 'sign in with SSO in the browser instead of typing a key' },
      team: { type: 'string', value: 'TEAM_ID', help: 'with --sso: the team to pick on the consent page' },
      'no-browser': { type: 'boolean', help: 'with --sso: only print the sign-in address (open it yourself)' },
      ...VAULT_CONNECT_OPTIONS,
    },
    positionals: [],
  },
  examples: [
    'keyfob connect --sso --url https://litellm.example.com   # sign in in the browser',
    'keyfob connect --url http://localhost:4000          # prompts for your LiteLLM key',
    'printf \'%s\' "$LITELLM_KEY" | keyfob connect --url https://litellm.example.com',
    'keyfob connect --vault https://vault.example:8200 --url https://litellm.example.com --method userpass --username ada',
  ],
  async run(ctx, args) {
    if (stringValue(args, 'vault') !== undefined) return connectVault(ctx, args);
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
      // A FIFO or a device would block or never end: only a regular file (stat does not open it).
      if (!statSync(path).isFile()) throw new Error(`must be a regular PEM file (${path} is not a regular file)`);
      return path;
    });
    const insecure = boolValue(args, 'insecure');
    const sso = boolValue(args, 'sso');
    const team = stringValue(args, 'team');
    if (!sso && team !== undefined) problems.add('--team', 'is for --sso only (a key\'s team is the key\'s own)');
    if (!sso && boolValue(args, 'no-browser')) problems.add('--no-browser', 'is for --sso only');
    if (team !== undefined && !/^[\x21-\x7e]{1,256}$/.test(team)) problems.add('--team', 'must be a team id (printable, no spaces)');
    problems.throwIfAny('cannot connect');
    if (sso) {
      return connectWithSso(ctx, { url: url as string, team: team ?? null, caFile: caFile ?? null, allowInsecureTls: insecure, printOnly: boolValue(args, 'no-browser') });
    }

    return ctx.withCore({ probeKeychain: true }, async (core) => {
      const adminKey = await readSecret(ctx.streams, 'Your LiteLLM key (input hidden): ', 'LiteLLM key');
      try {
        await ctx.progress('verifying your LiteLLM key with the proxy', () =>
          core.connect({ url: url as string, adminKey, caFile: caFile ?? null, allowInsecureTls: insecure }),
        );
      } catch (e) {
        const field = isKeyfobError(e) && e.kind === 'validation' ? e.fields.find((f) => f.field === 'adminKey') : undefined;
        if (field) throw usageError(`your LiteLLM key ${field.message}`, { fields: [{ field: 'LiteLLM key (stdin)', message: field.message }] });
        throw e;
      }
      const status = await core.connectionStatus();
      if (insecure) ctx.err('keyfob: warning: TLS certificate verification is off for this proxy');
      ctx.out(`Connected to ${status.url ?? url}: your LiteLLM key is verified and stored in ${status.keychain_backend}.`);
      if (status.identity?.role === 'master-key') {
        ctx.err('keyfob: note: this is the proxy\'s master key: a personal or team key is safer (it can do only what its user or team may).');
      }
      return EXIT_OK;
    });
  },
};

interface SsoArgs {
  url: string;
  team: string | null;
  caFile: string | null;
  allowInsecureTls: boolean;
  printOnly: boolean;
}

/** `keyfob connect --sso`: the browser sign-in, then one line saying who is connected and until when it renews. */
async function connectWithSso(ctx: CliContext, a: SsoArgs): Promise<number> {
  return ctx.withCore({ probeKeychain: true }, async (core: KeyfobCore) => {
    const openBrowser = cliOpenBrowser({ env: ctx.streams.env, print: (line) => ctx.err(line), printOnly: a.printOnly });
    const signedIn = await core.connectSso({ url: a.url, team: a.team, caFile: a.caFile, allowInsecureTls: a.allowInsecureTls }, openBrowser);
    if (a.allowInsecureTls) ctx.err('keyfob: warning: TLS certificate verification is off for this proxy');
    const host = new URL(a.url).host;
    const team = signedIn.team ? `, team ${signedIn.team}` : '';
    const until = signedIn.renews_until ? localDateTime(signedIn.renews_until) : 'you sign out';
    ctx.out(`connected to ${host} as ${signedIn.user} (signed in with SSO${team}); the session renews itself until ${until}`);
    return EXIT_OK;
  });
}
