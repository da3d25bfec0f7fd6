// KeytarSecretStore against the real gnome-keyring of the test session (each test its own service, cleaned up),
// the session-only store, the closed account set, and the mapping of keychain messages to error kinds.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import keytar from '@github/keytar';
import { KeyfobError, type ErrorKind } from '../../../main/core/errors.js';
import { keychainError } from '../../../main/core/keychain/keychain-errors.js';
import type { SecretAccount } from '../../../main/core/ports.js';
import { ADMIN_KEY_ACCOUNT, isSecretAccount, leaseAccount } from '../../../main/core/keychain/secret-accounts.js';
import { KeytarSecretStore, keychainBackendName } from '../../../main/core/keychain/secret-store.js';
import { SESSION_ONLY_BACKEND, SessionSecretStore } from '../../../main/core/keychain/session-secret-store.js';

const services: string[] = [];
function uniqueService(): string {
  const service = `Keyfob:/test/secret-store/${randomUUID()}`;
  services.push(service);
  return service;
}

after(async () => {
  for (const service of services) {
    for (const account of ['admin-key', 'keyfob-probe']) await keytar.deletePassword(service, account).catch(() => false);
  }
});

describe('KeytarSecretStore (real gnome-keyring)', () => {
  test('set, get, delete round trip; delete reports whether something was there', async () => {
    const store = new KeytarSecretStore({ service: uniqueService() });
    assert.equal(await store.get('admin-key'), null);
    await store.set('admin-key', 'sk-admin-roundtrip-1234');
    assert.equal(await store.get('admin-key'), 'sk-admin-roundtrip-1234');
    assert.equal(await store.delete('admin-key'), true);
    assert.equal(await store.get('admin-key'), null);
    assert.equal(await store.delete('admin-key'), false);
  });

  test('set overwrites; lease accounts are separate entries', async () => {
    const store = new KeytarSecretStore({ service: uniqueService() });
    const lease = leaseAccount(randomUUID());
    await store.set('admin-key', 'first');
    await store.set('admin-key', 'second ✓ ünïcode');
    await store.set(lease, 'sk-lease-key-5678');
    assert.equal(await store.get('admin-key'), 'second ✓ ünïcode');
    assert.equal(await store.get(lease), 'sk-lease-key-5678');
    assert.equal(await store.delete(lease), true);
    assert.equal(await store.get('admin-key'), 'second ✓ ünïcode');
    await store.delete('admin-key');
  });

  test('the entry really lives in the keychain under <service>/<account>', async () => {
    const service = uniqueService();
    await new KeytarSecretStore({ service }).set('admin-key', 'sk-visible-to-keytar');
    assert.equal(await keytar.getPassword(service, 'admin-key'), 'sk-visible-to-keytar');
    await keytar.deletePassword(service, 'admin-key');
  });

  test('two services (two state directories) never see each other\'s entries', async () => {
    const a = new KeytarSecretStore({ service: uniqueService() });
    const b = new KeytarSecretStore({ service: uniqueService() });
    await a.set('admin-key', 'sk-from-a');
    assert.equal(await b.get('admin-key'), null);
    await a.delete('admin-key');
  });

  test('probe writes, reads back and removes its entry', async () => {
    const service = uniqueService();
    const store = new KeytarSecretStore({ service });
    await Promise.all([store.probe(), store.probe(), store.probe()]);
    assert.equal(await keytar.getPassword(service, 'keyfob-probe'), null);
  });

  test('backend and flags', () => {
    const store = new KeytarSecretStore({ service: uniqueService() });
    assert.equal(store.sessionOnly, false);
    assert.equal(store.backend, 'Secret Service (gnome-keyring/KWallet via libsecret)');
    assert.equal(keychainBackendName('darwin'), 'macOS Keychain');
    assert.equal(keychainBackendName('win32'), 'Windows Credential Manager');
  });

  test('an empty service name or secret is refused', async () => {
    assert.throws(() => new KeytarSecretStore({ service: '' }), KeyfobError);
    const store = new KeytarSecretStore({ service: uniqueService() });
    await assert.rejects(store.set('admin-key', ''), KeyfobError);
  });

  test('accounts outside the closed set are refused before the keychain is touched', async () => {
    const service = uniqueService();
    const store = new KeytarSecretStore({ service });
    for (const account of ['password', 'lease:', 'lease:not-a-uuid', `lease:${randomUUID().toUpperCase()}`, 'admin-key ', 'keyfob-probe']) {
      await assert.rejects(store.set(account as SecretAccount, 'x'), (e: unknown) => e instanceof KeyfobError && e.kind === 'internal', account);
      await assert.rejects(store.get(account as SecretAccount), KeyfobError);
      await assert.rejects(store.delete(account as SecretAccount), KeyfobError);
      assert.equal(await keytar.getPassword(service, account), null);
    }
  });
});

describe('the closed account set', () => {
  test('admin-key and lease:<uuid> only', () => {
    const id = randomUUID();
    assert.equal(ADMIN_KEY_ACCOUNT, 'admin-key');
    assert.equal(leaseAccount(id), `lease:${id}`);
    assert.equal(isSecretAccount('admin-key'), true);
    assert.equal(isSecretAccount(`lease:${id}`), true);
    for (const bad of ['admin', 'lease:123', `lease:${id}x`, `lease:${id.toUpperCase()}`, 42, null]) assert.equal(isSecretAccount(bad), false, String(bad));
    assert.throws(() => leaseAccount('../../etc'), KeyfobError);
  });
});

describe('SessionSecretStore (explicit, memory only)', () => {
  test('says plainly what it is', () => {
    const store = new SessionSecretStore();
    assert.equal(store.sessionOnly, true);
    assert.equal(store.backend, SESSION_ONLY_BACKEND);
    assert.match(store.backend, /lost when Keyfob quits/);
  });
  test('round trip, per instance, same account rules', async () => {
    const a = new SessionSecretStore();
    const b = new SessionSecretStore();
    await a.set('admin-key', 'sk-session-1');
    assert.equal(await a.get('admin-key'), 'sk-session-1');
    assert.equal(await b.get('admin-key'), null);
    assert.equal(await a.delete('admin-key'), true);
    assert.equal(await a.delete('admin-key'), false);
    await assert.rejects(a.set('other' as SecretAccount, 'x'), KeyfobError);
    await assert.rejects(a.set('admin-key', ''), KeyfobError);
    await a.probe();
  });
});

describe('keychain messages → error kinds', () => {
  const table: Array<[string, ErrorKind, RegExp]> = [
    ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'keychain-unavailable', /install and start gnome-keyring/i],
    ['Could not connect: No such file or directory', 'keychain-unavailable', /gnome-keyring/],
    ['The name org.freedesktop.secrets was not provided by any .service files', 'keychain-unavailable', /install and start gnome-keyring/i],
    ['Object does not exist at path “/org/freedesktop/secrets/collection/login”', 'keychain-unavailable', /Unlock or create your login keyring/],
    ['Cannot create an item in a locked collection', 'keychain-locked', /Unlock your login keyring/],
    ['Cannot get secret of a locked object', 'keychain-locked', /Unlock/],
    ['Prompt dismissed', 'keychain-locked', /Unlock/],
    ['The operation was cancelled', 'keychain-locked', /Unlock/],
    ['GDBus.Error:org.freedesktop.DBus.Error.AccessDenied: Rejected send message', 'keychain-denied', /Allow Keyfob/],
    ['Access is denied.', 'keychain-denied', /Allow Keyfob/],
    ['A specified logon session does not exist. It may already have been terminated.', 'keychain-unavailable', /Windows session/],
    ['Failed to load keytar native addon, checked ["../build/Release"]', 'keychain-unavailable', /libsecret-1-0/],
    ['something nobody expected', 'keychain-unavailable', /session-only storage/],
  ];
  for (const [message, kind, hint] of table) {
    test(`${JSON.stringify(message)} → ${kind}`, () => {
      const e = keychainError(new Error(message), 'linux');
      assert.equal(e.kind, kind);
      assert.match(e.hint ?? '', hint);
      assert.match(e.hint ?? '', /session-only/);
      assert.ok(e.message.includes(message.slice(0, 20)), 'the library message is kept for diagnosis');
    });
  }
  test('macOS wording', () => {
    assert.equal(keychainError(new Error('User interaction is not allowed.'), 'darwin').kind, 'keychain-locked');
    assert.match(keychainError(new Error('User interaction is not allowed.'), 'darwin').hint ?? '', /login keychain/);
    assert.equal(keychainError(new Error('The user name or passphrase you entered is not correct.'), 'darwin').kind, 'keychain-denied');
  });
  test('a key in a library message is redacted', () => {
    assert.doesNotMatch(keychainError(new Error('failed for sk-abcdefghijkl9999'), 'linux').message, /abcdefghijkl/);
  });
});
