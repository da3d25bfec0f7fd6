// `keyfob status`: what is configured and whether it works. It reports problems (no keychain, proxy down, key
// refused) instead of failing on them: it is the command people run when something does not work.
import type { ConnectionStatus, ProbeResult, VaultStatus } from '../../core/core-api.js';
import { toKeyfobError, type SerializedError } from '../../core/errors.js';
import { boolValue } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, forTheCli } from '../failure.js';
import { describeFailure } from '../lease-failure.js';
import { json } from '../output.js';
import { localDateTime } from '../when.js';
import { describeVault } from './connect-vault.js';

interface StatusReport {
  state_dir: string;
  url: string | null;
  /** Whether your LiteLLM key is stored (null: the keychain could not be read). The name is kept for scripts. */
  admin_key_stored: boolean | null;
  keychain_backend: string | null;
  keychain_error: SerializedError | null;
  /** The proxy check; null when there is no URL, or the key cannot be read (then nothing was asked). */
  proxy: ProbeResult | null;
  /** Set when connected with SSO (`keyfob connect --sso`): who signed in, and until when the session renews itself. */
  sso: { user: string; team: string | null; renews_until: string | null } | null;
  live_leases: number;
  /** Team mode: the Vault server, the session's end, the roles (null: not in Vault mode). */
  vault: VaultStatus | null;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'show the proxy, the keychain, whether the proxy answers, and the live lease count',
  usage: 'keyfob status [--json]',
  description: [
    'Never prints your LiteLLM key, only whether one is stored. Network and keychain problems are reported, not',
    'raised: the exit status is 0 whenever the report could be made.',
  ],
  args: { options: { json: { type: 'boolean', help: 'print one JSON object' } }, positionals: [] },
  examples: ['keyfob status', 'keyfob status --json | jq .proxy.reachable'],
  async run(ctx, args) {
    const report = await ctx.withCore({}, async (core) => {
      let connection: ConnectionStatus | null = null;
      let keychainError: SerializedError | null = null;
      try {
        // connectionStatus() reads a failing keychain as "no key stored"; asking it directly tells the two apart.
        await core.secretStore.get('admin-key');
        connection = await core.connectionStatus();
      } catch (e) {
        const error = toKeyfobError(e).toJSON();
        keychainError = error.hint ? { ...error, hint: forTheCli(error.hint) } : error;
      }
      const url = connection?.url ?? core.getSettings().litellm_url;
      let proxy: ProbeResult | null = null;
      const vault = core.vault.active() ? await core.vault.status() : null;
      // A keychain that cannot be read is reported once, above: the proxy is not checked without the key.
      if (url && !keychainError && !vault) {
        try {
          proxy = await ctx.progress('asking the proxy', () => core.testConnection());
        } catch (e) {
          proxy = { reachable: false, admin_ok: false, db_connected: null, error: toKeyfobError(e).toJSON() };
        }
      }
      const result: StatusReport = {
        state_dir: ctx.stateDir,
        url,
        admin_key_stored: connection?.admin_key_stored ?? null,
        keychain_backend: connection?.keychain_backend ?? null,
        keychain_error: keychainError,
        proxy,
        sso: connection?.sso ?? null,
        live_leases: core.leases.list().length,
        vault,
      };
      return result;
    });
    if (boolValue(args, 'json')) ctx.out(json(report));
    else for (const line of describe(report)) ctx.out(line);
    return EXIT_OK;
  },
};

function describe(r: StatusReport): string[] {
  const lines: Array<[string, string]> = [['home', r.state_dir]];
  if (r.vault) {
    // Vault mode: the token is the credential, and the LiteLLM key (if any is stored) is not used.
    return [`home:       ${r.state_dir}`, ...describeVault(r.vault), `keychain:   ${r.keychain_error ? `unavailable: ${r.keychain_error.message}` : r.keychain_backend ?? 'unknown'}`, `leases:     ${r.live_leases} live`];
  }
  lines.push(['proxy', r.url ?? 'not connected (run `keyfob connect --sso --url URL`, or `keyfob connect --url URL` with a key)']);

  if (r.keychain_error) {
    lines.push(['keychain', `unavailable: ${r.keychain_error.message}`]);
    if (r.keychain_error.hint) lines.push(['', r.keychain_error.hint]);
  } else {
    lines.push(['keychain', r.keychain_backend ?? 'unknown']);
    if (r.sso) {
      const team = r.sso.team ? `, team ${r.sso.team}` : '';
      const until = r.sso.renews_until ? `; renews itself until ${localDateTime(r.sso.renews_until)}` : '';
      lines.push(['sign-in', `signed in with SSO as ${r.sso.user}${team}${until}`]);
    } else {
      lines.push(['LiteLLM key', r.admin_key_stored ? 'stored in the keychain' : 'not stored']);
    }
  }
  if (r.proxy) lines.push(['connection', describeProbe(r.proxy, r.sso !== null)]);
  else if (r.url && r.keychain_error) lines.push(['connection', 'not checked: the key cannot be read']);
  if (r.proxy?.identity) lines.push(['credential', r.proxy.identity.summary]);
  if (r.proxy?.error?.hint && r.proxy.error.kind !== 'admin-key-rejected') lines.push(['', forTheCli(r.proxy.error.hint)]);
  lines.push(['leases', `${r.live_leases} live`]);
  const width = Math.max(...lines.map(([k]) => k.length)) + 1;
  return lines.map(([k, v]) => `${(k ? `${k}:` : '').padEnd(width)}  ${v}`);
}

function describeProbe(p: ProbeResult, sso: boolean): string {
  if (!p.reachable) return `proxy unreachable${p.error ? `: ${p.error.message}` : ''}`;
  if (!p.admin_ok) return p.error?.kind === 'admin-key-rejected' ? `proxy reachable, but ${describeFailure(p.error, false, '')}` : `proxy reachable, your LiteLLM key not accepted${p.error ? `: ${p.error.message}` : ''}`;
  const db = p.db_connected === false ? ' (but the proxy has no database: virtual keys are impossible)' : '';
  return `ok: proxy reachable, ${sso ? 'your sign-in session' : 'your LiteLLM key'} accepted${db}`;
}
