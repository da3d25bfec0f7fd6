// The Vault paths the simulator serves, after namespace resolution, authentication and the policy check.
import type { VaultSimulator } from './vault-simulator.js';
import type { TokenRecord } from './tokens.js';
import { badRequest, emptyNotFound, envelope, multierror, noRoute, parseIncrement, unsupportedOperation, VaultHttpError } from './wire.js';
import type { VaultReply } from './wire.js';

export type Operation = 'read' | 'list' | 'update' | 'delete';

export interface VaultRequest {
  op: Operation;
  /** Relative to the namespace, without `/v1/`. */
  path: string;
  namespace: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  token: TokenRecord | null;
}

/** Paths a caller reaches without a token. */
export function isLoginPath(path: string): boolean {
  return /^auth\/userpass\/login\/[^/]+$/.test(path) || path === 'auth/oidc/oidc/auth_url' || path === 'auth/oidc/oidc/callback';
}

const ok = (body: Record<string, unknown>): VaultReply => ({ status: 200, body });
const noContent = (): VaultReply => ({ status: 204 });

function str(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export async function route(sim: VaultSimulator, req: VaultRequest): Promise<VaultReply> {
  const { op, path, body } = req;
  const write = op === 'update';
  const leaseOp = /^sys\/leases\/(renew|revoke|lookup)(?:\/(.+))?$/.exec(path);
  if (leaseOp) {
    if (!write) return unsupportedOperationReply();
    const leaseId = leaseOp[2] ?? str(body, 'lease_id');
    if (!leaseId) throw badRequest('lease_id must be specified');
    return leaseCall(sim, leaseOp[1] as 'renew' | 'revoke' | 'lookup', leaseId, body);
  }
  if (path.startsWith('auth/')) return authRoute(sim, req);
  const mount = sim.engineFor(req.namespace, path);
  if (!mount) throw noRoute(path);
  const rest = path.slice(mount.prefix.length + 1);
  if (rest === 'roles' || rest === 'roles/') {
    if (op !== 'list') throw unsupportedOperation();
    const keys = mount.engine.roleNames();
    if (keys.length === 0) throw emptyNotFound();
    return ok(envelope({ data: { keys } }));
  }
  const roleRead = /^roles\/([^/]+)$/.exec(rest);
  if (roleRead && op === 'read') {
    const data = mount.engine.roleJson(roleRead[1] ?? '');
    if (!data) throw emptyNotFound();
    return ok(envelope({ data }));
  }
  const creds = /^creds\/([^/]+)$/.exec(rest);
  if (creds && (op === 'read' || op === 'update')) {
    if (!req.token) throw new VaultHttpError(403, [multierror('permission denied')]);
    const issued = await mount.engine.issue(creds[1] ?? '');
    const lease = sim.leases.register({
      path: `${mount.prefix}/creds/${(creds[1] ?? '').toLowerCase()}`, renewable: issued.renewable, tokenId: req.token.id,
      engine: mount.engine, secret: issued.internal, namespace: req.namespace, ttl: issued.ttl, maxTtl: issued.maxTtl,
      nsId: sim.namespaceId(req.namespace),
    });
    return ok(envelope({ lease_id: lease.id, renewable: lease.renewable, lease_duration: issued.ttl, data: issued.data }));
  }
  throw new VaultHttpError(404, [multierror('unsupported path')]);
}

function unsupportedOperationReply(): VaultReply {
  return unsupportedOperation().toReply();
}

async function leaseCall(sim: VaultSimulator, call: 'renew' | 'revoke' | 'lookup', leaseId: string, body: Record<string, unknown>): Promise<VaultReply> {
  if (call === 'renew') {
    const { lease, ttl, warnings } = await sim.leases.renew(leaseId, parseIncrement(body.increment));
    return ok(envelope({ lease_id: lease.id, renewable: lease.renewable, lease_duration: ttl, warnings }));
  }
  if (call === 'revoke') {
    await sim.leases.revoke(leaseId);
    return noContent();
  }
  const lease = sim.leases.get(leaseId);
  if (!lease) throw badRequest('invalid lease');
  return ok(envelope({ data: sim.leases.lookupData(lease) }));
}

async function authRoute(sim: VaultSimulator, req: VaultRequest): Promise<VaultReply> {
  const { path, body, token } = req;
  const userpass = /^auth\/userpass\/login\/([^/]+)$/.exec(path);
  if (userpass) {
    const name = (userpass[1] ?? '').toLowerCase();
    const user = sim.users.get(name);
    if (!user || user.password !== body.password) throw badRequest('invalid username or password');
    const t = sim.tokens.create({ policies: ['default', ...user.policies], path: `auth/userpass/login/${name}`, displayName: `userpass-${name}`, meta: { username: name }, ttlSeconds: user.ttl, maxTtlSeconds: user.max_ttl, namespace: req.namespace });
    return ok(envelope({ auth: sim.tokens.authBlock(t) }));
  }
  if (path === 'auth/oidc/oidc/auth_url') {
    return ok(envelope({ data: { auth_url: sim.oidc.authUrl(body) } }));
  }
  if (path === 'auth/oidc/oidc/callback') {
    const { role, roleName, user } = sim.oidc.callback(req.query);
    const t = sim.tokens.create({ policies: ['default', ...role.policies], path: 'auth/oidc/oidc/callback', displayName: `oidc-${user}`, meta: { role: roleName, username: user }, ttlSeconds: role.ttl, maxTtlSeconds: role.max_ttl, namespace: req.namespace });
    return ok(envelope({ auth: sim.tokens.authBlock(t) }));
  }
  if (!token) throw new VaultHttpError(403, [multierror('permission denied')]);
  switch (path) {
    case 'auth/token/lookup-self':
      return ok(envelope({ data: sim.tokens.lookupData(token) }));
    case 'auth/token/renew-self': {
      const { warnings } = sim.tokens.renew(token, parseIncrement(body.increment));
      return ok(envelope({ auth: sim.tokens.authBlock(token), warnings }));
    }
    case 'auth/token/revoke-self':
      await sim.revokeToken(token.id);
      return noContent();
    case 'auth/token/create': {
      const policies = Array.isArray(body.policies) ? body.policies.map(String) : token.policies;
      if (!token.policies.includes('root') && !policies.every((p) => token.policies.includes(p))) throw badRequest('child policies must be subset of parent');
      const ttl = parseIncrement(body.ttl) ?? token.creationTtl;
      const child = sim.tokens.create({
        policies, path: 'auth/token/create', displayName: `token${str(body, 'display_name') ? `-${str(body, 'display_name')}` : ''}`,
        meta: (body.meta as Record<string, string> | undefined) ?? null, ttlSeconds: ttl, maxTtlSeconds: parseIncrement(body.explicit_max_ttl) ?? 0,
        parent: body.no_parent === true ? null : token.id, namespace: req.namespace,
      });
      return ok(envelope({ auth: sim.tokens.authBlock(child) }));
    }
    case 'auth/token/revoke-accessor':
    case 'auth/token/lookup-accessor': {
      const accessor = str(body, 'accessor');
      if (!accessor) throw badRequest('missing accessor');
      const target = sim.tokens.byAccessor(accessor);
      if (path.endsWith('lookup-accessor')) {
        if (!target) throw badRequest('invalid accessor');
        return ok(envelope({ data: sim.tokens.lookupData(target, false) }));
      }
      // An unknown accessor (the token already ended) is an error in Vault; a client treats it as done.
      if (!target) throw badRequest('invalid accessor');
      await sim.revokeToken(target.id);
      return noContent();
    }
    default:
      throw noRoute(path);
  }
}
