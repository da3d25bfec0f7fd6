// A Keyfob Role for the simulator's roles, as an issue request carries it (only the name and max_ttl matter to Vault).
import type { Role } from '../../../main/core/types.js';

export function testRole(name: string, maxTtl = 3600): Role {
  return {
    name, models: [], max_budget: 0, budget_duration: null, tpm_limit: null, rpm_limit: null, max_parallel_requests: null,
    team_id: null, user_id: null, key_alias_prefix: 'acme', metadata: {}, ttl: 600, max_ttl: maxTtl,
  };
}
