// A Keyfob core in Vault mode against the Vault simulator in front of the LiteLLM simulator, one fake clock for all
// three (the core, Vault, LiteLLM), a unique keychain service per test, and what the Vault suite asserts with.
import { harness, type Harness, type HarnessOptions } from '../core/leases/helpers.js';
import { startPair, type SimPair } from '../vault-sim/harness.js';
import type { VaultConnectInput } from '../../main/core/core-api.js';

export const MIN = 60_000;

export interface VaultHarness extends Harness {
  pair: SimPair;
  /** Signs alice in with userpass (the default), or as `input` says. */
  connectVault(input?: Partial<VaultConnectInput>): ReturnType<Harness['core']['vault']['connect']>;
  /** Leases Vault holds now (all callers). */
  vaultLeases(): string[];
}

export async function vaultHarness(opts: { userTtl?: number; userMaxTtl?: number } & Pick<HarnessOptions, 'secretStore' | 'coreOptions'> = {}): Promise<VaultHarness> {
  const pair = await startPair();
  const h = await harness({
    sim: pair.litellm, connect: false, startTime: pair.litellm.clock.now(),
    ...(opts.secretStore ? { secretStore: opts.secretStore } : {}), ...(opts.coreOptions ? { coreOptions: opts.coreOptions } : {}),
  });
  pair.vault.clock.now = () => h.clock.now();
  h.core.updateSettings({ request_timeout_seconds: 5 });
  // alice's sessions outlive the tests' clock moves unless a test asks for a short one.
  pair.vault.addUser('alice', { password: 'alice-pw', ttl: opts.userTtl ?? 8 * 3600, max_ttl: opts.userMaxTtl ?? 24 * 3600 });
  const close = h.close;
  return Object.assign(h, {
    pair,
    connectVault: (input: Partial<VaultConnectInput> = {}) => h.core.vault.connect({
      url: pair.vault.url, mount: 'litellm', method: 'userpass', username: 'alice', secret: 'alice-pw', proxyUrl: pair.litellm.url, ...input,
    }),
    vaultLeases: () => pair.vault.leases.all().map((l) => l.id),
    close: async () => {
      await close();
      await pair.vault.close();
    },
  });
}
