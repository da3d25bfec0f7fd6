// Vault mode in the window: the real renderer in Chromium over the real core signed in to the Vault simulator. The
// Roles screen shows Vault's roles read-only (no New role, no Edit or Delete, and why), and a key issued from a role
// is leased from Vault.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '../window/bridge.js';
import { WindowSuite } from '../window/harness.js';
import { VaultSimulator } from '../vault-sim/index.js';

let suite: WindowSuite;
before(async () => {
  suite = await WindowSuite.start();
});
after(() => suite.close());

test('Vault mode: the Roles screen shows Vault\'s roles read-only, and Issue key leases from Vault', async () => {
  await suite.withApp({ connected: false }, async (app) => {
    const vault = await VaultSimulator.start({
      litellmUrl: app.sim.url, litellmAdminKey: app.adminKey, startMs: app.clock.now(),
      roles: { dev: { models: ['gpt-4o'], max_budget: 5, ttl: 900, max_ttl: 7200, key_alias_prefix: 'acme', metadata: {} } },
    });
    try {
      vault.clock.now = () => app.clock.now();
      vault.addUser('alice', { password: 'alice-pw', ttl: 8 * 3600, max_ttl: 24 * 3600 });
      await app.core.vault.connect({ url: vault.url, mount: 'litellm', method: 'userpass', username: 'alice', secret: 'alice-pw', proxyUrl: app.sim.url });
      const { page } = app;
      await page.getByRole('tab', { name: 'Roles' }).click();
      await page.getByRole('heading', { name: 'Roles', exact: true }).waitFor();
      const item = page.locator('[data-role="dev"]');
      await item.waitFor();
      await eventually(async () => assert.match(await page.locator('#roles-read-only').innerText(), /roles are defined in Vault: ask your platform team/));
      assert.equal(await page.getByRole('button', { name: 'New role' }).isVisible(), false);
      assert.equal(await item.locator('[data-action="edit"], [data-action="delete"]').count(), 0);
      await item.locator('[data-action="issue"]').click();
      const lease = await eventually((): NonNullable<ReturnType<typeof app.liveLeases>[number]> => {
        const live = app.liveLeases()[0];
        assert.equal(live?.state, 'active');
        return live;
      });
      assert.ok(vault.leases.get(lease.backend_ref ?? ''), 'Vault holds the lease');
      await app.core.leases.revokeAll();
      assert.deepEqual(vault.leases.all(), []);
    } finally {
      await vault.close();
    }
  });
});
