// The admin client against the simulator playing each era, one contract row at a time: what the proxy says that
// differs, and what the client makes of it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyfobError } from '../../../main/core/errors.js';
import { LiteLLMClient, tokenHash } from '../../../main/core/litellm/index.js';
import { startSimulator, type SimEra, type SimOptions } from '../../sim/index.js';

const MASTER = 'sk-admin-eras-0001';
// Wednesday 2026-03-18 14:37:26Z, the page's example instant for era C.
const START = Date.parse('2026-03-18T14:37:26.250Z');

async function withClient(era: SimEra, run: (c: LiteLLMClient, sim: Awaited<ReturnType<typeof startSimulator>>) => Promise<void>, extra: SimOptions = {}): Promise<void> {
  const sim = await startSimulator({ era, masterKey: MASTER, startTime: START, ...extra });
  try {
    await run(new LiteLLMClient({ baseUrl: sim.url, adminKey: MASTER, timeoutMs: 5_000, now: () => sim.clock.now() }, {}), sim);
  } finally {
    await sim.close();
  }
}

describe('generate', () => {
  test('era L: `token` is the plaintext key; the client never takes it for the hash', async () => {
    await withClient('L', async (c, sim) => {
      const g = await c.generateKey({ models: [], key_alias: 'a', metadata: {}, duration: '60s' });
      assert.equal(g.token, tokenHash(g.key));
      assert.equal(sim.keys()[0]?.token, g.token);
    });
  });

  for (const [duration, seconds] of [['30s', 30], ['3600s', 3600], ['604800s', 604_800]] as const) {
    test(`era C: "${duration}" comes back calendar-aligned and is set right with one /key/update`, async () => {
      await withClient('C', async (c, sim) => {
        sim.clearRequests();
        const g = await c.generateKey({ models: [], key_alias: `c-${seconds}`, metadata: {}, duration });
        assert.equal(Date.parse(g.expires ?? ''), START + seconds * 1000);
        assert.equal(g.expiry_note, null);
        // (/key/info first: who the credential is — the master key, so no user_id is added.)
        assert.deepEqual(sim.requests.map((r) => r.path).filter((p) => p !== '/key/info'), ['/key/generate', '/key/update']);
        assert.equal(Date.parse(sim.keys()[0]?.expires ?? ''), START + seconds * 1000);
      }, { masterKey: MASTER });
    });
  }

  test('eras M and N: an exact expiry needs no correction', async () => {
    for (const era of ['M', 'N'] as const) {
      await withClient(era, async (c, sim) => {
        sim.clearRequests();
        const g = await c.generateKey({ models: [], key_alias: 'exact', metadata: {}, duration: '3600s' });
        assert.equal(Date.parse(g.expires ?? ''), START + 3_600_000);
        assert.deepEqual(sim.requests.map((r) => r.path).filter((p) => p !== '/key/info'), ['/key/generate'], era);
      });
    }
  });
});

describe('is the key gone? only the words say', () => {
  for (const era of ['L', 'M', 'C', 'N', 'N2', 'N3'] as const) {
    test(`era ${era}: renewing and deleting an unknown key → not-found / already gone`, async () => {
      await withClient(era, async (c) => {
        await assert.rejects(c.renewKey('0'.repeat(64), 60), (e: unknown) => e instanceof KeyfobError && e.kind === 'not-found');
        // Revoking what is gone is success in every era; from 1.68.2 the proxy also says it found nothing (L: a 200).
        const deleted = await c.deleteKeys({ keys: ['0'.repeat(64)] });
        assert.deepEqual(deleted, { alreadyGone: era !== 'L' });
      });
    });
  }

  test('era N2: a key whose team was deleted is NOT gone: the renewal fails, the key stays', async () => {
    await withClient('N2', async (c, sim) => {
      const g = await c.generateKey({ models: [], key_alias: 'team-key', metadata: {}, duration: '3600s', team_id: 'ghost-team' });
      await assert.rejects(c.renewKey(g.token, 60), (e: unknown) => {
        assert.ok(e instanceof KeyfobError);
        assert.notEqual(e.kind, 'not-found', e.message);
        assert.match(e.message, /team, not the key/);
        return true;
      });
      assert.equal(sim.keys().length, 1);
    });
  });
});

describe('delete by alias', () => {
  test('era L (200 to a delete of nothing): "already gone" only when nothing was listed', async () => {
    await withClient('L', async (c, sim) => {
      assert.deepEqual(await c.deleteKeys({ key_aliases: ['nothing-here'] }), { alreadyGone: true });
      await c.generateKey({ models: [], key_alias: 'here', metadata: {}, duration: '60s' });
      assert.deepEqual(await c.deleteKeys({ key_aliases: ['here'] }), { alreadyGone: false });
      assert.deepEqual(sim.keys(), []);
    });
  });

  test('era L, ≤1.61.1 (no return_full_object): the hashes listed are looked up', async () => {
    await withClient('L', async (c, sim) => {
      const page = await c.listKeys({ return_full_object: true, size: 10 });
      assert.deepEqual(page.keys, []);
      await c.generateKey({ models: [], key_alias: 'old', metadata: {}, duration: '60s' });
      assert.equal(typeof (await c.listKeys({ return_full_object: true })).keys[0], 'string', 'hashes only');
      assert.deepEqual(await c.deleteKeys({ key_aliases: ['old'] }), { alreadyGone: false });
      assert.deepEqual(await c.deleteKeys({ key_aliases: ['old'] }), { alreadyGone: true });
      assert.deepEqual(sim.keys(), []);
    }, { listRejectsFullObject: true });
  });
});
