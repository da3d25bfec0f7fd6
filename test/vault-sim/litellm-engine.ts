// The seed's LiteLLM secrets engine at a mount: roles, and `creds/<role>` issuing a real key on the LiteLLM simulator
// over HTTP (resolveTTLs against the mount's default and max TTL, alias `<prefix>-<role>-<8 chars>`). Renew and revoke
// act on that key as benemon's plugin does: `/key/update` with the granted duration, `/key/delete` by alias (404 = done).
import { randomUUID } from 'node:crypto';
import { badRequest, multierror, VaultHttpError } from './wire.js';

export interface EngineRole {
  models: string[];
  max_budget: number;
  /** Seconds; 0 = the mount's default. */
  ttl: number;
  /** Seconds; 0 = the mount's max. */
  max_ttl: number;
  key_alias_prefix: string;
  metadata: Record<string, string>;
}

export interface MountConfig {
  /** The LiteLLM proxy the engine talks to (the `config` path's url and admin key). */
  litellmUrl: string;
  litellmAdminKey: string;
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  roles: Record<string, EngineRole>;
}

/** What the engine keeps with a lease (Vault's "internal data"): what renew and revoke need. */
export interface EngineSecret {
  key: string;
  key_alias: string;
  role: string;
}

export interface IssuedSecret {
  data: Record<string, unknown>;
  internal: EngineSecret;
  ttl: number;
  maxTtl: number;
  renewable: boolean;
}

const ROLE_NAME = /^\w(([\w.-]+)?\w)?$/;

export function resolveTTLs(role: EngineRole, mount: MountConfig): { ttl: number; maxTtl: number } {
  const maxTtl = role.max_ttl > 0 && role.max_ttl <= mount.maxLeaseTtl ? role.max_ttl : mount.maxLeaseTtl;
  const ttl = Math.min(role.ttl > 0 ? role.ttl : mount.defaultLeaseTtl, maxTtl);
  return { ttl, maxTtl };
}

export class LiteLLMEngine {
  constructor(readonly config: MountConfig) {}

  roleNames(): string[] {
    return Object.keys(this.config.roles).sort();
  }

  /** `roles/<name>` as benemon's pathRoleRead writes it (an empty Go slice reads as null). */
  roleJson(name: string): Record<string, unknown> | null {
    const role = this.config.roles[name.toLowerCase()];
    if (!role) return null;
    return {
      models: role.models.length === 0 ? null : role.models, max_budget: role.max_budget, ttl: role.ttl, max_ttl: role.max_ttl,
      key_alias_prefix: role.key_alias_prefix, metadata: role.metadata,
    };
  }

  async issue(rawName: string): Promise<IssuedSecret> {
    const name = rawName.toLowerCase();
    if (!ROLE_NAME.test(name)) throw new VaultHttpError(404, [multierror('unsupported path')]);
    const role = this.config.roles[name];
    if (!role) throw badRequest(`role "${name}" does not exist`);
    const { ttl, maxTtl } = resolveTTLs(role, this.config);
    const alias = `${role.key_alias_prefix}-${name}-${randomUUID().slice(0, 8)}`;
    const body: Record<string, unknown> = { models: role.models, key_alias: alias, metadata: role.metadata };
    if (role.max_budget > 0) body.max_budget = role.max_budget;
    if (ttl > 0) body.duration = `${ttl}s`;
    const generated = await this.call('/key/generate', body, 'generating litellm key');
    const key = generated.key;
    if (typeof key !== 'string') throw new VaultHttpError(500, [multierror('generating litellm key: no key in the answer')]);
    return {
      data: { key, key_alias: alias, models: role.models.length === 0 ? null : role.models, max_budget: role.max_budget, role: name },
      internal: { key, key_alias: alias, role: name },
      ttl, maxTtl, renewable: ttl > 0,
    };
  }

  /** The role's TTL: what a renewal without an increment asks for. */
  defaultIncrement(secret: EngineSecret): number {
    const role = this.config.roles[secret.role];
    return role ? resolveTTLs(role, this.config).ttl : this.config.defaultLeaseTtl;
  }

  async renew(secret: EngineSecret, seconds: number): Promise<void> {
    await this.call('/key/update', { key: secret.key, duration: `${seconds}s` }, 'updating litellm key');
  }

  async revoke(secret: EngineSecret): Promise<void> {
    await this.call('/key/delete', { key_aliases: [secret.key_alias] }, 'deleting litellm key', true);
  }

  private async call(path: string, body: unknown, what: string, notFoundIsDone = false): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(`${this.config.litellmUrl}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${this.config.litellmAdminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new VaultHttpError(500, [multierror(`${what}: ${(e as Error).message}`)]);
    }
    const text = await response.text();
    if (notFoundIsDone && response.status === 404) return {};
    if (!response.ok) throw new VaultHttpError(500, [multierror(`${what}: status ${response.status}: ${text.slice(0, 200)}`)]);
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
}
