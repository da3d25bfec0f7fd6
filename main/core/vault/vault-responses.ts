// Reading Vault's replies: the secret reply of `creds/<role>` and of a renewal, the `auth` block of a login or
// renew-self, lookup-self's data and a role. Anything missing or of the wrong type is a server error, not a guess.
import { KeyfobError } from '../errors.js';
import type { Role } from '../types.js';
import type { VaultAnswer } from './vault-client.js';

export interface SecretReply {
  leaseId: string;
  leaseDuration: number;
  renewable: boolean;
  data: Record<string, unknown>;
  warnings: string[];
}

export interface AuthReply {
  clientToken: string;
  accessor: string;
  leaseDuration: number;
  renewable: boolean;
  policies: string[];
  metadata: Record<string, string>;
  warnings: string[];
}

function malformed(what: string): KeyfobError {
  return new KeyfobError('server-error', `Vault sent a ${what} Keyfob cannot read.`, { hint: 'Check that the URL points at Vault or OpenBao with the LiteLLM engine.' });
}

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function readSecretReply(answer: VaultAnswer, what: string): SecretReply {
  const a = obj(answer);
  if (!a || typeof a.lease_id !== 'string' || typeof a.lease_duration !== 'number') throw malformed(what);
  return { leaseId: a.lease_id, leaseDuration: a.lease_duration, renewable: a.renewable === true, data: obj(a.data) ?? {}, warnings: strings(a.warnings) };
}

export function readAuthReply(answer: VaultAnswer): AuthReply {
  const a = obj(answer);
  const auth = obj(a?.auth);
  if (!auth || typeof auth.client_token !== 'string' || typeof auth.lease_duration !== 'number') throw malformed('login answer');
  const meta = obj(auth.metadata) ?? {};
  return {
    clientToken: auth.client_token, accessor: typeof auth.accessor === 'string' ? auth.accessor : '', leaseDuration: auth.lease_duration,
    renewable: auth.renewable === true, policies: strings(auth.policies),
    metadata: Object.fromEntries(Object.entries(meta).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
    warnings: strings(a?.warnings),
  };
}

export interface TokenLookup {
  accessor: string;
  displayName: string;
  policies: string[];
  /** Seconds left; 0 with expireTime null = never ends (root). */
  ttl: number;
  expireTime: string | null;
  renewable: boolean;
  meta: Record<string, string>;
}

export function readTokenLookup(answer: VaultAnswer): TokenLookup {
  const d = obj(obj(answer)?.data);
  if (!d || typeof d.ttl !== 'number') throw malformed('token lookup');
  const meta = obj(d.meta) ?? {};
  return {
    accessor: typeof d.accessor === 'string' ? d.accessor : '', displayName: typeof d.display_name === 'string' ? d.display_name : '',
    policies: strings(d.policies), ttl: d.ttl, expireTime: typeof d.expire_time === 'string' ? d.expire_time : null, renewable: d.renewable === true,
    meta: Object.fromEntries(Object.entries(meta).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
  };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}

/** A Vault role as a Keyfob role: what the engine defines, nothing Keyfob adds (no TPM/RPM, no team). */
export function readRole(name: string, answer: VaultAnswer): Role {
  const d = obj(obj(answer)?.data);
  if (!d) throw malformed(`role ${name}`);
  const meta = obj(d.metadata) ?? {};
  return {
    name, models: strings(d.models), max_budget: num(d.max_budget), budget_duration: null, tpm_limit: null, rpm_limit: null,
    max_parallel_requests: null, team_id: null, user_id: null, key_alias_prefix: typeof d.key_alias_prefix === 'string' ? d.key_alias_prefix : '',
    metadata: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)])), ttl: Math.floor(num(d.ttl)), max_ttl: Math.floor(num(d.max_ttl)),
  };
}
