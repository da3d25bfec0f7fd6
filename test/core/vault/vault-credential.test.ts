// The Vault token as a credential, against the Vault simulator and the real keychain: each sign-in method (OIDC
// driven by a scripted browser through the IdP), the binding, renew-self capped at the max TTL, the session's end,
// and discard (revoke-self takes the session's leases with it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KeyfobError } from '../../../main/core/errors.js';
import { OIDC_TIMEOUT_MS, VaultKeyBackend, VaultTokenCredential } from '../../../main/core/vault/index.js';
import { liveAliases } from '../../vault-sim/harness.js';
import { connectOptions, fakeClock, keychainStore, removeKeychainServices, scriptedBrowser, startPair } from './vault-support.js';
import type { SimPair } from './vault-support.js';
import { testRole } from './vault-roles.js';
import { holdPort } from '../../support/ports.js';

let pair: SimPair;
before(async () => { pair = await startPair(); });
after(async () => {
  await pair.close();
  await removeKeychainServices();
});

describe('VaultTokenCredential', () => {
  test('token from stdin: checked with lookup-self, kept in the keychain with its binding, loaded only for it', async () => {
    const store = keychainStore();
    const clock = fakeClock();
    const token = pair.vault.createToken(['keyfob-developer'], 1800, 7200);
    const cred = await VaultTokenCredential.signInWithToken(connectOptions(pair), `${token}\n`, store, clock);
    assert.equal(cred.method, 'token');
    assert.equal(cred.endsAt(), new Date(clock.now() + 1800_000).toISOString());
    const stored = JSON.parse((await store.get('vault-token')) ?? '{}') as Record<string, unknown>;
    assert.equal(stored.token, token);
    assert.deepEqual(stored.binding, { backend: 'vault', url: pair.vault.url, ca_file: null, allow_insecure_tls: false, namespace: null });
    assert.ok(await VaultTokenCredential.load(connectOptions(pair), store, clock));
    assert.equal(await VaultTokenCredential.load(connectOptions(pair, 'team-a'), store, clock), null, 'another namespace: not sent');
    assert.equal(await VaultTokenCredential.load({ url: 'http://127.0.0.1:1' }, store, clock), null, 'another URL: not sent');
    await assert.rejects(VaultTokenCredential.signInWithToken(connectOptions(pair), 'hvs.bogus', keychainStore(), clock), (e: KeyfobError) => e.kind === 'admin-key-rejected' && /sign in again/i.test(e.hint ?? ''));
  });

  test('userpass: the token and its end; a wrong password says so, and the password is in no message', async () => {
    const clock = fakeClock();
    const cred = await VaultTokenCredential.signInWithUserpass(connectOptions(pair), 'alice', 'alice-pw', keychainStore(), clock);
    assert.equal(cred.endsAt(), new Date(clock.now() + 3600_000).toISOString());
    const who = await new VaultKeyBackend({ client: cred.client, mount: 'litellm', clock }).describeCaller();
    assert.match(who.summary, /signed in to Vault as alice/);
    await assert.rejects(VaultTokenCredential.signInWithUserpass(connectOptions(pair), 'alice', 'Wrong-Pass-123', keychainStore(), clock), (e: KeyfobError) => {
      assert.equal(e.kind, 'invalid-request');
      assert.match(e.message, /invalid username or password/);
      assert.ok(!JSON.stringify(e.toJSON()).includes('Wrong-Pass-123'));
      return true;
    });
  });

  test('OIDC: client_nonce, the callback on localhost, one callback with the right state, the URL printed', async () => {
    const clock = fakeClock();
    const printed: string[] = [];
    let strayStatus = 0;
    const browsers: Array<Promise<{ status: number; page: string }>> = [];
    const cred = await VaultTokenCredential.signInWithOidc(connectOptions(pair), {
      role: 'keyfob', port: 0, print: (l) => printed.push(l),
      openBrowser: (url) => {
        const u = new URL(url);
        const redirect = new URL(u.searchParams.get('redirect_uri') ?? '');
        assert.equal(redirect.hostname, 'localhost');
        assert.equal(redirect.pathname, '/oidc/callback');
        // A callback with another state is turned away; the real one still goes through.
        browsers.push(fetch(`http://127.0.0.1:${redirect.port}/oidc/callback?state=forged&code=x`).then((r) => {
          strayStatus = r.status;
          return scriptedBrowser(url);
        }));
        return Promise.resolve();
      },
    }, keychainStore(), clock);
    assert.equal(browsers.length, 1, 'the browser was opened once');
    const page = await browsers[0]!;
    assert.equal(page.status, 200);
    assert.match(page.page, /Signed in to Vault/);
    assert.equal(strayStatus, 400);
    assert.equal(cred.method, 'oidc');
    assert.ok(printed.some((l) => l.includes('/idp/authorize?')), 'the URL is printed too');
    const lookup = await cred.client.read('auth/token/lookup-self');
    assert.deepEqual((lookup?.data as { meta: unknown }).meta, { role: 'keyfob', username: 'alice' });
  });

  test('OIDC: 2 minutes on the injected clock; a redirect URI the role does not allow is explained', async () => {
    const clock = fakeClock();
    await assert.rejects(VaultTokenCredential.signInWithOidc(connectOptions(pair), {
      role: 'keyfob', port: 0, print: () => undefined, openBrowser: () => clock.advance(OIDC_TIMEOUT_MS),
    }, keychainStore(), clock), (e: KeyfobError) => e.kind === 'timeout' && /waiting for response from provider/i.test(e.message));
    pair.vault.addOidcRole('strict', { allowed_redirect_uris: ['https://vault.example/ui/vault/auth/oidc/oidc/callback'] });
    await assert.rejects(VaultTokenCredential.signInWithOidc(connectOptions(pair), {
      role: 'strict', port: 0, print: () => undefined, openBrowser: () => Promise.resolve(),
    }, keychainStore(), clock), (e: KeyfobError) => /Unable to authorize role "strict"/.test(e.message) && /allowed_redirect_uris/.test(e.hint ?? ''));
  });

  // The timeout is only a safety net: without the fix, the refused sign-in would wait for ever on the fake clock.
  test('OIDC: a page the opener refuses ends the sign-in at once; a browser that fails to start does not', { timeout: 60_000 }, async () => {
    const clock = fakeClock();
    await assert.rejects(VaultTokenCredential.signInWithOidc(connectOptions(pair), {
      role: 'keyfob', port: 0, print: () => undefined,
      openBrowser: () => Promise.reject(new KeyfobError('validation', "Vault's sign-in page is not an http(s) address; Keyfob did not open it.")),
    }, keychainStore(), clock), (e: KeyfobError) => e.kind === 'validation' && /did not open it/.test(e.message));
    // No browser at all (the CLI on a server): the person opens the printed URL elsewhere, and the sign-in completes.
    const visits: Array<Promise<{ status: number; page: string }>> = [];
    const cred = await VaultTokenCredential.signInWithOidc(connectOptions(pair), {
      role: 'keyfob', port: 0,
      print: (line) => {
        const printedUrl = /visit:\s+(\S+)/.exec(line)?.[1];
        if (printedUrl) visits.push(scriptedBrowser(printedUrl));
      },
      openBrowser: () => Promise.reject(new Error('spawn xdg-open ENOENT')),
    }, keychainStore(), clock);
    assert.equal(cred.method, 'oidc');
    assert.equal(visits.length, 1, 'the URL was printed once');
    assert.equal((await visits[0]!).status, 200);
  });

  test('OIDC: a callback port another program holds is named as the port\'s problem, with what to do; Vault is not asked', async () => {
    const { port, release } = await holdPort();
    const before = pair.vault.requestsTo('auth/oidc');
    let opened = false;
    try {
      await assert.rejects(VaultTokenCredential.signInWithOidc(connectOptions(pair), {
        role: 'keyfob', port, print: () => undefined, openBrowser: () => { opened = true; return Promise.resolve(); },
      }, keychainStore(), fakeClock()), (e: KeyfobError) => {
        assert.equal(e.kind, 'invalid-request');
        assert.deepEqual(e.fields.map((f) => f.field), ['oidc-port']);
        assert.match(e.fields[0]?.message ?? '', new RegExp(`^is taken: another program listens on localhost:${port}$`));
        assert.match(e.hint ?? '', /--oidc-port in the terminal, "Callback port" in the window/);
        return true;
      });
    } finally {
      await release();
    }
    assert.equal(opened, false, 'no browser was opened');
    assert.equal(pair.vault.requestsTo('auth/oidc'), before, 'Vault was not asked for a sign-in page');
  });

  test('renew-self is capped at the token\'s max TTL and says so; after the end, secret() asks to sign in again', async () => {
    const clock = fakeClock();
    pair.vault.addUser('carol', { password: 'pw', ttl: 600, max_ttl: 900 });
    const cred = await VaultTokenCredential.signInWithUserpass(connectOptions(pair), 'carol', 'pw', keychainStore(), clock);
    await pair.vault.advance(400_000);
    await clock.advance(400_000);
    const renewed = await cred.renew(600);
    assert.equal(renewed.capped, true);
    assert.equal(renewed.endsAt, new Date(clock.now() + 500_000).toISOString());
    await clock.advance(500_000);
    await assert.rejects(cred.secret(), (e: KeyfobError) => e.kind === 'admin-key-rejected' && /sign in again/i.test(e.hint ?? ''));
  });

  test('discard: revoke-self takes the session\'s keys with it, then the keychain entry goes', async () => {
    const clock = fakeClock();
    const store = keychainStore();
    const cred = await VaultTokenCredential.signInWithUserpass(connectOptions(pair), 'alice', 'alice-pw', store, clock);
    const backend = new VaultKeyBackend({ client: cred.client, mount: 'litellm', clock });
    const issued = await backend.issue({ role: testRole('dev'), leaseId: 'l1', alias: 'ignored', ttlSeconds: 600, ledgerId: 'x' });
    assert.ok(liveAliases(pair.litellm).includes(issued.alias), 'liveAliases(pair.litellm).includes(issued.alias) is set');
    await cred.discard();
    assert.ok(!liveAliases(pair.litellm).includes(issued.alias), '!liveAliases(pair.litellm).includes(issued.alias) is set');
    assert.equal(await store.get('vault-token'), null);
  });
});
