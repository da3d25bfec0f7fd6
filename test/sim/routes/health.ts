// Unauthenticated health probes. `/health/readiness` lets the DB check overwrite `status` (HE v1.80.9 L1061).
import { json } from '../responses.js';
import type { SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';
import { isoUpdate } from '../time-format.js';

export function liveliness(): SimResponse {
  return json("I'm alive!");
}

export function readiness(_req: RouteRequest, state: SimState): SimResponse {
  // The readiness DB check raised: `HTTPException(503, detail=f"Service Unhealthy ({e})")`.
  if (state.config.readinessFails) return { status: 503, body: { detail: 'Service Unhealthy (simulated: database check failed)' } };
  const common = { cache: null, litellm_version: state.version, success_callbacks: [] };
  if (!state.databaseConnected) return json({ status: 'healthy', db: 'Not connected', ...common });
  return json({ status: 'connected', db: 'connected', ...common, last_updated: isoUpdate(state.nowUs()) });
}
