// The caller identity is remembered in the state directory, bound to the credential's fingerprint (never the key):
// a new process starts with it, another key ignores it, and a refusal from the proxy forgets it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { IDENTITY_FILE, IdentityCache } from '../../../main/core/connection/index.js';
import { secretFingerprint } from '../../../main/core/keychain/index.js';
import { ADMIN_KEY, harness, tempStateDir } from '../leases/helpers.js';

const WHO = { userId: 'alice', role: 'internal_user' as const, teams: [{ id: 't1', alias: null, memberRole: 'admin' }], keyTeamId: null, summary: 'connected as alice' };

test('the identity file: read back only for the same credential and URL; a damaged file reads as unknown', () => {
  const dir = tempStateDir();
  const cache = new IdentityCache(dir);
  cache.write(secretFingerprint('sk-alice'), 'http://proxy', WHO);
  assert.deepEqual(cache.read(secretFingerprint('sk-alice'), 'http://proxy'), WHO);
  assert.equal(cache.read(secretFingerprint('sk-bob'), 'http://proxy'), null, 'another credential');
  assert.equal(cache.read(secretFingerprint('sk-alice'), 'http://elsewhere'), null, 'another URL');
  assert.ok(!fs.readFileSync(path.join(dir, IDENTITY_FILE), 'utf8').includes('sk-alice'), 'never the key');
  fs.writeFileSync(path.join(dir, IDENTITY_FILE), JSON.stringify({ v: 1, credential_sha256: secretFingerprint('sk-alice'), url: 'http://proxy', identity: { ...WHO, role: 'root' } }));
  assert.equal(cache.read(secretFingerprint('sk-alice'), 'http://proxy'), null, 'an unknown role is not believed');
  cache.clear();
  assert.equal(fs.existsSync(path.join(dir, IDENTITY_FILE)), false);
});

test('a new process knows the identity without asking; a refused call forgets it', async () => {
  const h = await harness();
  try {
    const file = path.join(h.stateDir, IDENTITY_FILE);
    assert.ok(fs.existsSync(file), 'connect remembered the identity');
    const later = h.reopen();
    h.sim.clearRequests();
    await later.leases.issue('dev');
    assert.equal(h.requests('/key/info'), 0, 'no identity look-up in the new process');

    h.sim.fault('/v1/models', { kind: 'fail', status: 401, body: JSON.stringify({ error: { message: 'Authentication Error, Invalid proxy server token passed.', type: 'auth_error' } }) });
    await assert.rejects(later.listModels(), { kind: 'admin-key-rejected' });
    assert.equal(fs.existsSync(file), false, 'the refusal forgot the identity: the next process asks again');
    assert.equal(await h.keychain.get('admin-key'), ADMIN_KEY);
  } finally {
    await h.close();
  }
});
