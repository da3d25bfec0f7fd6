// `keyfob connect --vault URL …`: team mode. Signs in to Vault/OpenBao (token, userpass or OIDC), checks the token
// and the engine's roles, keeps the token in the keychain. The token and the password come only from stdin or a
// no-echo prompt, as the LiteLLM key does; OIDC opens $BROWSER or the platform's opener, and prints the URL too.
import { resolve } from 'node:path';
import type { VaultConnectInput, VaultMethod, VaultStatus } from '../../core/core-api.js';
import { normalizeProxyUrl } from '../../core/litellm/index.js';
import { cliOpenBrowser } from '../../core/sso/index.js';
import { normalizeVaultUrl } from '../../core/vault/index.js';
import { boolValue, stringValue, type OptionSpec, type ParsedArgs } from '../args.js';
import type { CliContext } from '../command.js';
import { EXIT_OK } from '../failure.js';
import { readSecret } from '../prompt.js';
import { InputProblems, parseProxyUrl } from '../validate.js';

/** The options `keyfob connect` takes for Vault mode (merged into its own). */
export const VAULT_CONNECT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  vault: { type: 'string', value: 'URL', help: 'team mode: the Vault/OpenBao server running the LiteLLM engine (--url is then the LiteLLM proxy the keys are for)' },
  mount: { type: 'string', value: 'PATH', help: 'with --vault: the LiteLLM engine\'s mount (default litellm)' },
  namespace: { type: 'string', value: 'NS', help: 'with --vault: the Vault namespace' },
  method: { type: 'string', value: 'M', help: 'with --vault: token, userpass or oidc (default token)' },
  username: { type: 'string', value: 'U', help: 'with --method userpass: your user name (the password is read from stdin or a prompt)' },
  'oidc-role': { type: 'string', value: 'R', help: 'with --method oidc: the OIDC role (default: the mount\'s default role)' },
  'oidc-port': { type: 'string', value: 'P', help: 'with --method oidc: the local callback port (default 8250)' },
  'no-browser': { type: 'boolean', help: 'with --method oidc: print the sign-in URL only' },
};

const METHODS: readonly VaultMethod[] = ['token', 'userpass', 'oidc'];

/** Parses the Vault flags; every invalid one is reported at once. */
function vaultInput(args: ParsedArgs): Omit<VaultConnectInput, 'secret' | 'openBrowser' | 'print'> {
  const problems = new InputProblems();
  const url = problems.take('--vault', stringValue(args, 'vault'), (raw) => normalizeVaultUrl(raw));
  const rawProxy = stringValue(args, 'url');
  if (rawProxy === undefined) problems.add('--url', 'is required with --vault: the LiteLLM proxy your keys are used with, e.g. https://litellm.example.com');
  const proxyUrl = problems.take('--url', rawProxy, (raw) => {
    parseProxyUrl(raw);
    return normalizeProxyUrl(raw, '--url');
  });
  const method = (stringValue(args, 'method') ?? 'token') as VaultMethod;
  if (!METHODS.includes(method)) problems.add('--method', 'must be token, userpass or oidc');
  const username = stringValue(args, 'username');
  if (method === 'userpass' && !username) problems.add('--username', 'is required with --method userpass');
  const port = problems.take('--oidc-port', stringValue(args, 'oidc-port'), (raw) => {
    const n = Number(raw);
    // 0 = any free port: only where the OIDC role ignores a loopback port (OpenBao does; Vault may not).
    if (!/^\d+$/.test(raw) || n > 65535) throw new Error('must be a port number (1-65535, or 0 for any free one)');
    return n;
  });
  problems.throwIfAny('cannot connect to Vault');
  const oidcRole = stringValue(args, 'oidc-role');
  const caFile = stringValue(args, 'ca-file');
  return {
    ...(caFile === undefined ? {} : { caFile: resolve(caFile) }), allowInsecureTls: boolValue(args, 'insecure'),
    url: url as string, proxyUrl: proxyUrl as string, mount: stringValue(args, 'mount') ?? 'litellm', namespace: stringValue(args, 'namespace') ?? null,
    method, ...(username ? { username } : {}), ...(oidcRole ? { oidcRole } : {}), ...(port === undefined ? {} : { oidcPort: port }),
  };
}

export async function connectVault(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const input = vaultInput(args);
  return ctx.withCore({ probeKeychain: true }, async (core) => {
    let secret: string | undefined;
    if (input.method === 'token') secret = await readSecret(ctx.streams, 'Your Vault token (input hidden): ', 'Vault token');
    if (input.method === 'userpass') secret = await readSecret(ctx.streams, `Vault password for ${input.username ?? ''} (input hidden): `, 'Vault password');
    const status = await ctx.progress('signing in to Vault', () => core.vault.connect({
      ...input, ...(secret === undefined ? {} : { secret }),
      openBrowser: async (url) => cliOpenBrowser({ env: ctx.streams.env, print: () => undefined, printOnly: boolValue(args, 'no-browser') })(url),
      print: (line) => ctx.err(line),
    }));
    if (boolValue(args, 'insecure')) ctx.err('keyfob: warning: TLS certificate verification is off for this Vault server');
    ctx.out(`Connected to Vault at ${status.url}${status.namespace ? ` (namespace ${status.namespace})` : ''}, engine ${status.mount}/: your Vault token is in ${(await core.connectionStatus()).keychain_backend}.`);
    for (const line of describeVault(status)) ctx.out(line);
    return EXIT_OK;
  });
}

/** `keyfob status` lines for Vault mode (never the token). */
export function describeVault(v: VaultStatus): string[] {
  const session = !v.token_stored
    ? 'not signed in (keyfob connect --vault …)'
    : v.session_ended
      ? `ended${v.session_ends_at ? ` at ${v.session_ends_at}` : ''}: its keys ended with it; sign in again`
      : v.session_ends_at === null
        ? 'never ends (a root token)'
        : `ends at ${v.session_ends_at}${v.session_renewable ? ' unless renewed (Keyfob renews it while keys live)' : ', and cannot be renewed'}; your keys end with it`;
  return [
    `vault:      ${v.url}${v.namespace ? ` (namespace ${v.namespace})` : ''}, engine ${v.mount}/, ${v.method} sign-in`,
    `session:    ${session}`,
    `keys for:   ${v.proxy_url}`,
    `roles:      ${v.roles.join(', ') || 'none'} (defined in Vault)`,
  ];
}
