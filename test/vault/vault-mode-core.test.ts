// Vault mode through the real core: connect with each method, roles read-only, issue/renew (cap)/revoke with one
// request each, expiry, sealed, denied, the token's renewal and its end (the keys end with it), logout, and the
// secrets scan. Vault owns the leases; the LiteLLM simulator shows which keys are really live.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { isKeyfobError } from '../../main/core/errors.js';
import { chat } from '../core/leases/helpers.js';
import { liveAliases } from '../vault-sim/harness.js';
import { scanTree } from '../secrets/scan.js';
import { MIN, vaultHarness, type VaultHarness } from './support.js';

let h: VaultHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const rejects = async (work: Promise<unknown>, match: RegExp): Promise<void> => {
  await assert.rejects(work, (e: unknown) => isKeyfobError(e) && match.test(`${e.message} ${e.hint ?? ''}`));
};

describe('Vault mode through the core', () => {
  test('userpass: verified, the token in the keychain only, roles from Vault and read-only', async () => {
    h = await vaultHarness();
    const status = await h.connectVault();
    assert.equal(status.method, 'userpass');
    assert.equal(status.token_stored, true);
    assert.deepEqual(status.roles, ['dev', 'fixed']);
    assert.equal(h.core.vault.active(), true);
    const dev = h.core.getRole('dev');
    assert.deepEqual([dev.ttl, dev.max_ttl, dev.models, dev.key_alias_prefix], [600, 3600, ['gpt-4o'], 'acme']);
    assert.throws(() => h?.core.saveRole({ name: 'mine', models: [], ttl: '1h' }), /roles are defined in Vault: ask your platform team/i);
    assert.throws(() => h?.core.deleteRole('dev'), /roles are defined in Vault/i);
    const stored = JSON.parse((await h.keychain.get('vault-token')) ?? '{}') as { token?: string };
    assert.match(stored.token ?? '', /^hvs\./);
    assert.equal(await h.core.boundUrl(), h.pair.litellm.url, 'tools are pointed at the proxy, never at Vault');
    const onDisk = fs.readFileSync(path.join(h.stateDir, 'vault.json'), 'utf8');
    assert.ok(!onDisk.includes(stored.token ?? 'x'), 'vault.json holds no token');
  });

  test('token and OIDC sign-ins; a wrong password stores nothing', async () => {
    h = await vaultHarness();
    await rejects(h.connectVault({ secret: 'wrong' }), /invalid username or password/);
    assert.equal(await h.keychain.get('vault-token'), null);
    assert.equal(h.core.vault.active(), false);
    const token = h.pair.vault.createToken(['default', 'keyfob-developer'], 3600, 7200);
    assert.equal((await h.connectVault({ method: 'token', secret: token })).method, 'token');
    const oidc = await h.connectVault({
      method: 'oidc', oidcRole: 'keyfob', oidcPort: 0, print: () => undefined,
      // The browser: follow the IdP's redirect back to Keyfob's loopback callback.
      openBrowser: async (url) => void (await fetch(url)),
    });
    assert.equal(oidc.method, 'oidc');
    assert.equal(oidc.token_stored, true);
  });

  test('issue, renew and revoke: one request each, the lease id verbatim, the key live only while leased', async () => {
    h = await vaultHarness();
    await h.connectVault();
    await h.core.vault.refreshRoles();
    const first = await h.core.leases.issue('dev');
    await h.advance(0); // the next child token is minted after the issue, off its critical path
    h.pair.vault.requestLog.length = 0;
    const { lease, key } = await h.core.leases.issue('dev');
    assert.deepEqual(h.pair.vault.requestLog.filter((r) => !r.path.startsWith('auth/token/create')).map((r) => r.path), ['litellm/creds/dev']);
    assert.match(lease.backend_ref ?? '', /^litellm\/creds\/dev\/[A-Za-z0-9]{24}$/);
    assert.ok(h.vaultLeases().includes(lease.backend_ref ?? ''));
    assert.equal((await chat(h.pair.litellm, key)).status, 200);
    assert.equal(lease.expires_at, new Date(h.clock.now() + 600_000).toISOString());

    await h.advance(5 * MIN);
    h.pair.vault.requestLog.length = 0;
    const renewed = await h.core.leases.renew(lease.lease_id, 300);
    assert.deepEqual(h.pair.vault.requestLog.map((r) => r.path), ['sys/leases/renew']);
    assert.equal(renewed.expires_at, new Date(h.clock.now() + 300_000).toISOString(), 'the granted TTL from now');

    h.pair.vault.requestLog.length = 0;
    await h.core.leases.revoke(lease.lease_id);
    assert.deepEqual(h.pair.vault.requestLog.map((r) => r.path), ['sys/leases/revoke']);
    assert.ok(!h.vaultLeases().includes(lease.backend_ref ?? ''));
    assert.equal((await chat(h.pair.litellm, key)).status, 401, 'the key is deleted');
    await h.core.leases.revoke(first.lease.lease_id);
    assert.deepEqual(liveAliases(h.pair.litellm), []);
  });

  test('a renewal Vault caps is recorded as capped, with Vault\'s cap as the lease\'s end (never renewed past it)', async () => {
    h = await vaultHarness();
    await h.connectVault();
    // The platform team lowered the role's max TTL after Keyfob read it: Vault's cap is the real one.
    const role = h.pair.vault.engine().config.roles.dev;
    assert.ok(role);
    role.max_ttl = 1200;
    h.activity.snapshot = { idleSeconds: 3600, locked: true }; // no auto-renewal: the renewals below are the person's
    const { lease } = await h.core.leases.issue('dev');
    await h.advance(8 * MIN);
    await h.core.leases.renew(lease.lease_id, 600);
    await h.advance(8 * MIN);
    const events: boolean[] = [];
    h.core.leases.on((e) => void (e.type === 'renewed' && events.push(e.capped)));
    const renewed = await h.core.leases.renew(lease.lease_id, 600, { allowShorten: true });
    const cap = new Date(Date.parse(lease.issued_at) + 1200_000).toISOString();
    assert.equal(renewed.expires_at, cap, 'Vault granted only up to its cap');
    assert.deepEqual(events, [true]);
    assert.equal(renewed.max_expires_at, cap, 'recorded as the lease\'s cap');
    await rejects(h.core.leases.renew(lease.lease_id, 600), /max TTL/);
    assert.ok(h.core.auditLog(20).some((e) => e.action === 'renew' && /capped/.test(e.detail ?? '')));
  });

  test('expiry: Vault revokes the lease, the key ends, the lease closes', async () => {
    h = await vaultHarness();
    await h.connectVault();
    h.activity.snapshot = { idleSeconds: 3600, locked: true }; // away: no auto-renewal
    const { lease, key } = await h.core.leases.issue('dev');
    await h.advance(11 * MIN);
    await h.pair.vault.expireDue();
    assert.equal(h.core.leases.list().length, 0);
    assert.equal(h.core.leases.get(lease.lease_id).state, 'expired');
    assert.equal((await chat(h.pair.litellm, key)).status, 401);
  });

  test('sealed, denied (path and capability named), 429', async () => {
    h = await vaultHarness();
    await h.connectVault();
    h.pair.vault.sealed = true;
    await rejects(h.core.leases.issue('dev'), /sealed/);
    h.pair.vault.sealed = false;
    h.pair.vault.deniedPaths.add('litellm/creds/dev');
    await rejects(h.core.leases.issue('dev'), /litellm\/creds\/dev.*"read"|"read".*litellm\/creds\/dev/);
    h.pair.vault.deniedPaths.clear();
    h.pair.vault.faults.push({ path: 'litellm/creds/', status: 429, errors: ['request path "litellm/creds/dev": rate limit quota exceeded'], count: 1 });
    await rejects(h.core.leases.issue('dev'), /quota/);
    assert.deepEqual(liveAliases(h.pair.litellm), []);
  });

  test('the session: renewed at ⅔ while keys live, warned before its hard end, and its keys end with it', async () => {
    h = await vaultHarness({ userTtl: 1800, userMaxTtl: 2400 });
    await h.connectVault();
    const { lease, key } = await h.core.leases.issue('dev');
    h.pair.vault.requestLog.length = 0;
    await h.advance(21 * MIN); // ⅔ of 30 min: renew-self, capped at the 40 min max TTL
    assert.ok(h.pair.vault.requestLog.some((r) => r.path === 'auth/token/renew-self' && r.status === 200));
    const status = await h.core.vault.status();
    assert.equal(status?.session_ends_at, new Date(Date.parse(lease.issued_at) + 40 * MIN).toISOString());
    await h.advance(5 * MIN); // 15 min before the hard end
    assert.ok(h.core.takeNotices().some((n) => n.kind === 'vault-session' && /cannot be extended/.test(n.text)));
    await h.advance(15 * MIN);
    await h.pair.vault.expireDue();
    assert.ok(h.notifier.sent.some((n) => /session ended/.test(n.body)));
    assert.equal(h.core.leases.list().length, 0, 'the session\'s leases are closed');
    assert.equal((await chat(h.pair.litellm, key)).status, 401, 'Vault revoked them with the token');
    await rejects(h.core.leases.issue('dev'), /Sign in again/);
  });

  test('logout: every lease revoked, the token revoked, nothing live, nothing left in the keychain', async () => {
    h = await vaultHarness();
    await h.connectVault();
    const keys = [(await h.core.leases.issue('dev')).key, (await h.core.leases.issue('fixed')).key];
    await h.core.leases.revokeAll({ reason: 'logout' });
    await h.core.forgetAdminKey();
    assert.deepEqual(h.vaultLeases(), []);
    assert.deepEqual(liveAliases(h.pair.litellm), []);
    assert.equal(await h.keychain.get('vault-token'), null);
    assert.equal(h.core.vault.active(), false);
    for (const key of keys) assert.equal((await chat(h.pair.litellm, key)).status, 401);
  });

  test('logout without revoke rights: revoke-self takes the leases, and the ledger closes them', async () => {
    h = await vaultHarness();
    await h.connectVault();
    const { key } = await h.core.leases.issue('dev');
    h.pair.vault.deniedPaths.add('sys/leases/revoke');
    await h.core.forgetAdminKey();
    assert.equal(h.core.leases.list().length, 0);
    assert.deepEqual(h.vaultLeases(), []);
    assert.equal((await chat(h.pair.litellm, key)).status, 401);
  });

  test('the secrets scan: no Vault token and no key in the state directory', async () => {
    h = await vaultHarness();
    await h.connectVault();
    const { key } = await h.core.leases.issue('dev');
    const token = (JSON.parse((await h.keychain.get('vault-token')) ?? '{}') as { token: string }).token;
    await h.advance(MIN);
    await h.core.leases.renew((h.core.leases.list()[0]?.lease_id) ?? '', 600);
    const found = scanTree(h.stateDir, [key, token]);
    assert.deepEqual(found, []);
  });
});
