// `npm run vault-sim`: a LiteLLM simulator and a Vault simulator in front of it, with a user, an OIDC role and a
// `dev` role, until Ctrl-C. Prints the URLs and the root token (a throw-away test token).
import { startSimulator } from '../sim/index.js';
import { VaultSimulator } from './vault-simulator.js';

const litellm = await startSimulator({ realTime: true });
const vault = await VaultSimulator.start({
  litellmUrl: litellm.url, realTime: true,
  roles: { dev: { models: ['gpt-4o'], max_budget: 5, ttl: 600, max_ttl: 3600, key_alias_prefix: 'team', metadata: {} } },
});
vault.addUser('alice', { password: 'alice-password' });
vault.addOidcRole('keyfob', {});
vault.oidc.defaultRole = 'keyfob';
process.stdout.write(`LiteLLM simulator: ${litellm.url}\nVault simulator:   ${vault.url} (mount litellm, user alice / alice-password, OIDC role keyfob)\nroot token:        ${vault.rootToken}\n`);
const stop = () => void Promise.all([vault.close(), litellm.close()]).then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
