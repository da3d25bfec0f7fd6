// The simulator's own HTTP API under /__vault/, for out-of-process use (a child process under test, a demo):
// seal/unseal, the clock, policies, denied paths, faults (a 429 quota among them), users, the IdP's user, leases.
import type { PolicyRule } from './policies.js';
import type { VaultSimulator } from './vault-simulator.js';
import type { VaultReply } from './wire.js';

const ok = (body: unknown = { ok: true }): VaultReply => ({ status: 200, body });
const bad = (message: string): VaultReply => ({ status: 400, body: { error: message } });

function obj(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

export async function handleVaultControl(sim: VaultSimulator, method: string, action: string, raw: unknown): Promise<VaultReply> {
  const body = obj(raw);
  switch (`${method} ${action}`) {
    case 'POST seal':
      sim.sealed = true;
      return ok();
    case 'POST unseal':
      sim.sealed = false;
      return ok();
    case 'GET clock':
      return ok({ now: sim.clock.now(), iso: new Date(sim.clock.now()).toISOString() });
    case 'POST clock/advance': {
      if (typeof body.ms !== 'number' || body.ms < 0) return bad('body must be {"ms": <number >= 0>}');
      await sim.advance(body.ms);
      return ok({ now: sim.clock.now() });
    }
    case 'POST tick':
      await sim.expireDue();
      return ok();
    case 'PUT policy': {
      if (typeof body.name !== 'string' || !Array.isArray(body.rules)) return bad('body must be {"name": …, "rules": [{path, capabilities}]}');
      sim.policies.set(body.name, body.rules as PolicyRule[]);
      return ok();
    }
    case 'POST deny':
      if (typeof body.path !== 'string') return bad('body must be {"path": <prefix>}');
      sim.deniedPaths.add(body.path);
      return ok();
    case 'POST allow':
      if (typeof body.path !== 'string') return bad('body must be {"path": <prefix>}');
      sim.deniedPaths.delete(body.path);
      return ok();
    case 'POST fault': {
      const { path, status, errors } = body;
      if (typeof path !== 'string' || typeof status !== 'number' || !Array.isArray(errors)) return bad('body must be {"path", "status", "errors": [], "count"?}');
      sim.faults.push({ path, status, errors: errors.map(String), count: typeof body.count === 'number' ? body.count : body.count === 'Infinity' ? Infinity : 1 });
      return ok();
    }
    case 'POST quota': {
      if (typeof body.path !== 'string') return bad('body must be {"path": <prefix>, "count"?}');
      sim.faults.push({ path: body.path, status: 429, errors: [`request path "${body.path}": rate limit quota exceeded`], count: typeof body.count === 'number' ? body.count : 1 });
      return ok();
    }
    case 'DELETE faults':
      sim.faults.length = 0;
      return ok();
    case 'POST user':
      if (typeof body.name !== 'string' || typeof body.password !== 'string') return bad('body must be {"name", "password", "policies"?, "ttl"?, "max_ttl"?}');
      sim.addUser(body.name, { password: body.password, ...(Array.isArray(body.policies) ? { policies: body.policies.map(String) } : {}), ...(typeof body.ttl === 'number' ? { ttl: body.ttl } : {}), ...(typeof body.max_ttl === 'number' ? { max_ttl: body.max_ttl } : {}) });
      return ok();
    case 'POST idp/user':
      sim.oidc.user = typeof body.user === 'string' ? body.user : null;
      return ok();
    case 'GET leases':
      return ok({ leases: sim.leases.all().map((l) => ({ id: l.id, alias: l.secret.key_alias, expire_ms: l.expireMs, token_accessor: sim.tokens.get(l.tokenId)?.accessor ?? null })) });
    case 'GET requests':
      return ok({ requests: sim.requestLog });
    default:
      return { status: 404, body: { error: `no control action ${method} ${action}` } };
  }
}
