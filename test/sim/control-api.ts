// The simulator's own HTTP API under /__sim/, for out-of-process use (demos, a child process under test).
// Never logged as a proxy request.
import { checkFault } from './faults.js';
import { eraOf, isFlavorOrEra } from './eras.js';
import type { SimResponse } from './responses.js';
import type { Simulator } from './simulator.js';
import type { SimFault, SimTeam, SimUser } from './types.js';
import type { SimConfig } from './state.js';
import { SSO_RELEASES } from './sso-state.js';
import { removeTeamMember, scimDeprovision } from './later-releases.js';
import type { SsoRelease } from './sso-state.js';

const PREFIX = '/__sim/';

export function isControlPath(path: string): boolean {
  return path.startsWith(PREFIX);
}

const ok = (body: unknown = { ok: true }): SimResponse => ({ status: 200, body });
const bad = (message: string): SimResponse => ({ status: 400, body: { error: message } });

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** JSON has no Infinity: `"count": "Infinity"` stands for it. */
function faultFromJson(raw: unknown): SimFault {
  if (typeof raw !== 'object' || raw === null) throw new RangeError('fault must be an object');
  const fault = { ...(raw as Record<string, unknown>) };
  if (fault.count === 'Infinity') fault.count = Infinity;
  checkFault(fault as unknown as SimFault);
  return fault as unknown as SimFault;
}

function clockState(sim: Simulator) {
  const now = sim.clock.now();
  return { now, iso: new Date(now).toISOString() };
}

const BOOLEAN_FIELDS = ['generateOmitsToken', 'readinessFails'];
const MS_FIELDS = ['updateUnknownKeyDelayMs', 'spendFlushMs', 'budgetResetJobMs'];

/** The switches a typo would silently turn on or off: true/false, and ms counts >= 0. */
function configTypeError(body: Record<string, unknown>): string | null {
  for (const name of BOOLEAN_FIELDS) {
    if (name in body && typeof body[name] !== 'boolean') return `${name} must be true or false`;
  }
  for (const name of MS_FIELDS) {
    const ms = body[name];
    if (name in body && !(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)) return `${name} must be a number of ms >= 0`;
  }
  return null;
}

export function handleControl(sim: Simulator, method: string, path: string, query: URLSearchParams, body: unknown): SimResponse {
  const action = `${method} ${path.slice(PREFIX.length)}`;
  try {
    switch (action) {
      case 'GET clock':
        return ok(clockState(sim));
      case 'POST clock/advance': {
        const ms = field(body, 'ms');
        if (typeof ms !== 'number') return bad('body must be {"ms": <number>}');
        sim.clock.advance(ms);
        return ok(clockState(sim));
      }
      case 'POST clock/set': {
        const epochMs = field(body, 'epochMs');
        if (typeof epochMs !== 'number') return bad('body must be {"epochMs": <number>}');
        sim.clock.set(epochMs);
        return ok(clockState(sim));
      }
      case 'POST fault': {
        const route = field(body, 'route');
        if (typeof route !== 'string' || route === '') return bad('body must be {"route": "/key/generate" | "*", "fault": {...}}');
        sim.fault(route, faultFromJson(field(body, 'fault')));
        return ok();
      }
      case 'POST faults/clear':
        sim.clearFaults();
        return ok();
      case 'GET requests':
        return ok(sim.requests);
      case 'POST requests/clear':
        sim.clearRequests();
        return ok();
      case 'GET keys':
        return ok(query.get('live') === 'true' ? sim.liveKeys() : sim.keys());
      case 'POST era': {
        const era = field(body, 'era');
        if (!isFlavorOrEra(era)) return bad('body must be {"era": "L" | "M" | "C" | "N" | "N2" | "N3"}');
        sim.era = eraOf(era);
        return ok({ era: sim.era, version: sim.version });
      }
      case 'GET era':
        return ok({ era: sim.era, version: sim.version });
      case 'POST flavor': {
        // Deprecated: `current` plays N3, `older` plays N.
        const flavor = field(body, 'flavor');
        if (!isFlavorOrEra(flavor)) return bad('body must be {"flavor": "current" | "older"} (deprecated: use POST /__sim/era)');
        sim.flavor = flavor;
        return ok({ flavor, era: sim.era });
      }
      case 'POST users':
        return ok(sim.addUser(body as SimUser));
      case 'GET users':
        return ok(sim.directory.allUsers());
      case 'POST teams': {
        const team = body as Partial<SimTeam>;
        return ok(sim.addTeam({ ...team, members: team.members ?? [] } as SimTeam));
      }
      case 'GET teams':
        return ok(sim.directory.allTeams());
      case 'POST keys': {
        if (body !== undefined && (typeof body !== 'object' || body === null)) return bad('body must be an object');
        return ok(sim.addKey((body ?? {}) as Parameters<Simulator['addKey']>[0]));
      }
      case 'GET config':
        return ok(sim.config);
      case 'POST config': {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('body must be an object of config fields');
        const unknown = Object.keys(body).filter((name) => !(name in sim.config));
        if (unknown.length) return bad(`unknown config field(s): ${unknown.join(', ')}`);
        const wrong = configTypeError(body as Record<string, unknown>);
        if (wrong) return bad(wrong);
        Object.assign(sim.config, body as Partial<SimConfig>);
        return ok(sim.config);
      }
      case 'POST key-cache/clear':
        sim.keyCache.clear();
        return ok();
      case 'POST database': {
        const connected = field(body, 'connected');
        if (typeof connected !== 'boolean') return bad('body must be {"connected": true | false}');
        sim.databaseConnected = connected;
        return ok({ connected });
      }
      case 'POST master-key': {
        const key = field(body, 'key');
        if (typeof key !== 'string' || key === '') return bad('body must be {"key": "<new master key>"}');
        sim.masterKey = key;
        return ok();
      }
      case 'GET sso':
        return ok(ssoState(sim));
      case 'POST sso': {
        const wrong = applySso(sim, body);
        return wrong ? bad(wrong) : ok(ssoState(sim));
      }
      case 'POST later': {
        const release = field(body, 'release');
        if (release !== null && (typeof release !== 'string' || !/^\d+\.\d+(\.\d+)?$/.test(release))) return bad('body must be {"release": "1.101.0" | null}');
        sim.later.release = release;
        return ok({ release });
      }
      case 'POST scim-deprovision': {
        const userId = field(body, 'user_id');
        if (typeof userId !== 'string') return bad('body must be {"user_id": "<user>"}');
        return ok({ blocked: scimDeprovision(sim, userId) });
      }
      case 'POST team-member/remove': {
        const teamId = field(body, 'team_id');
        const userId = field(body, 'user_id');
        if (typeof teamId !== 'string' || typeof userId !== 'string') return bad('body must be {"team_id", "user_id"}');
        return ok({ deleted: removeTeamMember(sim, teamId, userId) });
      }
      default:
        return { status: 404, body: { error: `no simulator control ${action}` } };
    }
  } catch (e) {
    return bad(e instanceof Error ? e.message : String(e));
  }
}

function ssoState(sim: Simulator) {
  const { release, accessLifetimeSec, idpUser, discoveryOverrides } = sim.sso;
  return { release, accessLifetimeSec, idpUser, discoveryOverrides, tokenGrants: sim.sso.tokenGrants };
}

/** `{"release"?, "accessLifetimeSec"?, "idpUser"?, "discoveryOverrides"?}`: an error text, or null when applied. */
function applySso(sim: Simulator, body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be an object';
  const b = body as Record<string, unknown>;
  if (b.release !== undefined && !(SSO_RELEASES as readonly unknown[]).includes(b.release)) return `release must be one of ${SSO_RELEASES.join(', ')}`;
  if (b.accessLifetimeSec !== undefined && !(typeof b.accessLifetimeSec === 'number' && Number.isInteger(b.accessLifetimeSec) && b.accessLifetimeSec > 0)) return 'accessLifetimeSec must be a whole number > 0';
  if (b.idpUser !== undefined && (typeof b.idpUser !== 'string' || b.idpUser === '')) return 'idpUser must be a user id';
  if (b.discoveryOverrides !== undefined && (typeof b.discoveryOverrides !== 'object' || b.discoveryOverrides === null)) return 'discoveryOverrides must be an object';
  if (b.release !== undefined) sim.sso.release = b.release as SsoRelease;
  if (b.accessLifetimeSec !== undefined) sim.sso.accessLifetimeSec = b.accessLifetimeSec as number;
  if (b.idpUser !== undefined) sim.sso.idpUser = b.idpUser as string;
  if (b.discoveryOverrides !== undefined) sim.sso.discoveryOverrides = b.discoveryOverrides as Record<string, unknown>;
  return null;
}
