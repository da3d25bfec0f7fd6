// VaultKeyBackend against the Vault simulator (which issues real keys on the LiteLLM simulator): issue, renew (and
// the cap), revoke and lookup, roles read-only, the errors a person sees (denied, sealed, unknown path, quota, a dead
// session), a token's expiry taking its keys, the child-token crash clean-up, requests per operation, and no token
// or key in any file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KeyfobError } from '../../../main/core/errors.js';
import type { LeaseHandle } from '../../../main/core/backend/index.js';
import { VaultKeyBackend, VaultTokenCredential, VAULT_ROLES_READ_ONLY } from '../../../main/core/vault/index.js';
import type { VaultIssueRequest } from '../../../main/core/vault/index.js';
import { scanTree } from '../../secrets/scan.js';
import { liveAliases } from '../../vault-sim/harness.js';
import { START, connectOptions, fakeClock, keychainStore, removeKeychainServices, startPair } from './vault-support.js';
import type { SimPair } from './vault-support.js';
import { testRole } from './vault-roles.js';

let pair: SimPair;
before(async () => { pair = await startPair(); });
after(async () => {
  await pair.close();
  await removeKeychainServices();
});

async function connect(policies = ['keyfob-developer'], ttl = 7200, maxTtl = 86400) {
  const clock = fakeClock();
  const token = pair.vault.createToken(policies, ttl, maxTtl);
  const cred = await VaultTokenCredential.signInWithToken(connectOptions(pair), token, keychainStore(), clock);
  return { clock, cred, token, backend: new VaultKeyBackend({ client: cred.client, mount: 'litellm', clock }) };
}

function request(role = 'dev', refs: string[] = []): VaultIssueRequest {
  return {
    role: testRole(role), leaseId: 'lease-1', alias: 'keyfob-written-ahead', ttlSeconds: 600, ledgerId: 'ledger',
    recordBackendRef: (ref) => { refs.push(ref); return Promise.resolve(); },
  };
}

function handle(backendRef: string | null, alias = ''): LeaseHandle {
  return { lease_id: 'lease-1', role: 'dev', key_alias: alias, token_hash: null, backend_ref: backendRef };
}

describe('VaultKeyBackend', () => {
  test('issue: the lease id verbatim, Vault\'s alias and key, renewable, expiry = now + lease_duration; the accessor written ahead', async () => {
    const { backend, clock } = await connect();
    const refs: string[] = [];
    const issued = await backend.issue(request('dev', refs));
    assert.match(issued.backendRef ?? '', /^litellm\/creds\/dev\/[A-Za-z0-9]{24}$/);
    assert.match(issued.alias, /^acme-dev-[0-9a-f]{8}$/);
    assert.equal(issued.renewable, true);
    assert.equal(issued.expiresAt, new Date(clock.now() + 600_000).toISOString());
    assert.ok(pair.litellm.liveKeys().some((k) => k.key_alias === issued.alias && k.token === issued.tokenHash));
    assert.equal(refs.length, 1);
    // The accessor, and when the creds read sent with it has surely ended (now + the client's timeout + 5 s).
    assert.equal(refs[0]?.replace(/^accessor:[A-Za-z0-9]{24}/, ''), `;settles=${clock.now() + 5000 + 5000}`);
    const owner = pair.vault.leases.get(issued.backendRef ?? '');
    assert.equal(pair.vault.tokens.get(owner?.tokenId)?.accessor, refs[0]?.slice('accessor:'.length, 'accessor:'.length + 24), 'the lease belongs to the child token written ahead');
  });

  test('renew: the granted TTL; capped at max TTL from Vault\'s warning; revoke; lookup then says gone', async () => {
    const { backend, clock } = await connect();
    const issued = await backend.issue(request());
    const lease = handle(issued.backendRef, issued.alias);
    const renewed = await backend.renew(lease, 900);
    assert.deepEqual([renewed.capped, renewed.expiresAt], [false, new Date(clock.now() + 900_000).toISOString()]);
    for (const ms of [800_000, 800_000, 800_000, 600_000]) {
      await pair.vault.advance(ms);
      await clock.advance(ms);
      if (clock.now() - START < 3_000_000) assert.equal((await backend.renew(lease, 900)).capped, false);
    }
    const capped = await backend.renew(lease, 900);
    assert.equal(capped.capped, true);
    assert.equal(capped.expiresAt, new Date(clock.now() + 600_000).toISOString());
    assert.deepEqual(capped.notes, ['TTL of "15m" exceeded the effective max_ttl of "10m"; TTL value is capped accordingly']);
    assert.equal(await backend.vaultKnows(lease), true);
    assert.deepEqual(await backend.revoke(lease), { alreadyGone: false });
    assert.ok(!liveAliases(pair.litellm).includes(issued.alias), '!liveAliases(pair.litellm).includes(issued.alias) is set');
    assert.equal(await backend.vaultKnows(lease), false);
    await assert.rejects(backend.renew(lease, 60), (e: KeyfobError) => e.kind === 'not-found');
  });

  test('roles come from Vault, read-only', async () => {
    const { backend } = await connect();
    assert.equal(backend.roles.readOnlyReason, VAULT_ROLES_READ_ONLY);
    assert.equal(VAULT_ROLES_READ_ONLY, 'roles are defined in Vault: ask your platform team');
    const roles = await backend.roles.list();
    assert.deepEqual(roles.map((r) => r.name), ['dev', 'fixed']);
    assert.deepEqual(roles[0], { ...testRole('dev'), models: ['gpt-4o'], max_budget: 5, metadata: { team: 'platform' } });
    await assert.rejects(backend.roles.get('ghost'), (e: KeyfobError) => e.kind === 'role-not-found');
  });

  test('errors say what to do: denied (path and capability), sealed, unknown mount, quota, dead session', async () => {
    const { backend, cred } = await connect(['default']);
    await assert.rejects(backend.issue(request()), (e: KeyfobError) => {
      assert.equal(e.kind, 'admin-key-rejected');
      assert.match(e.message, /auth\/token\/create/);
      assert.match(e.message, /lacks "update"/);
      return true;
    });
    const dev = await connect();
    pair.vault.deniedPaths.add('litellm/creds/');
    await assert.rejects(dev.backend.issue(request()), (e: KeyfobError) => /lacks "read" on "litellm\/creds\/dev"/.test(e.message) && /platform team/.test(e.hint ?? ''));
    pair.vault.deniedPaths.clear();
    pair.vault.sealed = true;
    await assert.rejects(dev.backend.roles.list(), (e: KeyfobError) => /is sealed/.test(e.message) && /unseal/.test(e.hint ?? ''));
    pair.vault.sealed = false;
    // A policy-less path is a 403 before routing, as in Vault; a token allowed everywhere sees the 404.
    const root = await VaultTokenCredential.signInWithToken(connectOptions(pair), pair.vault.rootToken, keychainStore(), dev.clock);
    const wrongMount = new VaultKeyBackend({ client: root.client, mount: 'nomount', clock: dev.clock });
    await assert.rejects(wrongMount.roles.get('dev'), (e: KeyfobError) => e.kind === 'role-not-found');
    await assert.rejects(root.client.read('nomount/creds/dev'), (e: KeyfobError) => /unknown path, role or mount/.test(e.message) && /--mount/.test(e.hint ?? ''));
    pair.vault.faults.push({ path: 'litellm/roles', status: 429, errors: ['request path "litellm/roles": rate limit quota exceeded'], count: 1 });
    await assert.rejects(dev.backend.roles.list(), (e: KeyfobError) => /quota/.test(e.message) && e.status === 429);
    await pair.vault.revokeToken(dev.token);
    await assert.rejects(dev.backend.roles.list(), (e: KeyfobError) => /no longer accepts your sign-in/.test(e.message) && /Sign in again/.test(e.hint ?? ''));
    assert.ok(cred, 'cred is set');
  });

  test('the token\'s expiry takes its keys; the next request asks to sign in again', async () => {
    const { backend } = await connect(['keyfob-developer'], 900, 900);
    const issued = await backend.issue(request());
    assert.ok(liveAliases(pair.litellm).includes(issued.alias), 'liveAliases(pair.litellm).includes(issued.alias) is set');
    await pair.vault.advance(900_000);
    assert.ok(!liveAliases(pair.litellm).includes(issued.alias), 'the parent token ended: its child and its lease with it');
    await assert.rejects(backend.renew(handle(issued.backendRef), 60), (e: KeyfobError) => e.kind === 'admin-key-rejected');
  });

  test('crash clean-up: a key left by an interrupted issue is gone after cleanUpInterrupted (revoke by accessor)', async () => {
    const { backend, clock } = await connect();
    const refs: string[] = [];
    // The crash: the creds reply (the only carrier of the lease id) is lost; the ledger holds only the accessor.
    const lost = await backend.issue(request('dev', refs));
    assert.ok(liveAliases(pair.litellm).includes(lost.alias), 'liveAliases(pair.litellm).includes(lost.alias) is set');
    const interrupted = handle(refs[0] ?? null);
    // While the creds read may still run, revoking its token could leave a lease registered afterwards: not yet.
    assert.deepEqual(await backend.cleanUpInterrupted(interrupted), { found: false });
    assert.ok(liveAliases(pair.litellm).includes(lost.alias), 'untouched before the read has surely ended');
    await clock.advance(10_001);
    assert.deepEqual(await backend.cleanUpInterrupted(interrupted), { found: true });
    assert.ok(!liveAliases(pair.litellm).includes(lost.alias), 'the key is gone on LiteLLM');
    assert.deepEqual(await backend.cleanUpInterrupted(interrupted), { found: false }, 'again: the token is gone');
    assert.deepEqual(await backend.cleanUpInterrupted(handle(null)), { found: false }, 'nothing written ahead: nothing sent');
    const finished = await backend.issue(request());
    assert.deepEqual(await backend.cleanUpInterrupted(handle(finished.backendRef)), { found: true });
    assert.ok(!liveAliases(pair.litellm).includes(finished.alias), '!liveAliases(pair.litellm).includes(finished.alias) is set');
  });

  test('requests: issue 1 on the critical path (+1 pre-mint after), renew 1, revoke 1', async () => {
    const { backend } = await connect();
    await backend.prepare();
    const before = pair.vault.requestLog.length;
    const issued = await backend.issue(request());
    assert.deepEqual(pair.vault.requestLog.slice(before).map((r) => r.path), ['litellm/creds/dev'], 'the pre-minted child token reads at once');
    await backend.prepare();
    assert.deepEqual(pair.vault.requestLog.slice(before).map((r) => r.path), ['litellm/creds/dev', 'auth/token/create'], 'the next one is minted after');
    const lease = handle(issued.backendRef);
    let mark = pair.vault.requestLog.length;
    await backend.renew(lease, 300);
    assert.equal(pair.vault.requestLog.length - mark, 1);
    mark = pair.vault.requestLog.length;
    await backend.revoke(lease);
    assert.equal(pair.vault.requestLog.length - mark, 1);
  });

  test('secrets scan: no Vault token or key in any file the flow writes, nor in the simulator\'s request log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-vault-scan-'));
    try {
      const { backend, token, cred } = await connect();
      const issued = await backend.issue(request());
      const failures: string[] = [];
      pair.vault.sealed = true;
      await backend.renew(handle(issued.backendRef), 60).catch((e: KeyfobError) => failures.push(JSON.stringify(e.toJSON())));
      pair.vault.sealed = false;
      fs.writeFileSync(path.join(dir, 'errors.json'), failures.join('\n'));
      fs.writeFileSync(path.join(dir, 'requests.json'), JSON.stringify(pair.vault.requestLog));
      fs.writeFileSync(path.join(dir, 'caller.json'), JSON.stringify(await backend.describeCaller()));
      assert.deepEqual(scanTree(dir, [token, issued.key]), []);
      assert.ok(fs.readFileSync(path.join(dir, 'errors.json'), 'utf8').includes('sealed'), 'the scan looked at a real error');
      await cred.discard();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
