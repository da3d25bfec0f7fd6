// The keychain probe under concurrency (real gnome-keyring): the app and several CLI commands may probe the same
// service at the same moment — on Linux every read that finds nothing probes — and none of them may fail because
// another one's test entry got in its way. Each probe uses an account of its own, `keyfob-probe-<uuid>`, and that
// form is accepted for the probe only: the SecretStore port keeps its closed set.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import keytar from '@github/keytar';
import type { KeyfobError } from '../../../main/core/errors.js';
import type { SecretAccount } from '../../../main/core/ports.js';
import { assertProbeAccount, isProbeAccount, isSecretAccount, newProbeAccount } from '../../../main/core/keychain/secret-accounts.js';
import { KeytarSecretStore } from '../../../main/core/keychain/secret-store.js';

const services: string[] = [];
function uniqueService(): string {
  const service = `Keyfob:/test/keychain-probe/${randomUUID()}`;
  services.push(service);
  return service;
}

after(async () => {
  for (const service of services) {
    for (const { account } of await keytar.findCredentials(service)) await keytar.deletePassword(service, account);
  }
});

/** Separate store instances, as separate processes have: nothing is shared between their probes. */
function stores(service: string, count: number): KeytarSecretStore[] {
  return Array.from({ length: count }, () => new KeytarSecretStore({ service, platform: 'linux' }));
}

test('many probes of one service at once all succeed and leave no entry behind', async () => {
  const service = uniqueService();
  for (let round = 0; round < 3; round++) {
    const results = await Promise.allSettled(stores(service, 8).map((s) => s.probe()));
    const failures = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(failures, [], `round ${round}`);
  }
  assert.deepEqual(await keytar.findCredentials(service), [], 'every probe removed its entry');
});

test('concurrent reads of a missing admin key (CLI commands on a home without one) all answer null', async () => {
  const service = uniqueService();
  const answers = await Promise.all(stores(service, 8).flatMap((s) => [s.get('admin-key'), s.delete('admin-key')]));
  assert.deepEqual(answers, Array.from({ length: 8 }, () => [null, false]).flat());
  assert.deepEqual(await keytar.findCredentials(service), []);
});

test('two processes probing the same service at once both succeed', async () => {
  const service = uniqueService();
  const storeModule = new URL('../../../main/core/keychain/secret-store.ts', import.meta.url).href;
  const script = `
    const { KeytarSecretStore } = await import(${JSON.stringify(storeModule)});
    const probes = Array.from({ length: 6 }, () => new KeytarSecretStore({ service: process.argv[1], platform: 'linux' }).probe());
    const failed = (await Promise.allSettled(probes)).filter((r) => r.status === 'rejected');
    process.stdout.write(String(failed.length));
  `;
  const run = (): Promise<string> => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, service], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.on('error', reject);
    // 'close', not 'exit': `out` is complete only once stdout has drained.
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`probe process exited with ${code}`))));
  });
  assert.deepEqual(await Promise.all([run(), run()]), ['0', '0'], 'failed probes per process');
  assert.deepEqual(await keytar.findCredentials(service), []);
});

test('probe accounts: exactly keyfob-probe-<uuid>, fresh each time, and never through the SecretStore port', async () => {
  const a = newProbeAccount();
  const b = newProbeAccount();
  assert.notEqual(a, b);
  assert.match(a, /^keyfob-probe-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(isProbeAccount(a), true);
  for (const bad of ['keyfob-probe', 'keyfob-probe-', 'keyfob-probe-x', `keyfob-probe-${randomUUID().toUpperCase()}`, `keyfob-probe-${randomUUID()}-x`, 'admin-key', `lease:${randomUUID()}`]) {
    assert.equal(isProbeAccount(bad), false, bad);
    assert.throws(() => assertProbeAccount(bad), (e: KeyfobError) => e.kind === 'internal');
  }
  assert.equal(isSecretAccount(a), false, 'the closed set is unchanged');
  const store = new KeytarSecretStore({ service: uniqueService() });
  await assert.rejects(store.get(a as SecretAccount), (e: KeyfobError) => e.kind === 'internal');
  await assert.rejects(store.set(a as SecretAccount, 'x'), (e: KeyfobError) => e.kind === 'internal');
  await assert.rejects(store.delete(a as SecretAccount), (e: KeyfobError) => e.kind === 'internal');
});
