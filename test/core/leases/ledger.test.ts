// The ledger file and its lock: atomic, private, versioned; concurrent writers lose nothing; a dead holder's lock is
// taken over; a corrupt file is backed up, never lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LEDGER_FORMAT_VERSION, LeaseLedger, isLeaseId, salvageLedgerId, serializeLedger } from '../../../main/core/leases/lease-ledger.js';
import type { LedgerDocument } from '../../../main/core/leases/lease-ledger.js';
import type { Lease } from '../../../main/core/types.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ledgerLease } from '../../support/lease-builder.js';
import { tempStateDir } from './helpers.js';

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const here = path.dirname(new URL(import.meta.url).pathname);

function lease(over: Partial<Lease> = {}): Lease {
  return ledgerLease({
    lease_id: randomUUID(), key_alias: `keyfob-dev-${randomUUID().slice(0, 8)}`, token_hash: 'a'.repeat(64),
    key_hint: 'sk-...wxyz', models: ['gpt-4o'], issued_at: new Date(T0).toISOString(),
    expires_at: new Date(T0 + 3600_000).toISOString(), ...over,
  });
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = tempStateDir();
    try {
      await fn(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('lease ids are UUIDs', () => {
  assert.ok(isLeaseId(randomUUID()), 'isLeaseId(randomUUID()) is set');
  assert.ok(!isLeaseId('../../etc/passwd'));
  assert.ok(!isLeaseId('11111111-2222-4333-8444-55555555555'));
  assert.ok(!isLeaseId(42), '!isLeaseId(42) is set');
});

test('the ledger file: format version, mode 0600, atomic writes that leave no temp files, cheap re-reads', withDir(async (dir) => {
  const ledger = new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0) });
  const a = lease();
  await ledger.update((d) => d.put(a));
  const doc = JSON.parse(fs.readFileSync(ledger.path, 'utf8')) as { format_version: number; ledger_id: string; leases: Record<string, Lease> };
  assert.equal(doc.format_version, LEDGER_FORMAT_VERSION);
  assert.ok(isLeaseId(doc.ledger_id), 'isLeaseId(doc.ledger_id) is set');
  assert.deepEqual(doc.leases[a.lease_id], a);
  assert.equal(fs.statSync(ledger.path).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['leases.json'], 'no temp or lock file left behind');

  const first = ledger.read();
  assert.equal(ledger.read(), first, 'unchanged file: the same snapshot, no parse');
  const other = new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0) });
  await other.update((d) => d.put(lease()));
  assert.equal(ledger.read().leases.size, 2, 'another writer\'s change is seen');
  const revision = ledger.read().revision;
  await ledger.update(() => undefined);
  assert.equal(ledger.read().revision, revision, 'a read-only update does not write');
}));

test('concurrent read-modify-writes in one process lose nothing', withDir(async (dir) => {
  const one = new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0) });
  const two = new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0) });
  const all = Array.from({ length: 60 }, () => lease());
  await Promise.all(all.map((l, i) => (i % 2 ? one : two).update((d) => d.put(l))));
  assert.equal(one.read().leases.size, 60);
}));

test('several processes writing one ledger at once lose nothing', withDir(async (dir) => {
  const script = path.join(here, 'fixtures', 'ledger-hammer.ts');
  const children = ['a', 'b', 'c'].map((tag) => spawn(process.execPath, ['--import', 'tsx', script, dir, '25', tag], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const codes = await Promise.all(children.map((c) => new Promise<number | null>((resolve) => c.on('exit', resolve))));
  assert.deepEqual(codes, [0, 0, 0]);
  const leases = [...new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0) }).read().leases.values()];
  assert.equal(leases.length, 75);
  for (const tag of ['a', 'b', 'c']) assert.equal(leases.filter((l) => l.role === `hammer-${tag}`).length, 25);
}));

test('a lock left by a dead process is taken over at once', withDir(async (dir) => {
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  fs.writeFileSync(path.join(dir, 'state.lock'), JSON.stringify({ host: os.hostname(), pid: deadPid, nonce: 'x' }));
  const ledger = new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0), lockTimeoutMs: 2000 });
  await ledger.update((d) => d.put(lease()));
  assert.equal(ledger.read().leases.size, 1);
  assert.ok(!fs.existsSync(path.join(dir, 'state.lock')), 'released');
}));

test('a lock held by a live process makes the writer wait, then give up with state-unavailable', withDir(async (dir) => {
  fs.writeFileSync(path.join(dir, 'state.lock'), JSON.stringify({ host: os.hostname(), pid: process.pid, nonce: 'held' }));
  const ledger = new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0), lockTimeoutMs: 300, lockStaleMs: 60_000 });
  await assert.rejects(ledger.update((d) => d.put(lease())), (e: Error & { kind?: string }) => e.kind === 'state-unavailable' && /state lock/.test(e.message));
  assert.equal(ledger.read().leases.size, 0);
}));

test('a truncated ledger is backed up (never lost), reported, and flagged for recovery from the proxy', withDir(async (dir) => {
  const clock = new FakeClock(T0);
  const ledger = new LeaseLedger({ stateDir: dir, clock });
  await ledger.update((d) => {
    d.put(lease());
    d.put(lease());
  });
  const ledgerId = ledger.read().ledgerId;
  const text = fs.readFileSync(ledger.path, 'utf8');
  const truncated = text.slice(0, Math.floor(text.length / 2));
  fs.writeFileSync(ledger.path, truncated);
  assert.equal(salvageLedgerId(truncated), ledgerId);

  const reader = new LeaseLedger({ stateDir: dir, clock });
  const snap = reader.read();
  assert.equal(snap.leases.size, 0, 'reads as empty, does not crash');
  assert.equal(snap.recoveryNeeded, true);

  await reader.update(() => undefined);
  const backups = fs.readdirSync(dir).filter((f) => f.startsWith('leases.json.corrupt-'));
  assert.equal(backups.length, 1);
  assert.equal(fs.readFileSync(path.join(dir, backups[0] as string), 'utf8'), truncated, 'the backup holds the damaged file as it was');
  const notices = reader.takeNotices().map((n) => n.text);
  assert.equal(notices.length, 1);
  assert.match(notices[0] as string, /backed up to .*leases\.json\.corrupt-/);
  const fresh = reader.read();
  assert.equal(fresh.recoveryNeeded, true);
  assert.equal(fresh.ledgerId, ledgerId, 'the ledger id survives the truncation');
}));

test('a ledger from a newer Keyfob is refused rather than overwritten', withDir(async (dir) => {
  const file = path.join(dir, 'leases.json');
  fs.writeFileSync(file, JSON.stringify({ ledger_id: randomUUID(), format_version: LEDGER_FORMAT_VERSION + 1, revision: 1, leases: {}, claims: {} }));
  const ledger = new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0) });
  await assert.rejects(ledger.update(() => undefined), (e: Error & { kind?: string }) => e.kind === 'state-unavailable' && /newer Keyfob/.test(e.message));
  assert.match(fs.readFileSync(file, 'utf8'), new RegExp(`"format_version":${LEDGER_FORMAT_VERSION + 1}`));
}));

test('ended leases are pruned after 30 days; irrevocable ones are kept', withDir(async (dir) => {
  const clock = new FakeClock(T0);
  const ledger = new LeaseLedger({ stateDir: dir, clock });
  const old = new Date(T0 - 31 * 86_400_000).toISOString();
  await ledger.update((d) => {
    d.put(lease({ state: 'revoked', ended_at: old }));
    d.put(lease({ state: 'expired', ended_at: new Date(T0).toISOString() }));
    d.put(lease({ state: 'irrevocable', ended_at: old }));
    d.put(lease());
  });
  const states = [...ledger.read().leases.values()].map((l) => l.state).sort();
  assert.deepEqual(states, ['active', 'expired', 'irrevocable']);
}));

/** Counts fsync calls (file and directory) while `fn` runs. */
async function fsyncsDuring(fn: () => Promise<unknown>): Promise<number> {
  const fsyncSync = fs.fsyncSync;
  let count = 0;
  fs.fsyncSync = (fd: number) => {
    count++;
    fsyncSync(fd);
  };
  try {
    await fn();
  } finally {
    fs.fsyncSync = fsyncSync;
  }
  return count;
}

test('only write-ahead changes are fsynced (file and directory): pending, entering revoking, the first write', withDir(async (dir) => {
  const ledger = new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0) });
  const a = lease({ state: 'pending', token_hash: null, expires_at: null });
  const id = a.lease_id;
  const at = (state: Lease['state'], over: Partial<Lease> = {}) => (d: Parameters<Parameters<LeaseLedger['update']>[0]>[0]) => d.put({ ...(d.get(id) as Lease), state, ...over });
  assert.equal(await fsyncsDuring(() => ledger.update(() => undefined)), 2, 'the first write creates the ledger (and its id)');
  assert.equal(await fsyncsDuring(() => ledger.update((d) => d.put(a))), 2, 'pending: before /key/generate');
  assert.equal(await fsyncsDuring(() => ledger.update(at('active', { token_hash: 'b'.repeat(64) }))), 0, 'active');
  assert.equal(await fsyncsDuring(() => ledger.update(at('active', { expires_at: new Date(T0 + 7200_000).toISOString() }))), 0, 'a renewal');
  assert.equal(await fsyncsDuring(() => ledger.update((d) => d.setClaim(id, { owner: 'x', host: 'h', pid: 1, until: new Date(T0).toISOString() }))), 0, 'a claim');
  assert.equal(await fsyncsDuring(() => ledger.update(at('revoking'))), 2, 'revoking: before /key/delete');
  assert.equal(await fsyncsDuring(() => ledger.update(at('revoking', { revoke_attempts: 1 }))), 0, 'a retry count');
  assert.equal(await fsyncsDuring(() => ledger.update(at('revoked', { ended_at: new Date(T0).toISOString() }))), 0, 'ended');
  assert.equal(await fsyncsDuring(() => ledger.update(() => undefined)), 0, 'no change: no write at all');
  assert.equal(ledger.read().leases.get(id)?.state, 'revoked');
}));

test('the ledger text is exactly JSON.stringify of the document, however it was built', withDir(async (dir) => {
  const ledger = new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0) });
  const leases = [
    lease(),
    lease({ state: 'revoking', last_error: { kind: 'server-error', message: 'naïve “quotes” \\ and \n', hint: null, fields: [], status: 500 } as unknown as Lease['last_error'] }),
    lease({ models: ['a', 'b/c', '\u2028'], max_budget: 12.5 }),
  ];
  await ledger.update((d) => leases.forEach((l) => d.put(l)));
  await ledger.update((d) => d.put({ ...(d.get(leases[0]!.lease_id) as Lease), expires_at: null })); // cached entries and a fresh one
  await ledger.update((d) => d.setClaim(leases[1]!.lease_id, { owner: 'h:1:x', host: 'h', pid: 1, until: new Date(T0).toISOString() }));
  const text = fs.readFileSync(ledger.path, 'utf8');
  const doc = JSON.parse(text) as LedgerDocument;
  assert.equal(text, JSON.stringify(doc));
  assert.equal(serializeLedger(doc), JSON.stringify(doc));
  assert.equal(doc.leases[leases[0]!.lease_id]?.expires_at, null);
  assert.equal(Object.keys(doc.leases).length, 3);
}));

test('snapshots are frozen all the way down; a failed write leaves the ledger as it was', withDir(async (dir) => {
  const ledger = new LeaseLedger({ stateDir: dir, clock: new FakeClock(T0) });
  const a = lease();
  await ledger.update((d) => d.put(a));
  const snap = ledger.read();
  assert.throws(() => (snap.leases.get(a.lease_id)?.models as string[]).push('x'));

  const renameSync = fs.renameSync;
  fs.renameSync = () => {
    throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
  };
  try {
    await assert.rejects(ledger.update((d) => d.put(lease())), (e: Error & { kind?: string }) => e.kind === 'state-unavailable');
  } finally {
    fs.renameSync = renameSync;
  }
  assert.deepEqual([...ledger.read().leases.keys()], [a.lease_id], 'the failed change is not seen');
  const b = lease();
  await ledger.update((d) => d.put(b));
  assert.deepEqual(Object.keys((JSON.parse(fs.readFileSync(ledger.path, 'utf8')) as LedgerDocument).leases).sort(), [a.lease_id, b.lease_id].sort(), 'nor written later');
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
}));

test('a lease whose expires_at is not a date is rejected at load: the ledger is backed up and rebuilt, with the reason named', withDir(async (dir) => {
  const clock = new FakeClock(T0);
  const writer = new LeaseLedger({ stateDir: dir, clock });
  const bad = lease();
  await writer.update((d) => d.put(bad));
  const file = path.join(dir, 'leases.json');
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as LedgerDocument;
  (doc.leases[bad.lease_id] as unknown as Record<string, unknown>).expires_at = 'next tuesday';
  fs.writeFileSync(file, JSON.stringify(doc));

  // Before the fix the lease was loaded as active with an expiry nobody could read: it never expired.
  const reader = new LeaseLedger({ stateDir: dir, clock });
  assert.equal(reader.read().leases.size, 0);
  assert.equal(reader.read().recoveryNeeded, true);
  await reader.update(() => undefined);
  const [notice] = reader.takeNotices().map((n) => n.text);
  assert.match(notice ?? '', /has an unreadable expires_at, not a date \("next tuesday"\)/);
  assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('leases.json.corrupt-')), 'the file is kept as a backup');
}));

test('a ledger written before lease scopes reads every lease as free, with no owner', withDir(async (dir) => {
  const clock = new FakeClock(T0);
  const old = lease();
  const { scope: _scope, owner: _owner, ...withoutScope } = old;
  const doc = { ledger_id: randomUUID(), format_version: LEDGER_FORMAT_VERSION, revision: 3, recovery_needed: false, leases: { [old.lease_id]: withoutScope }, claims: {} };
  fs.writeFileSync(path.join(dir, 'leases.json'), JSON.stringify(doc));
  const read = new LeaseLedger({ stateDir: dir, clock }).read().leases.get(old.lease_id);
  assert.equal(read?.scope, 'free');
  assert.equal(read?.owner, null);
}));

test('a format-1 ledger (before backends) reads every lease as issued by LiteLLM with no backend ref, and is written back as the current format', withDir(async (dir) => {
  const clock = new FakeClock(T0);
  const old = lease();
  const { backend: _backend, backend_ref: _ref, ...v1 } = old;
  const doc = { ledger_id: randomUUID(), format_version: 1, revision: 3, recovery_needed: false, leases: { [old.lease_id]: v1 }, claims: {} };
  fs.writeFileSync(path.join(dir, 'leases.json'), JSON.stringify(doc));
  const ledger = new LeaseLedger({ stateDir: dir, clock });
  const read = ledger.read().leases.get(old.lease_id);
  assert.equal(read?.backend, 'litellm');
  assert.equal(read?.backend_ref, null);
  await ledger.update((d) => d.put({ ...(read as Lease), key_hint: 'sk-...new1' }));
  const written = JSON.parse(fs.readFileSync(ledger.path, 'utf8')) as { format_version: number; leases: Record<string, Lease> };
  assert.equal(written.format_version, LEDGER_FORMAT_VERSION);
  assert.equal(written.leases[old.lease_id]?.backend, 'litellm');
  assert.equal(written.leases[old.lease_id]?.backend_ref, null);
}));

test('a current-format lease naming no known backend makes the ledger unreadable (backed up, rebuilt), never guessed', withDir(async (dir) => {
  const clock = new FakeClock(T0);
  const bad = { ...lease(), backend: 'ftp' };
  const doc = { ledger_id: randomUUID(), format_version: LEDGER_FORMAT_VERSION, revision: 3, recovery_needed: false, leases: { [bad.lease_id]: bad }, claims: {} };
  fs.writeFileSync(path.join(dir, 'leases.json'), JSON.stringify(doc));
  const ledger = new LeaseLedger({ stateDir: dir, clock });
  await ledger.update(() => undefined);
  const [notice] = ledger.takeNotices();
  assert.equal(notice?.kind, 'ledger-backed-up');
  assert.match(notice?.text ?? '', /names no known backend/);
  assert.equal(ledger.read().recoveryNeeded, true);
}));
