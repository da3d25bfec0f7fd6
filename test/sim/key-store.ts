// The simulated database: LiteLLM_VerificationToken rows keyed by the SHA-256 of the key. Like the proxy, it never
// stores a plaintext key — it is hashed on the way in and only the generate answer ever carries it.
import { createHash, randomBytes } from 'node:crypto';
import { isoPlain } from './time-format.js';
import type { SimKey } from './types.js';

export interface KeyRecord {
  token: string;
  key_name: string;
  key_alias: string | null;
  spend: number;
  max_budget: number | null;
  /** Epoch microseconds, or null for "never expires". */
  expiresUs: number | null;
  models: string[];
  metadata: Record<string, unknown>;
  /** null until someone sets it (the proxy's info shows null; it means false). */
  blocked: boolean | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_parallel_requests: number | null;
  budget_duration: string | null;
  budgetResetAtUs: number | null;
  team_id: string | null;
  user_id: string | null;
  aliases: Record<string, unknown>;
  config: Record<string, unknown>;
  permissions: Record<string, unknown>;
  allowed_cache_controls: unknown[];
  budget_id: string | null;
  createdAtUs: number;
  updatedAtUs: number;
  created_by: string | null;
  updated_by: string | null;
}

/** `"sk-" + secrets.token_urlsafe(16)`: 22 URL-safe characters. */
export function newPlaintextKey(): string {
  return `sk-${randomBytes(16).toString('base64url')}`;
}

export function hashKey(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

/** The proxy accepts a plaintext key or its hash wherever a key is named; only `sk-` values get hashed. */
export function tokenOf(keyOrToken: string): string {
  return keyOrToken.startsWith('sk-') ? hashKey(keyOrToken) : keyOrToken;
}

/** `abbreviate_api_key`: `sk-...` + the last four characters. */
export function keyName(plaintext: string): string {
  return `sk-...${plaintext.slice(-4)}`;
}

export class KeyStore {
  private readonly rows = new Map<string, KeyRecord>();

  insert(row: KeyRecord): void {
    this.rows.set(row.token, row);
  }

  find(keyOrToken: string): KeyRecord | undefined {
    return this.rows.get(tokenOf(keyOrToken));
  }

  findByAlias(alias: string): KeyRecord[] {
    return [...this.rows.values()].filter((row) => row.key_alias === alias);
  }

  delete(token: string): boolean {
    return this.rows.delete(token);
  }

  all(): KeyRecord[] {
    return [...this.rows.values()];
  }
}

export function isExpired(row: KeyRecord, nowMs: number): boolean {
  return row.expiresUs !== null && Math.floor(row.expiresUs / 1000) <= nowMs;
}

/** The programmatic view of a row: deep copies, plain ISO datetimes, `blocked` as a boolean. */
export function toSimKey(row: KeyRecord): SimKey {
  return structuredClone({
    token: row.token,
    key_name: row.key_name,
    key_alias: row.key_alias,
    expires: row.expiresUs === null ? null : isoPlain(row.expiresUs),
    models: row.models,
    max_budget: row.max_budget,
    spend: row.spend,
    blocked: row.blocked === true,
    metadata: row.metadata,
    created_at: isoPlain(row.createdAtUs),
    updated_at: isoPlain(row.updatedAtUs),
    created_by: row.created_by,
    updated_by: row.updated_by,
    user_id: row.user_id,
    team_id: row.team_id,
    tpm_limit: row.tpm_limit,
    rpm_limit: row.rpm_limit,
    max_parallel_requests: row.max_parallel_requests,
    budget_duration: row.budget_duration,
    budget_reset_at: row.budgetResetAtUs === null ? null : isoPlain(row.budgetResetAtUs),
    aliases: row.aliases,
    config: row.config,
    permissions: row.permissions,
    allowed_cache_controls: row.allowed_cache_controls,
    budget_id: row.budget_id,
  });
}
