// Shared by the Vault core tests: the LiteLLM + Vault simulator pair, a fake clock at the simulators' start, a
// real-keychain store under a unique service (removed afterwards), and a scripted browser that follows the IdP.
import { randomUUID } from 'node:crypto';
import keytar from '@github/keytar';
import { KeytarSecretStore } from '../../../main/core/keychain/secret-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { START, startPair } from '../../vault-sim/harness.js';
import type { SimPair } from '../../vault-sim/harness.js';
import type { VaultConnectOptions } from '../../../main/core/vault/index.js';

export { START, startPair };
export type { SimPair };

const services: string[] = [];

export function keychainStore(): KeytarSecretStore {
  const service = `Keyfob:/test/vault/${randomUUID()}`;
  services.push(service);
  return new KeytarSecretStore({ service, platform: 'linux' });
}

export async function removeKeychainServices(): Promise<void> {
  for (const service of services.splice(0)) {
    for (const { account } of await keytar.findCredentials(service)) await keytar.deletePassword(service, account);
  }
}

export function fakeClock(): FakeClock {
  return new FakeClock(START);
}

export function connectOptions(pair: SimPair, namespace: string | null = null): VaultConnectOptions {
  return { url: pair.vault.url, namespace, timeoutMs: 5000 };
}

/** The browser: opens auth_url, follows the IdP's redirect to the local callback, and reads the page it gets. */
export async function scriptedBrowser(authUrl: string): Promise<{ status: number; page: string }> {
  const idp = await fetch(authUrl, { redirect: 'manual' });
  const back = new URL(idp.headers.get('location') ?? '');
  // The callback listens on 127.0.0.1; `localhost` may resolve to ::1 first in Node's fetch.
  back.hostname = '127.0.0.1';
  const page = await fetch(back);
  return { status: page.status, page: await page.text() };
}
