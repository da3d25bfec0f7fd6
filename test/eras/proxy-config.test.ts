// How a LiteLLM proxy may be set up, beyond its release: a path prefix (SERVER_ROOT_PATH), a custom key header behind a
// gateway, no database, admin-side key limits, an old /key/list, and the pre-1.68.2 "200 to a delete of nothing".
// Each through the real core against the simulator playing it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyfobError } from '../../main/core/errors.js';
import { startSimulator, type SimOptions } from '../sim/index.js';
import { ADMIN_KEY, harness, type Harness } from '../core/leases/helpers.js';
import { assertNothingLost } from '../faults/support.js';

async function connected(simOptions: SimOptions, url?: (sim: { url: string }) => string, settings: Record<string, unknown> = {}): Promise<Harness> {
  const sim = await startSimulator({ masterKey: ADMIN_KEY, ...simOptions });
  const h = await harness({ sim, connect: false, start: false });
  if (Object.keys(settings).length) h.core.updateSettings(settings);
  await h.core.connect({ url: url ? url(sim) : sim.url, adminKey: ADMIN_KEY });
  h.core.updateSettings({ request_timeout_seconds: 5 });
  h.core.saveRole({ name: 'dev', models: [], ttl: '1h', max_ttl: '3h' });
  await h.core.start();
  return h;
}

describe('the URL path the person gave', () => {
  test('SERVER_ROOT_PATH=/api/v1: the /v1 is the prefix, kept, and every call works', async () => {
    const h = await connected({ era: 'C', rootPath: '/api/v1' }, (sim) => `${sim.url}/api/v1`);
    try {
      assert.equal(h.core.getSettings().litellm_url, `${h.sim.url}/api/v1`);
      const { lease } = await h.core.leases.issue('dev');
      assert.equal(lease.state, 'active');
      assert.deepEqual(await h.core.listModels(), ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4']);
      await h.core.leases.revokeAll();
      assertNothingLost(h.core, h.sim);
    } finally {
      await h.close();
    }
  });

  test('an OpenAI-style base ending in /v1 on a proxy at the root: tried, dropped, remembered for the next process', async () => {
    const h = await connected({ era: 'N' }, (sim) => `${sim.url}/v1`);
    try {
      assert.equal(h.core.getSettings().litellm_url, `${h.sim.url}/v1`, 'kept as given');
      assert.equal(h.core.getSettings().litellm_resolved_url, h.sim.url, 'the form that answered');
      h.sim.clearRequests();
      const next = h.reopen(); // another process: a new client, from the settings
      await next.start();
      await next.leases.issue('dev');
      assert.ok(h.sim.requests.some((r) => r.path === '/key/generate'));
      assert.deepEqual(h.sim.requests.filter((r) => r.path.startsWith('/v1/')).map((r) => r.path), [], 'no probe once remembered');
      await next.leases.revokeAll();
      assertNothingLost(next, h.sim);
    } finally {
      await h.close();
    }
  });
});

describe('where the key goes', () => {
  test('behind a gateway that owns Authorization: the key in the proxy\'s custom header', async () => {
    const h = await connected({ era: 'N3', keyHeaderName: 'X-LiteLLM-Key' }, undefined, { auth_header: 'X-LiteLLM-Key' });
    try {
      const { lease } = await h.core.leases.issue('dev');
      assert.equal(lease.state, 'active');
      h.core.updateSettings({ auth_header: null });
      const probe = await h.core.testConnection();
      assert.equal(probe.admin_ok, false, 'Authorization: Bearer is not read by this proxy');
      h.core.updateSettings({ auth_header: 'X-LiteLLM-Key' });
      await h.core.leases.revokeAll();
      assertNothingLost(h.core, h.sim);
    } finally {
      await h.close();
    }
  });

  for (const era of ['L', 'M'] as const) {
    test(`x-litellm-api-key in era ${era}: ${era === 'L' ? 'ignored before 1.67.5, so refused' : 'read'}`, async () => {
      const sim = await startSimulator({ era, masterKey: ADMIN_KEY });
      const h = await harness({ sim, connect: false, start: false });
      try {
        h.core.updateSettings({ auth_header: 'x-litellm-api-key' });
        const connecting = h.core.connect({ url: sim.url, adminKey: ADMIN_KEY });
        if (era === 'L') await assert.rejects(connecting, (e: unknown) => e instanceof KeyfobError && e.kind === 'admin-key-rejected');
        else await connecting;
      } finally {
        await h.close();
      }
    });
  }
});

describe('no database', () => {
  test('the master key authenticates (virtual keys impossible); a wrong key is still a wrong key', async () => {
    for (const era of ['L', 'M', 'N3'] as const) {
      const sim = await startSimulator({ era, masterKey: ADMIN_KEY, database: false });
      const h = await harness({ sim, connect: false, start: false });
      try {
        h.core.updateSettings({ litellm_url: sim.url });
        const master = await h.core.testConnection({ url: sim.url, adminKey: ADMIN_KEY });
        assert.deepEqual({ admin_ok: master.admin_ok, db: master.db_connected, kind: master.error?.kind }, { admin_ok: true, db: false, kind: 'no-database' }, era);
        const wrong = await h.core.testConnection({ url: sim.url, adminKey: 'sk-not-the-master-key' });
        assert.deepEqual({ admin_ok: wrong.admin_ok, kind: wrong.error?.kind }, { admin_ok: false, kind: 'admin-key-rejected' }, era);
      } finally {
        await h.close();
      }
    }
  });
});

describe('admin-side key limits', () => {
  test('upperbound duration: a longer role ttl is refused on the role field it names; a role without ttl gets the bound, reported as it is', async () => {
    const h = await connected({ era: 'N', upperboundKeyGenerateParams: { duration: '2h' } });
    try {
      h.core.saveRole({ name: 'long', models: [], ttl: '8h', max_ttl: '8h' });
      await assert.rejects(h.core.leases.issue('long'), (e: unknown) => {
        assert.ok(e instanceof KeyfobError);
        assert.equal(e.kind, 'invalid-request');
        assert.deepEqual(e.fields.map((f) => f.field), ['ttl']);
        assert.match(e.hint ?? '', /Lower the role's ttl/);
        return true;
      });
      h.core.saveRole({ name: 'forever', models: [], ttl: 0, max_ttl: 0 });
      const { lease } = await h.core.leases.issue('forever');
      const row = h.sim.keys().find((k) => k.token === lease.token_hash);
      assert.ok(row?.expires, 'the proxy put an expiry on it');
      assert.equal(lease.expires_at, new Date(Date.parse(row.expires)).toISOString(), "the lease shows the proxy's expiry, not none");
      await h.core.leases.revokeAll();
      assertNothingLost(h.core, h.sim);
    } finally {
      await h.close();
    }
  });
});

describe('old proxies', () => {
  test('≤1.61.1 rejects return_full_object: reconcile falls back to the hash list', async () => {
    const h = await connected({ era: 'L', listRejectsFullObject: true });
    try {
      const { lease } = await h.core.leases.issue('dev');
      const next = h.reopen();
      const report = await next.start();
      assert.equal(report.resumed >= 1, true);
      assert.equal(next.leases.get(lease.lease_id).state, 'active');
      await next.leases.revokeAll();
      assertNothingLost(next, h.sim);
    } finally {
      await h.close();
    }
  });

  test('<1.68.2 answers 200 to a delete of nothing: after a timed-out generate, "no key left" is not concluded from it', async () => {
    const h = await connected({ era: 'L' });
    try {
      h.core.updateSettings({ request_timeout_seconds: 1 });
      // The generate is carried out after the client has given up (1.6 s > 1 s).
      h.sim.fault('/key/generate', { kind: 'latency', ms: 1_600 });
      await assert.rejects(h.core.leases.issue('dev'), (e: unknown) => e instanceof KeyfobError && e.kind === 'timeout');
      const pending = h.core.leases.list({ all: true }).filter((l) => l.state === 'pending');
      assert.equal(pending.length, 1, 'the pending entry stays: the alias delete answered 200 but nothing was listed');
      h.sim.clearFaults();
      // The late generate lands (a real socket event, awaited, not timed).
      while (h.sim.keys().length === 0) await new Promise((resolve) => setImmediate(resolve));
      await h.advance(5 * 60_000); // the sweep after the generate has surely ended
      assertNothingLost(h.core, h.sim);
    } finally {
      await h.close();
    }
  });
});
