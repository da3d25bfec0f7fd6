// stop() resolves only when the core will write nothing more into its state directory: a proxy answer arriving
// after the stop is dropped — no ledger write, no audit line, no keychain change — so a caller may delete the
// directory right away (a test's clean-up, an uninstall) without it coming back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LiteLLMClient } from '../../../main/core/litellm/litellm-client.js';
import type { LiteLLMAdmin } from '../../../main/core/litellm/litellm-api.js';
import type { SecretStore } from '../../../main/core/ports.js';
import { flush } from '../../support/fake-clock.js';
import { harness } from './helpers.js';

/** Every file of the state directory and its content. */
function stateFiles(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** A keychain that counts changes (set, delete) made while `watching` is on. */
function countingKeychain(real: SecretStore, counter: { watching: boolean; changes: string[] }): SecretStore {
  return {
    backend: real.backend,
    sessionOnly: real.sessionOnly,
    get: (account) => real.get(account),
    set: (account, secret) => {
      if (counter.watching) counter.changes.push(`set ${account}`);
      return real.set(account, secret);
    },
    delete: (account) => {
      if (counter.watching) counter.changes.push(`delete ${account}`);
      return real.delete(account);
    },
  };
}

/** The real client, with every `/key/delete` call's promise collected (settled or not, it never rejects here). */
function watchingDeletes(deletes: Array<Promise<unknown>>): (options: ConstructorParameters<typeof LiteLLMClient>[0]) => LiteLLMAdmin {
  return (options) => {
    const client = new LiteLLMClient(options);
    const deleteKeys = client.deleteKeys.bind(client);
    client.deleteKeys = (target) => {
      const call = deleteKeys(target);
      deletes.push(call.catch(() => undefined));
      return call;
    };
    return client;
  };
}

test('stop(): a delete answered after the stop writes nothing — not the ledger, the audit log or the keychain', async () => {
  const keychain = { watching: false, changes: [] as string[] };
  const deletes: Array<Promise<unknown>> = [];
  const h = await harness({ secretStore: (real) => countingKeychain(real, keychain), coreOptions: { clientFactory: watchingDeletes(deletes) } });
  try {
    const { lease } = await h.core.leases.issue('dev');
    const held = h.sim.hold('/key/delete');
    const quitting = h.core.leases.revokeAll({ reason: 'revoked on quit', deadlineMs: 5000 });
    const hold = await held; // deleted on the proxy; the answer is held back
    await h.advance(5000);
    assert.equal((await quitting).left.length, 1);

    await h.core.stop();
    const ledgerUpdates: string[] = [];
    const update = h.core.ledger.update.bind(h.core.ledger);
    h.core.ledger.update = (change) => {
      ledgerUpdates.push('update');
      return update(change);
    };
    keychain.watching = true;
    const before = stateFiles(h.stateDir);

    hold.release();
    await Promise.all(deletes);
    await flush(20);
    assert.deepEqual(ledgerUpdates, [], 'no ledger update after stop()');
    assert.deepEqual(keychain.changes, [], 'no keychain change after stop()');
    assert.deepEqual(stateFiles(h.stateDir), before, 'the state directory is exactly as stop() left it');
    assert.equal(h.core.leases.get(lease.lease_id).state, 'revoking', 'the next start finishes it (404 = gone)');

    const next = h.reopen();
    assert.equal((await next.start()).revoked, 1);
    assert.equal(await h.keychain.get(`lease:${lease.lease_id}`), null, 'the secret is forgotten then');
  } finally {
    await h.close();
  }
});

test('stop(): the directory can be removed at once and stays removed, even with a request still hanging', async () => {
  const deletes: Array<Promise<unknown>> = [];
  const h = await harness({ coreOptions: { clientFactory: watchingDeletes(deletes) } });
  try {
    await h.core.leases.issue('dev');
    h.sim.fault('/key/delete', { kind: 'hang' });
    const quitting = h.core.leases.revokeAll({ deadlineMs: 5000 });
    for (let turn = 0; h.requests('/key/delete') === 0; turn++) {
      if (turn > 20_000) assert.fail('the delete was never sent');
      await flush(1);
    }
    await h.advance(5000);
    await quitting;
    await h.core.stop();
    fs.rmSync(h.stateDir, { recursive: true });
    await h.sim.close(); // the hung request fails now, inside this process
    await Promise.all(deletes);
    await flush(20);
    assert.equal(fs.existsSync(h.stateDir), false, 'nothing recreated the state directory');
  } finally {
    await h.close();
  }
});

test('after stop(), operations are refused without touching the state directory', async () => {
  const h = await harness();
  try {
    await h.core.leases.issue('dev');
    await h.core.stop();
    const before = stateFiles(h.stateDir);
    await assert.rejects(h.core.leases.issue('dev'), (e: Error & { kind?: string }) => e.kind === 'state-unavailable');
    await assert.rejects(h.core.leases.revokeAll(), (e: Error & { kind?: string }) => e.kind === 'state-unavailable');
    await assert.rejects(h.core.start(), (e: Error & { kind?: string }) => e.kind === 'state-unavailable');
    assert.deepEqual(stateFiles(h.stateDir), before);
    await h.core.stop(); // twice is fine
  } finally {
    await h.close();
  }
});
