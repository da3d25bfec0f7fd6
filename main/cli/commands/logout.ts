// `keyfob logout`: end the session with the backend. Every live lease is revoked first (each key stops working now,
// not at its expiry), then the credential is discarded: a Vault token is revoked with `revoke-self` (which also
// revokes anything the session still held), an SSO session signed out, a LiteLLM key removed from the keychain.
import { boolValue } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_FAILED, EXIT_OK } from '../failure.js';

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'revoke every live key, then sign out (a Vault token is revoked; a LiteLLM key is removed from the keychain)',
  usage: 'keyfob logout [--keep-credential]',
  description: [
    'Revokes every live lease first. If some could not be revoked, the credential is kept (so that they can still',
    'be revoked) unless the backend revokes them with it: a Vault token takes its leases with it when revoked.',
  ],
  args: { options: { 'keep-credential': { type: 'boolean', help: 'revoke the keys only; stay signed in' } }, positionals: [] },
  examples: ['keyfob logout'],
  async run(ctx, args) {
    return ctx.withCore({ reconcile: true, notifications: false }, async (core) => {
      const vault = core.vault.active();
      const summary = await ctx.progress('revoking your keys', () => core.leases.revokeAll({ reason: 'logout' }));
      ctx.out(`Revoked ${summary.revoked} key${summary.revoked === 1 ? '' : 's'}.`);
      if (boolValue(args, 'keep-credential')) return summary.left.length ? EXIT_FAILED : EXIT_OK;
      if (summary.left.length && !vault) {
        ctx.err(`keyfob: ${summary.left.length} key(s) could not be revoked yet: staying signed in so that they can be (run keyfob logout again).`);
        return EXIT_FAILED;
      }
      await ctx.progress('signing out', () => core.forgetAdminKey());
      ctx.out(vault ? 'Signed out of Vault: your Vault token is revoked, and every lease it held with it.' : 'Signed out: your LiteLLM key is removed from the keychain.');
      return EXIT_OK;
    });
  },
};
