// A LiteLLM simulator with a Vault simulator in front of it, as the Vault tests use them: a `dev` role (600 s, max
// 3600 s), a `fixed` role with no TTL, the user alice (keyfob-developer), the OIDC role `keyfob`, and raw HTTP helpers.
import { startSimulator } from '../sim/index.js';
import type { Simulator } from '../sim/index.js';
import { VaultSimulator } from './vault-simulator.js';
import type { VaultSimOptions } from './vault-simulator.js';

export const START = Date.parse('2026-03-01T09:00:00Z');

export interface SimPair {
  litellm: Simulator;
  vault: VaultSimulator;
  close(): Promise<void>;
}

export async function startPair(opts: Partial<VaultSimOptions> = {}): Promise<SimPair> {
  const litellm = await startSimulator({ startTime: START });
  const vault = await VaultSimulator.start({
    litellmUrl: litellm.url, startMs: START, namespaces: ['team-a'],
    roles: {
      dev: { models: ['gpt-4o'], max_budget: 5, ttl: 600, max_ttl: 3600, key_alias_prefix: 'acme', metadata: { team: 'platform' } },
      fixed: { models: [], max_budget: 0, ttl: 0, max_ttl: 0, key_alias_prefix: 'acme', metadata: {} },
    },
    ...opts,
  });
  vault.addUser('alice', { password: 'alice-pw' });
  vault.addOidcRole('keyfob', {});
  return { litellm, vault, close: async () => { await vault.close(); await litellm.close(); } };
}

export interface RawReply {
  status: number;
  contentType: string | null;
  text: string;
  json: Record<string, unknown> | null;
}

export async function vaultCall(vault: VaultSimulator, method: string, path: string, opts: { token?: string | null; body?: unknown; namespace?: string } = {}): Promise<RawReply> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? vault.rootToken : opts.token;
  if (token) headers['X-Vault-Token'] = token;
  if (opts.namespace) headers['X-Vault-Namespace'] = opts.namespace;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${vault.url}/v1/${path}`, { method, headers, ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }), redirect: 'manual' });
  const text = await response.text();
  let json: Record<string, unknown> | null;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    json = null;
  }
  return { status: response.status, contentType: response.headers.get('content-type'), text, json };
}

export function data(reply: RawReply): Record<string, unknown> {
  return (reply.json?.data ?? {}) as Record<string, unknown>;
}

export function auth(reply: RawReply): Record<string, unknown> {
  return (reply.json?.auth ?? {}) as Record<string, unknown>;
}

/** Aliases of the keys live on the LiteLLM simulator. */
export function liveAliases(litellm: Simulator): string[] {
  return litellm.liveKeys().map((k) => k.key_alias ?? '').sort();
}

export async function userpassToken(vault: VaultSimulator, user = 'alice', password = 'alice-pw'): Promise<string> {
  const reply = await vaultCall(vault, 'POST', `auth/userpass/login/${user}`, { token: null, body: { password } });
  return String(auth(reply).client_token);
}
