// The "done when": after storing an admin key in the keychain and issuing keys through the client (with
// the settings store in a temporary state directory), nothing under the state directory holds a key.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import keytar from '@github/keytar';
import { KeyfobError } from '../../main/core/errors.js';
import { LiteLLMClient } from '../../main/core/litellm/litellm-client.js';
import { keychainServiceFor } from '../../main/core/settings/paths.js';
import { validateRole } from '../../main/core/roles/roles.js';
import { leaseAccount } from '../../main/core/keychain/secret-accounts.js';
import { KeytarSecretStore } from '../../main/core/keychain/secret-store.js';
import { openSettingsStore } from '../../main/core/settings/settings-store.js';
import { resolveTTLs } from '../../main/core/roles/ttl.js';
import { toLiteLLMDuration } from '../../main/core/roles/durations.js';
import { startSimulator, type Simulator } from '../sim/index.js';

const ADMIN_KEY = `sk-admin-${randomUUID()}`;
let sim: Simulator;
let stateDir: string;
let service: string;

before(async () => {
  sim = await startSimulator({ masterKey: ADMIN_KEY });
  stateDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-nokey-')), 'state');
  service = keychainServiceFor(stateDir);
});
after(async () => {
  await sim.close();
  for (const account of ['admin-key']) await keytar.deletePassword(service, account).catch(() => false);
});

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

test('nothing under the state directory holds the admin key or any sk- material', async () => {
  const settingsStore = openSettingsStore({ stateDir });
  const secrets = new KeytarSecretStore({ service });
  assert.notEqual(service, 'Keyfob', 'a temporary state directory never shares the default keychain service');

  // Connect: the URL goes to the settings file, the admin key to the keychain.
  await secrets.set('admin-key', ADMIN_KEY);
  settingsStore.update((c) => ({
    ...c,
    settings: { ...c.settings, litellm_url: `${sim.url}/v1/` },
    roles: { dev: validateRole({ name: 'dev', ttl: '15m', max_ttl: '1h', models: ['gpt-4o'], metadata: { owner: 'test' } }) },
  }));

  // Issue, renew, inspect and revoke through the client, keeping every key in the keychain only.
  const config = settingsStore.read();
  const adminKey = await secrets.get('admin-key');
  assert.equal(adminKey, ADMIN_KEY);
  const client = new LiteLLMClient({ baseUrl: config.settings.litellm_url!, adminKey: adminKey! }, {});
  await client.verifyAdmin();
  const role = config.roles.dev!;
  const { ttl } = resolveTTLs(role, config.settings);
  const issued: string[] = [];
  const leaseIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const leaseId = randomUUID();
    const generated = await client.generateKey({
      models: role.models, key_alias: `${role.key_alias_prefix}-${role.name}-${leaseId.slice(0, 8)}`,
      metadata: { ...role.metadata, keyfob_lease_id: leaseId }, duration: toLiteLLMDuration(ttl),
    });
    await secrets.set(leaseAccount(leaseId), generated.key);
    issued.push(generated.key);
    leaseIds.push(leaseId);
    await client.renewKey(generated.token, 600);
    await client.keyInfo(generated.key);
  }
  await client.deleteKeys({ keys: [issued[0]!] });
  // An error path too: its message must not carry keys either (and it is not written anywhere).
  sim.masterKey = 'sk-rotated-elsewhere';
  await assert.rejects(client.verifyAdmin(), (e: unknown) => e instanceof KeyfobError && !e.message.includes(ADMIN_KEY));
  sim.masterKey = ADMIN_KEY;
  settingsStore.update((c) => ({ ...c, settings: { ...c.settings, notifications: false } }));

  // The keys are in the keychain …
  for (const [i, leaseId] of leaseIds.entries()) assert.equal(await secrets.get(leaseAccount(leaseId)), issued[i]);
  // … and nowhere under the state directory.
  const files = filesUnder(stateDir);
  assert.ok(files.some((f) => f.endsWith('config.json')), 'the settings file exists');
  for (const file of files) {
    const content = fs.readFileSync(file, 'utf8');
    assert.ok(!content.includes(ADMIN_KEY), `${file} holds the admin key`);
    for (const key of issued) assert.ok(!content.includes(key), `${file} holds an issued key`);
    assert.doesNotMatch(content, /sk-[A-Za-z0-9_-]{4,}/, `${file} holds sk- material`);
  }

  for (const leaseId of leaseIds) await secrets.delete(leaseAccount(leaseId));
  await secrets.delete('admin-key');
});
