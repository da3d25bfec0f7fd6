// The assembled core: connecting (verified before anything is stored), probing, roles and settings, and the lazily
// built client that follows an admin-key change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { KeyfobError } from '../../../main/core/errors.js';
import { ADMIN_KEY_BINDING_ACCOUNT, decodeBinding, encodeBinding } from '../../../main/core/keychain/index.js';
import { ADMIN_KEY, harness } from './helpers.js';

test('connect verifies the admin key before storing it or the URL', async () => {
  const h = await harness({ connect: false, start: false });
  try {
    await assert.rejects(h.core.connect({ url: h.sim.url, adminKey: 'sk-wrong' }), (e: KeyfobError) => e.kind === 'admin-key-rejected');
    assert.equal(await h.keychain.get('admin-key'), null, 'a rejected key is never stored');
    assert.equal(h.core.getSettings().litellm_url, null);
    assert.equal((await h.core.connectionStatus()).admin_key_stored, false);
    await assert.rejects(h.core.connect({ url: 'ftp://nowhere', adminKey: ADMIN_KEY }), (e: KeyfobError) => e.kind === 'validation' && e.fields[0]?.field === 'url');
    await assert.rejects(h.core.connect({ url: h.sim.url, adminKey: '  ' }), (e: KeyfobError) => e.kind === 'validation' && e.fields[0]?.field === 'adminKey');

    await h.core.connect({ url: `${h.sim.url}/v1/`, adminKey: ADMIN_KEY });
    // The URL is kept as given (a trailing /v1 may be a path prefix); the form that answered is remembered.
    assert.equal(h.core.getSettings().litellm_url, `${h.sim.url}/v1`, 'normalised');
    assert.equal(h.core.getSettings().litellm_resolved_url, h.sim.url, 'the proxy answered without the /v1');
    await h.core.connect({ url: h.sim.url, adminKey: ADMIN_KEY });
    assert.equal(await h.keychain.get('admin-key'), ADMIN_KEY);
    const status = await h.core.connectionStatus();
    assert.deepEqual({ url: status.url, stored: status.admin_key_stored, session: status.session_only }, { url: h.sim.url, stored: true, session: false });
    assert.ok(!fs.readFileSync(h.settingsStore.path, 'utf8').includes(ADMIN_KEY), 'the admin key is never in the settings file');
    assert.deepEqual(await h.core.listModels(), ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4']);
    assert.equal(h.core.auditLog(1)[0]?.action, 'connect');

    await h.core.forgetAdminKey();
    assert.equal(await h.keychain.get('admin-key'), null);
    await assert.rejects(h.core.listModels(), (e: KeyfobError) => e.kind === 'not-connected' && /keyfob connect/.test(e.message));
  } finally {
    await h.close();
  }
});

test('not connected: issuing says what to do and leaves nothing behind', async () => {
  const h = await harness({ connect: false, start: false });
  try {
    h.core.saveRole({ name: 'dev' });
    await assert.rejects(h.core.leases.issue('dev'), (e: KeyfobError) => e.kind === 'not-connected' && /Run `keyfob connect --url URL`, or open Settings in the Keyfob window/.test(e.message) && /keyfob connect --url URL/.test(e.hint ?? ''));
    assert.equal(h.core.leases.list({ all: true }).length, 0);
    assert.equal(h.sim.requests.length, 0);
  } finally {
    await h.close();
  }
});

test('testConnection reports reachability, the admin key and the database, and never throws for network trouble', async () => {
  const h = await harness();
  try {
    const ok = await h.core.testConnection();
    assert.deepEqual({ ...ok, identity: ok.identity?.role }, { reachable: true, admin_ok: true, db_connected: true, error: null, identity: 'master-key' });
    const wrongKey = await h.core.testConnection({ adminKey: 'sk-nope' });
    assert.equal(wrongKey.reachable, true);
    assert.equal(wrongKey.admin_ok, false);
    assert.equal(wrongKey.error?.kind, 'admin-key-rejected');
    assert.ok(!JSON.stringify(wrongKey).includes('sk-nope'));
    h.sim.databaseConnected = false;
    const noDb = await h.core.testConnection();
    assert.equal(noDb.db_connected, false);
    assert.equal(noDb.error?.kind, 'no-database');
    h.sim.databaseConnected = true;
    const down = await h.core.testConnection({ url: 'http://127.0.0.1:9' });
    assert.equal(down.reachable, false);
    assert.equal(down.error?.kind, 'unreachable');
    const bad = await h.core.testConnection({ url: 'not a url' });
    assert.equal(bad.error?.kind, 'validation');
  } finally {
    await h.close();
  }
});

test('an admin key rotated by another process is picked up from the keychain on the next call', async () => {
  const h = await harness();
  try {
    h.sim.masterKey = 'sk-rotated-admin';
    // `keyfob connect` in another process did this: the binding naming the new key first, then the key
    const binding = decodeBinding(await h.keychain.get(ADMIN_KEY_BINDING_ACCOUNT));
    assert.ok(binding, 'binding is set');
    await h.keychain.set(ADMIN_KEY_BINDING_ACCOUNT, encodeBinding(binding, 'sk-rotated-admin'));
    await h.keychain.set('admin-key', 'sk-rotated-admin');
    const { lease } = await h.core.leases.issue('dev');
    assert.equal(lease.state, 'active');
    assert.equal(h.sim.requests.filter((r) => r.path === '/key/generate').length, 2, 'the rejected call was repeated once with the new key');
  } finally {
    await h.close();
  }
});

test('roles and settings go through validation; the audit log records role changes', async () => {
  const h = await harness({ role: null });
  try {
    assert.throws(() => h.core.saveRole({ name: 'bad name!', ttl: 'soon' }), (e: KeyfobError) => e.kind === 'validation' && e.fields.length >= 2);
    const role = h.core.saveRole({ name: 'Dev', models: ['gpt-4o'], ttl: '15m', max_ttl: '1h' });
    assert.equal(role.name, 'dev');
    assert.equal(role.ttl, 900);
    assert.deepEqual(h.core.listRoles().map((r) => r.name), ['dev']);
    assert.equal(h.core.getRole(' DEV ').name, 'dev');
    assert.throws(() => h.core.getRole('ops'), (e: KeyfobError) => e.kind === 'role-not-found');
    h.core.deleteRole('dev');
    assert.deepEqual(h.core.listRoles(), []);
    assert.deepEqual(h.core.auditLog(2).map((e) => `${e.action}:${e.detail}`), ['role:deleted', 'role:saved']);

    assert.equal(h.core.updateSettings({ idle_threshold_seconds: 300 }).idle_threshold_seconds, 300);
    assert.throws(() => h.core.updateSettings({ clipboard_clear_seconds: -1 }), (e: KeyfobError) => e.kind === 'validation');
    assert.equal(h.core.getSettings().clipboard_clear_seconds, 30);
  } finally {
    await h.close();
  }
});

test('keyInfo reads the lease\'s key on the proxy', async () => {
  const h = await harness();
  try {
    const { lease } = await h.core.leases.issue('dev');
    const info = await h.core.keyInfo(lease.lease_id);
    assert.equal(info.key_alias, lease.key_alias);
    assert.deepEqual(info.models, ['gpt-4o']);
    assert.equal(Date.parse(info.expires as string), Date.parse(lease.expires_at as string));
  } finally {
    await h.close();
  }
});
