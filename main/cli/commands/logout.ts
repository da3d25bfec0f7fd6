// `keyfob logout`: the strongest stop. Every live lease is revoked first (while the credential can still do it), then
// the credential is discarded: a sign-in session's refresh token is revoked on the proxy and the session removed; a
// Vault token is revoked with `revoke-self` (taking whatever its session still held); a stored key is removed from
// the keychain. Exit 0 only when nothing live is left.
import type { LeaseView } from '../../core/types.js';
import { boolValue } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_FAILED, EXIT_OK } from '../failure.js';
import { describeFailure } from '../lease-failure.js';
import { json } from '../output.js';

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'revoke every live key, then sign out (SSO, Vault) or forget your stored LiteLLM key',
  usage: 'keyfob logout [--json]',
  description: [
    'Revokes every live lease of this state directory, then ends the connection: a sign-in session (`keyfob connect',
    '--sso`) is signed out on the proxy and removed from the keychain; a stored LiteLLM key is removed from the',
    'keychain. When a revocation fails the connection is kept, so that the next command can still revoke the key:',
    'run `keyfob logout` again. Exits 0 only when nothing live is left.',
  ],
  args: { options: { json: { type: 'boolean', help: 'print one JSON object' }, verbose: { type: 'boolean', help: 'show the proxy\'s own words for a failure' } }, positionals: [] },
  examples: ['keyfob logout', 'keyfob logout --json | jq .left'],
  async run(ctx, args) {
    const report = await ctx.withCore({ reconcile: true, notifications: false }, (core) => ctx.progress('signing out', () => core.signOut()));
    if (boolValue(args, 'json')) {
      ctx.out(json({ revoked: report.revoked, left: report.left.map((l: LeaseView) => l.lease_id), signed_out: report.discarded, kind: report.kind }));
      return report.left.length === 0 ? EXIT_OK : EXIT_FAILED;
    }
    const keys = `revoked ${report.revoked} key${report.revoked === 1 ? '' : 's'}`;
    if (report.left.length > 0) {
      for (const lease of report.left) {
        ctx.err(`keyfob: lease ${lease.lease_id} (${lease.key_alias}) is ${lease.state}: ${lease.wait_reason ?? describeFailure(lease.last_error, boolValue(args, 'verbose'), 'not confirmed by the proxy')}`);
      }
      ctx.out(`${keys}; still signed in: ${report.left.length} key${report.left.length === 1 ? ' is' : 's are'} left`);
      ctx.err('hint: run `keyfob logout` again when the proxy answers; the keys also expire on their own');
      return EXIT_FAILED;
    }
    if (report.kind === 'vault-token') ctx.out(`${keys}; signed out of Vault (your Vault token is revoked, and every lease it held with it)`);
    else if (report.kind === 'sso-session') ctx.out(`${keys}; signed out of SSO (the session is revoked on the proxy and removed from the keychain)`);
    else if (report.kind === 'static-key') ctx.out(`${keys}; your LiteLLM key is removed from the keychain`);
    else ctx.out(`${keys}; nothing was connected`);
    return EXIT_OK;
  },
};
