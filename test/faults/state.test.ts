// Local state gone wrong: a corrupted settings file (backed up, reported, never wiped), a truncated lease ledger
// (backed up, rebuilt from the proxy), and a state directory that cannot be written (reads work, nothing reaches the
// proxy without its write-ahead record, and the person is told which directory).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import keytar from '@github/keytar';
import type { KeyfobError } from '../../main/core/errors.js';
import { keychainServiceFor } from '../../main/core/settings/paths.js';
import { openSettingsStore } from '../../main/core/settings/settings-store.js';
import { ADMIN_KEY, chat, harness, ledgerVersusServer } from '../core/leases/helpers.js';
import { startSimulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome } from '../cli/harness.js';
import { CONSISTENT, assertNothingLost, restart } from './support.js';

const backupsOf = (dir: string, file: string) => fs.readdirSync(dir).filter((f) => f.startsWith(`${file}.corrupt-`)).map((f) => path.join(dir, f));

// ── the settings file ──────────────────────────────────────────────────────────────────────────────────────────

const CORRUPT_SETTINGS: ReadonlyArray<{ name: string; damage: (text: string) => Buffer; reason: RegExp }> = [
  { name: 'cut in the middle of a write', damage: (t) => Buffer.from(t.slice(0, Math.floor(t.length / 2))), reason: /not valid JSON/ },
  { name: 'emptied', damage: () => Buffer.alloc(0), reason: /the file is empty/ },
  { name: 'overwritten with binary garbage', damage: () => Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x00, 0x80, 0x22]), reason: /not valid JSON/ },
  {
    name: 'valid JSON that breaks the schema',
    damage: (t) => Buffer.from(t.replace('"request_timeout_seconds": 5', '"request_timeout_seconds": "soon"')),
    reason: /request_timeout_seconds/,
  },
];

describe('the settings file corrupted', { concurrency: true }, () => {
  for (const row of CORRUPT_SETTINGS) {
    test(`${row.name}: moved aside byte for byte, reported, the ledger untouched`, async () => {
      const h = await harness();
      try {
        const { lease } = await h.core.leases.issue('dev');
        await h.core.stop();
        const configPath = h.settingsStore.path;
        const original = fs.readFileSync(configPath);
        const damaged = row.damage(original.toString('utf8'));
        assert.notDeepEqual(damaged, original, 'the damage changed the file');
        fs.writeFileSync(configPath, damaged);
        const ledgerBefore = fs.readFileSync(h.core.ledger.path);

        const core = h.reopen({ settingsStore: openSettingsStore({ stateDir: h.stateDir, clock: h.clock }) });
        await core.start();
        const notices = core.takeNotices().map((n) => n.text);
        const notice = notices.find((n) => /could not use its settings file/.test(n));
        assert.ok(notice, notices.join('\n'));
        assert.match(notice, row.reason);
        assert.match(notice, /your previous roles and settings are still in that file/);
        const [backup] = backupsOf(h.stateDir, 'config.json');
        assert.ok(backup && notice.includes(backup), 'the notice names the backup');
        assert.deepEqual(fs.readFileSync(backup), damaged, 'not wiped: the damaged file is kept as it was');
        assert.deepEqual(core.listRoles(), [], 'Keyfob runs on defaults until the person restores or reconnects');
        assert.deepEqual(fs.readFileSync(h.core.ledger.path), ledgerBefore, 'the lease ledger is untouched');
        assert.equal(core.leases.get(lease.lease_id).state, 'active');
      } finally {
        await h.close();
      }
    });
  }

  test('the CLI reports the backup on stderr and carries on (exit 0)', async () => {
    assertBuilt();
    const home = tempHome('faults-settings');
    const role = await keyfob(['role', 'set', 'dev', '--ttl', '1h'], { home });
    assert.equal(role.code, 0, show(role));
    fs.writeFileSync(path.join(home, 'config.json'), '{"schema_version": 1, "settings": {');
    const list = await keyfob(['role', 'list'], { home });
    assert.equal(list.code, 0, show(list));
    assert.match(list.stderr, /^keyfob: Keyfob could not use its settings file \(it is not valid JSON\)\. It was moved to .*config\.json\.corrupt-/m, show(list));
    assert.equal(fs.readFileSync(backupsOf(home, 'config.json')[0] as string, 'utf8'), '{"schema_version": 1, "settings": {');
  });
});

// ── the lease ledger ───────────────────────────────────────────────────────────────────────────────────────────

const TRUNCATIONS: ReadonlyArray<{ name: string; cut: (text: string) => string; reason: RegExp; loseOneSecret: boolean }> = [
  { name: 'cut in the middle', cut: (t) => t.slice(0, Math.floor(t.length * 0.6)), reason: /not valid JSON \(truncated\?\)/, loseOneSecret: true },
  { name: 'cut to its first bytes', cut: (t) => t.slice(0, 20), reason: /not valid JSON/, loseOneSecret: false },
  { name: 'emptied', cut: () => '', reason: /empty file/, loseOneSecret: false },
];

describe('the lease ledger truncated', { concurrency: true }, () => {
  for (const row of TRUNCATIONS) {
    test(`${row.name}: backed up, reported, rebuilt from the proxy; keys with their secret kept, the rest revoked`, async () => {
      const h = await harness();
      try {
        const issued = [await h.core.leases.issue('dev'), await h.core.leases.issue('dev'), await h.core.leases.issue('dev')];
        const [kept, other, gone] = issued;
        await h.core.leases.revoke(gone!.lease.lease_id);
        if (row.loseOneSecret) await h.keychain.delete(`lease:${other!.lease.lease_id}`);
        await h.core.stop();
        const cut = row.cut(fs.readFileSync(h.core.ledger.path, 'utf8'));
        fs.writeFileSync(h.core.ledger.path, cut);

        const { core, report } = await restart(h);
        const notices = core.takeNotices().map((n) => n.text);
        const damaged = notices.find((n) => /lease ledger .* was unreadable/.test(n));
        assert.ok(damaged, notices.join('\n'));
        assert.match(damaged, row.reason);
        const [backup] = backupsOf(h.stateDir, 'leases.json');
        assert.ok(backup && damaged.includes(backup), 'the notice names the backup');
        assert.equal(fs.readFileSync(backup, 'utf8'), cut, 'the damaged ledger is kept as it was');
        const usable = row.loseOneSecret ? 1 : 2;
        assert.ok(notices.some((n) => n.includes(`Recovered 2 lease(s) from the proxy: ${usable} still usable`)), notices.join('\n'));
        assert.equal(report.revoked, 2 - usable, JSON.stringify(report));

        assert.equal(core.leases.get(kept!.lease.lease_id).state, 'active');
        assert.equal(await core.leases.revealKey(kept!.lease.lease_id), kept!.key);
        assert.equal((await chat(h.sim, kept!.key)).status, 200);
        assert.equal((await chat(h.sim, other!.key)).status, row.loseOneSecret ? 401 : 200, 'a key without its secret is of no use: revoked');
        assertNothingLost(core, h.sim);
      } finally {
        await h.close();
      }
    });
  }
});

// ── a state directory that cannot be written ───────────────────────────────────────────────────────────────────

interface ReadOnly {
  how: string;
  restore(): void;
}

function refusesWrites(dir: string): boolean {
  const probe = path.join(dir, '.write-probe');
  try {
    fs.writeFileSync(probe, 'x');
    fs.unlinkSync(probe);
    return false;
  } catch {
    return true;
  }
}

function quietly(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `dir` refuse writes even to root, who ignores permission bits (the tests run as root): `chmod 0500` for
 * anyone else; as root the immutable attribute (the kernel refuses every change with EPERM; needs ext4, xfs or
 * btrfs), else a read-only bind mount (EROFS; any file system, needs CAP_SYS_ADMIN). Each is checked by a real write.
 */
function makeReadOnly(dir: string): ReadOnly | null {
  const candidates: Array<{ how: string; apply: () => boolean; restore: () => void }> = [
    {
      how: 'chmod 0500',
      apply: () => {
        fs.chmodSync(dir, 0o500);
        return true;
      },
      restore: () => fs.chmodSync(dir, 0o700),
    },
    { how: 'the immutable attribute (chattr +i)', apply: () => quietly('chattr', ['+i', dir]), restore: () => void quietly('chattr', ['-i', dir]) },
    {
      how: 'a read-only bind mount',
      apply: () => quietly('mount', ['--bind', dir, dir]) && quietly('mount', ['-o', 'remount,ro,bind', dir]),
      restore: () => void quietly('umount', [dir]),
    },
  ];
  for (const c of candidates) {
    if (c.apply() && refusesWrites(dir)) return { how: c.how, restore: c.restore };
    c.restore();
  }
  return null;
}

test('a read-only state directory: reads work; issue, revoke and settings changes refuse before the proxy is asked', async (t) => {
  const h = await harness();
  let readOnly: ReadOnly | null = null;
  try {
    const { lease, key } = await h.core.leases.issue('dev');
    await h.core.stop();
    readOnly = makeReadOnly(h.stateDir);
    if (!readOnly) {
      t.skip('no way to make a directory read-only here (chmod is ignored by root, chattr and mount unavailable)');
      return;
    }
    t.diagnostic(`read-only by ${readOnly.how}`);

    // A new process on the read-only directory: it opens, reads and reports.
    const core = h.reopen({ settingsStore: openSettingsStore({ stateDir: h.stateDir, clock: h.clock }) });
    const report = await core.start();
    assert.equal(report.resumed, 1);
    const notices = core.takeNotices().map((n) => n.text);
    const unwritable = /Keyfob's state directory .* (is not writable|is on a read-only file system)/;
    assert.ok(notices.some((n) => unwritable.test(n) && n.includes(h.stateDir)), notices.join('\n'));
    assert.equal(core.leases.get(lease.lease_id).state, 'active', 'the ledger is still read');
    await core.leases.copyLeaseKey(lease.lease_id);
    assert.equal(h.clipboard.text, key, 'copying needs no write');

    const sent = h.sim.requests.length;
    const refused = (e: KeyfobError) => e.kind === 'state-unavailable' && unwritable.test(e.message) && /--home|KEYFOB_HOME/.test(e.hint ?? '');
    await assert.rejects(core.leases.issue('dev'), refused);
    await assert.rejects(core.leases.revoke(lease.lease_id), refused);
    assert.equal(h.sim.requests.length, sent, 'nothing was sent without its write-ahead record');
    assert.throws(() => core.updateSettings({ clipboard_clear_seconds: 10 }), (e: KeyfobError) => e.kind === 'state-unavailable' && e.message.includes(h.stateDir));
    assert.equal(core.leases.get(lease.lease_id).state, 'active');
    assert.equal((await chat(h.sim, key)).status, 200);
    assert.deepEqual(ledgerVersusServer(core, h.sim), CONSISTENT);

    readOnly.restore();
    readOnly = null;
    const { core: next } = await restart(h, core);
    assert.equal((await next.leases.revoke(lease.lease_id)).state, 'revoked');
    assertNothingLost(next, h.sim);
  } finally {
    readOnly?.restore();
    await h.close();
  }
});

test('the CLI on a read-only home: exit 1, the directory named, no key left on the proxy', async (t) => {
  assertBuilt();
  const sim = await startSimulator({ masterKey: ADMIN_KEY });
  const home = tempHome('faults-readonly');
  let readOnly: ReadOnly | null = null;
  try {
    const connect = await keyfob(['connect', '--url', sim.url], { home, stdin: ADMIN_KEY });
    assert.equal(connect.code, 0, show(connect));
    assert.equal((await keyfob(['role', 'set', 'dev', '--ttl', '1h'], { home })).code, 0);
    readOnly = makeReadOnly(home);
    if (!readOnly) {
      t.skip('no way to make a directory read-only here');
      return;
    }
    const issue = await keyfob(['issue', 'dev'], { home });
    assert.equal(issue.code, 1, show(issue));
    assert.match(issue.stderr, /^keyfob: Keyfob's state directory .* (is not writable|is on a read-only file system)/m, show(issue));
    assert.equal(issue.stdout, '', 'no key printed');
    assert.equal(sim.keys().length, 0);
  } finally {
    readOnly?.restore();
    await keytar.deletePassword(keychainServiceFor(home), 'admin-key').catch(() => false);
    await sim.close();
  }
});
