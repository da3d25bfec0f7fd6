// Issue and revoke against the simulator, with the real keychain: the key works, the ledger never holds it,
// revocation (and expiry) kill it on the proxy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { KeyfobError } from '../../../main/core/errors.js';
import type { SecretAccount, SecretStore } from '../../../main/core/ports.js';
import { START, chat, eventTypes, harness, ledgerVersusServer } from './helpers.js';

const MIN = 60_000;

test('an issued key works on the proxy, lives only in the keychain, and gets 401 after revoke', async () => {
  const h = await harness();
  try {
    h.sim.clearRequests();
    const { lease, key } = await h.core.leases.issue('dev');
    assert.match(key, /^sk-/);
    assert.equal(lease.state, 'active');
    assert.match(lease.key_alias, /^keyfob-dev-[0-9a-f]{8}$/);
    assert.equal(lease.key_hint, `sk-...${key.slice(-4)}`);
    assert.equal(lease.expires_at, new Date(START + 60 * MIN).toISOString());
    assert.equal(lease.max_expires_at, new Date(START + 180 * MIN).toISOString());
    assert.equal(lease.renewable, true);
    assert.equal((await chat(h.sim, key)).status, 200);

    // Exactly one request, carrying what the role says.
    assert.deepEqual(h.sim.requests.map((r) => r.path), ['/key/generate', '/chat/completions']);
    const body = h.sim.requests[0]?.body as Record<string, unknown>;
    assert.equal(body.duration, '3600s');
    assert.equal(body.key_alias, lease.key_alias);
    assert.deepEqual(body.models, ['gpt-4o']);
    assert.equal(body.max_budget, undefined, 'no budget sent when the role has none');
    const metadata = body.metadata as Record<string, string>;
    assert.equal(metadata.keyfob_role, 'dev');
    assert.equal(metadata.keyfob_lease_id, lease.lease_id);
    assert.equal(metadata.keyfob_ledger, h.core.ledger.read().ledgerId);

    assert.equal(await h.keychain.get(`lease:${lease.lease_id}`), key);
    const ledgerText = fs.readFileSync(h.core.ledger.path, 'utf8');
    assert.ok(!ledgerText.includes(key), 'the ledger never holds the key');
    assert.equal(fs.statSync(h.core.ledger.path).mode & 0o777, 0o600);

    const revoked = await h.core.leases.revoke(lease.lease_id);
    assert.equal(revoked.state, 'revoked');
    assert.equal(revoked.ended_reason, 'revoked by person');
    const after = await chat(h.sim, key);
    assert.equal(after.status, 401);
    assert.equal(after.type, 'token_not_found_in_db');
    assert.equal(await h.keychain.get(`lease:${lease.lease_id}`), null, 'the secret is gone too');
    assert.deepEqual(eventTypes(h.events), ['issued', 'revoked']);
    assert.equal(h.core.leases.list().length, 0);
    assert.equal(h.core.leases.list({ all: true }).length, 1);
    assert.deepEqual((await h.core.leases.revoke(lease.lease_id)).state, 'revoked', 'revoking twice is harmless');

    const audit = h.core.auditLog(10);
    assert.deepEqual(audit.slice(0, 2).map((e) => `${e.action}:${e.outcome}`), ['revoke:ok', 'issue:ok']);
    assert.ok(!fs.readFileSync(`${h.stateDir}/audit.log`, 'utf8').includes(key), 'never a key in the audit log');
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), { unknownOnServer: [], missingOnServer: [] });
  } finally {
    await h.close();
  }
});

test('budgets and limits of the role are sent; a retried issue never reuses an alias', async () => {
  const h = await harness({ role: { name: 'capped', models: [], max_budget: 2.5, tpm_limit: 1000, rpm_limit: 10, key_alias_prefix: 'team', metadata: { owner: 'me' }, ttl: '15m' } });
  try {
    h.sim.fault('/key/generate', { kind: 'fail', status: 400 });
    await assert.rejects(h.core.leases.issue('capped'), (e: KeyfobError) => e.kind === 'invalid-request');
    const { lease } = await h.core.leases.issue('capped');
    const generates = h.sim.requests.filter((r) => r.path === '/key/generate').map((r) => r.body as Record<string, unknown>);
    assert.equal(generates.length, 2);
    assert.notEqual(generates[0]?.key_alias, generates[1]?.key_alias, 'a fresh alias for every attempt');
    const body = generates[1] as Record<string, unknown>;
    assert.equal(body.max_budget, 2.5);
    assert.equal(body.tpm_limit, 1000);
    assert.equal(body.rpm_limit, 10);
    assert.equal(body.duration, '900s');
    assert.deepEqual((body.metadata as Record<string, string>).owner, 'me');
    assert.match(lease.key_alias, /^team-capped-[0-9a-f]{8}$/);
    assert.equal(h.requests('/key/delete'), 0, 'a definite rejection needs no clean-up');
    assert.equal(h.core.leases.list({ all: true }).length, 1, 'the rejected attempt left nothing in the ledger');
  } finally {
    await h.close();
  }
});

test('expiry is revocation: at expires_at the key is deleted on the proxy, its secret removed, the clipboard cleared', async () => {
  const h = await harness({ role: { name: 'short', ttl: '10m', max_ttl: '10m' } });
  try {
    h.core.updateSettings({ clipboard_clear_seconds: 0 });
    const { lease, key } = await h.core.leases.issue('short');
    await h.core.leases.copyLeaseKey(lease.lease_id);
    assert.equal(h.clipboard.text, key);

    await h.advance(5 * MIN);
    assert.deepEqual(eventTypes(h.events), ['issued', 'expiring-soon'], 'warned 5 minutes before a final expiry');
    assert.equal(h.notifier.sent.at(-1)?.title, 'Key expiring soon');
    await h.advance(5 * MIN - 1000);
    assert.equal((await chat(h.sim, key)).status, 200, 'still valid a second before expiry');
    assert.equal(h.core.leases.get(lease.lease_id).state, 'active');

    await h.advance(1000);
    const ended = h.core.leases.get(lease.lease_id);
    assert.equal(ended.state, 'expired');
    assert.equal(ended.ended_reason, 'expired');
    assert.deepEqual(eventTypes(h.events), ['issued', 'expiring-soon', 'expired']);
    assert.equal(h.sim.keys().length, 0, 'an expired LiteLLM key would stay revivable: it is deleted');
    assert.equal((await chat(h.sim, key)).status, 401);
    assert.equal(await h.keychain.get(`lease:${lease.lease_id}`), null);
    assert.equal(h.clipboard.text, '', 'the dead key left the clipboard');
    assert.equal(h.clock.armedTimers, 0, 'nothing left to do: no timer');
    assert.equal(h.core.auditLog(1)[0]?.action, 'expire');
  } finally {
    await h.close();
  }
});

test('a key that expired on the proxy (Keyfob asleep) answers expired_key until Keyfob deletes it', async () => {
  const h = await harness({ role: { name: 'short', ttl: '10m', max_ttl: '10m' } });
  try {
    const { key } = await h.core.leases.issue('short');
    h.clock.jump(11 * MIN); // the laptop slept through the deadline: no timer fired
    assert.equal((await chat(h.sim, key)).type, 'expired_key');
    h.core.leases.refresh(); // on resume
    await h.advance(0);
    assert.equal(h.sim.keys().length, 0);
    assert.equal((await chat(h.sim, key)).status, 401);
  } finally {
    await h.close();
  }
});

test('revoking a role, and revoking all, revoke only what they say', async () => {
  const h = await harness();
  try {
    h.core.saveRole({ name: 'ops', ttl: '30m' });
    const a = await h.core.leases.issue('dev');
    const b = await h.core.leases.issue('dev');
    const c = await h.core.leases.issue('ops');
    const byRole = await h.core.leases.revokeRole('dev');
    assert.deepEqual({ revoked: byRole.revoked, failed: byRole.failed, left: byRole.left.length }, { revoked: 2, failed: 0, left: 0 });
    assert.equal(h.core.leases.get(c.lease.lease_id).state, 'active');
    assert.equal((await chat(h.sim, a.key)).status, 401);
    assert.equal((await chat(h.sim, b.key)).status, 401);
    assert.equal((await chat(h.sim, c.key)).status, 200);
    const all = await h.core.leases.revokeAll({ reason: 'revoked on quit' });
    assert.equal(all.revoked, 1);
    assert.equal(h.core.leases.get(c.lease.lease_id).ended_reason, 'revoked on quit');
    assert.equal(h.sim.keys().length, 0);
    assert.equal(h.clock.armedTimers, 0);
  } finally {
    await h.close();
  }
});

test('the keychain refusing the new key (locked) deletes it on the proxy at once: no unknown key is left', async () => {
  const h = await harness({
    secretStore: (real): SecretStore => ({
      backend: real.backend,
      sessionOnly: false,
      get: (a: SecretAccount) => real.get(a),
      delete: (a: SecretAccount) => real.delete(a),
      set: async (a: SecretAccount, s: string) => {
        if (a.startsWith('lease:')) throw new KeyfobError('keychain-locked', 'The keychain is locked.');
        return real.set(a, s);
      },
    }),
  });
  try {
    await assert.rejects(h.core.leases.issue('dev'), (e: KeyfobError) => e.kind === 'keychain-locked');
    assert.equal(h.sim.keys().length, 0, 'the created key was deleted');
    assert.equal(h.requests('/key/delete'), 1);
    assert.equal(h.core.leases.list({ all: true }).length, 0);
    assert.deepEqual(ledgerVersusServer(h.core, h.sim), { unknownOnServer: [], missingOnServer: [] });
  } finally {
    await h.close();
  }
});

test('copy: the tray\'s one click issues once, then copies the live key with no request at all', async () => {
  const h = await harness();
  try {
    const first = await h.core.leases.copyRoleKey('dev');
    assert.equal(first.issued, true);
    const key = h.clipboard.text;
    assert.match(key, /^sk-/);
    const requests = h.sim.requests.length;
    const second = await h.core.leases.copyRoleKey('DEV');
    assert.equal(second.issued, false);
    assert.equal(second.lease.lease_id, first.lease.lease_id);
    assert.equal(h.sim.requests.length, requests, 'copying a live key costs no request');
    assert.equal(await h.core.leases.revealKey(first.lease.lease_id.slice(0, 8)), key, 'a short lease id prefix works');

    await h.advance(30_000);
    assert.equal(h.clipboard.text, '', 'cleared after clipboard_clear_seconds');

    await h.core.leases.copyLeaseKey(first.lease.lease_id);
    h.clipboard.text = 'my own text';
    await h.core.leases.revoke(first.lease.lease_id);
    assert.equal(h.clipboard.text, 'my own text', 'revocation clears only our key');
    await assert.rejects(h.core.leases.copyLeaseKey(first.lease.lease_id), (e: KeyfobError) => e.kind === 'lease-not-found');
    await assert.rejects(h.core.leases.copyRoleKey('nope'), (e: KeyfobError) => e.kind === 'role-not-found');

    const third = await h.core.leases.copyRoleKey('dev');
    assert.equal(third.issued, true);
    assert.equal(await h.core.clearClipboard(), true, 'quit clears the clipboard');
    assert.equal(h.clipboard.text, '');
  } finally {
    await h.close();
  }
});

test('bad lease ids are refused with a message naming the field', async () => {
  const h = await harness();
  try {
    for (const bad of ['', '   ', '../etc', 'zzzzzzzz', 'abc']) {
      assert.throws(() => h.core.leases.get(bad), (e: KeyfobError) => e.kind === 'validation' && e.fields[0]?.field === 'lease_id');
    }
    assert.throws(() => h.core.leases.get('00000000-0000-4000-8000-000000000000'), (e: KeyfobError) => e.kind === 'lease-not-found');
  } finally {
    await h.close();
  }
});
