import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveTTLs } from '../../../main/core/roles/ttl.js';

// The seed's resolveTTLs: maxTTL = role.max_ttl if > 0 and ≤ system max, else system max;
// ttl = role.ttl if > 0, else system default; then ttl = min(ttl, maxTTL).
describe('resolveTTLs against default 1h / max 24h', () => {
  const settings = { default_lease_ttl_seconds: 3600, max_lease_ttl_seconds: 86_400 };
  const table: Array<[string, number, number, number, number]> = [
    // what, role.ttl, role.max_ttl, expected ttl, expected maxTtl
    ['nothing set: both system values', 0, 0, 3600, 86_400],
    ['role ttl only', 900, 0, 900, 86_400],
    ['role max_ttl only, above default ttl', 0, 7200, 3600, 7200],
    ['role max_ttl below the default ttl caps the ttl', 0, 600, 600, 600],
    ['both set, ttl below max', 900, 7200, 900, 7200],
    ['both equal', 7200, 7200, 7200, 7200],
    ['role ttl above role max_ttl is capped', 7200, 3600, 3600, 3600],
    ['role max_ttl above the system max falls back to the system max', 0, 172_800, 3600, 86_400],
    ['role ttl above the system max is capped at it', 172_800, 0, 86_400, 86_400],
    ['role max_ttl exactly the system max is kept', 0, 86_400, 3600, 86_400],
    ['negative values count as unset', -5, -5, 3600, 86_400],
  ];
  for (const [what, ttl, max_ttl, expectTtl, expectMax] of table) {
    test(what, () => assert.deepEqual(resolveTTLs({ ttl, max_ttl }, settings), { ttl: expectTtl, maxTtl: expectMax }));
  }
});

describe('resolveTTLs with other settings', () => {
  test('a default above the max is capped (as Vault does)', () => {
    assert.deepEqual(resolveTTLs({ ttl: 0, max_ttl: 0 }, { default_lease_ttl_seconds: 7200, max_lease_ttl_seconds: 3600 }), { ttl: 3600, maxTtl: 3600 });
  });
  test('short system limits', () => {
    assert.deepEqual(resolveTTLs({ ttl: 120, max_ttl: 600 }, { default_lease_ttl_seconds: 60, max_lease_ttl_seconds: 300 }), { ttl: 120, maxTtl: 300 });
  });
});
