// Vault mode in the app: the real composition root on the fake Electron, its core signed in to the Vault simulator
// (which issues on the app's LiteLLM simulator). The window's snapshot shows Vault's roles, its role edits are
// refused, and issue, renew, the one-click copy and revoke-all go through Vault, leaving nothing live.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_KEY, boot, createEnv, ok } from '../app/harness.js';
import { VaultSimulator } from '../vault-sim/index.js';

test('the app in Vault mode: Vault\'s roles read-only in the window, keys leased from Vault, nothing left live', async (t) => {
  const env = await createEnv(t);
  const vault = await VaultSimulator.start({
    litellmUrl: env.sim.url, litellmAdminKey: ADMIN_KEY, startMs: env.clock.now(),
    roles: { dev: { models: ['gpt-4o'], max_budget: 5, ttl: 900, max_ttl: 7200, key_alias_prefix: 'acme', metadata: {} } },
  });
  env.cleanups.push(() => vault.close());
  vault.clock.now = () => env.clock.now();
  vault.addUser('alice', { password: 'alice-pw', ttl: 8 * 3600, max_ttl: 24 * 3600 });
  const running = await boot(env);
  const core = running.core;
  assert.ok(core);
  await core.vault.connect({ url: vault.url, mount: 'litellm', method: 'userpass', username: 'alice', secret: 'alice-pw', proxyUrl: env.sim.url });
  await running.settled();

  const h = running.handlers;
  const snapshot = ok(await h.getSnapshot());
  assert.deepEqual(snapshot.roles.map((r) => [r.name, r.ttl, r.max_ttl]), [['dev', 900, 7200]]);
  assert.equal(snapshot.features?.roles_read_only, 'roles are defined in Vault: ask your platform team', 'the window hides role editing');
  const edit = await h.saveRole({ name: 'dev', models: [], ttl: '1h' });
  assert.ok(!edit.ok && /roles are defined in Vault: ask your platform team/i.test(`${edit.error.message} ${edit.error.hint ?? ''}`));
  const removal = await h.deleteRole('dev');
  assert.ok(!removal.ok && /roles are defined in Vault/i.test(removal.error.message));

  const lease = ok(await h.issue('dev'));
  assert.match(lease.backend_ref ?? '', /^litellm\/creds\/dev\//);
  assert.ok(vault.leases.get(lease.backend_ref ?? ''), 'Vault holds the lease');
  ok(await h.renew(lease.lease_id));
  const copied = ok(await h.copyRoleKey('dev'));
  assert.equal(copied.lease_id, lease.lease_id, 'the one-click copy hands out the live key');
  ok(await h.revokeAll());
  await running.settled();
  assert.deepEqual(vault.leases.all(), []);
  assert.deepEqual(env.sim.liveKeys(), []);
});
