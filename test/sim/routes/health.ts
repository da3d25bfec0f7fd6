// Unauthenticated health probes.
import { FLAVOR_RULES } from '../flavors.js';
import { json } from '../responses.js';
import type { SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';

export function liveliness(): SimResponse {
  return json("I'm alive!");
}

export function readiness(_req: RouteRequest, state: SimState): SimResponse {
  return json({
    status: 'healthy',
    db: state.databaseConnected ? 'connected' : 'Not connected',
    cache: null,
    litellm_version: FLAVOR_RULES[state.flavor].version,
    success_callbacks: [],
  });
}
