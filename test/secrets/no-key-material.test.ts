// After a session that connects, issues, copies, reveals, renews (by hand and on its own), revokes and fails in every
// way the proxy can — including a proxy that echoes keys back in its error bodies — no key material is anywhere a
// person or a log could see it: not in the state directory (backups included), the audit log, error messages (as
// thrown, serialised, or inspected with their causes), notifications, lease events, notices, or anything printed.
// Once through the core, once through the real `keyfob` binary. (That the window never receives the admin key is
// asserted on every IPC payload by the browser tests: test/window/harness.ts, assertClean.)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { inspect } from 'node:util';
import { describe, mock, test } from 'node:test';
import keytar from '@github/keytar';
import { toKeyfobError } from '../../main/core/errors.js';
import { createKeyfobCore } from '../../main/core/keyfob-core.js';
import { keychainServiceFor } from '../../main/core/settings/paths.js';
import { KeytarSecretStore } from '../../main/core/keychain/secret-store.js';
import { openSettingsStore } from '../../main/core/settings/settings-store.js';
import { FakeClock, flush } from '../support/fake-clock.js';
import { startSimulator } from '../sim/index.js';
import type { Simulator } from '../sim/index.js';
import { FakeActivity, MemoryClipboard, RecordingNotifier, START, tempStateDir, uniqueService } from '../core/leases/helpers.js';
import { assertBuilt, keyfob, show, tempHome } from '../cli/harness.js';
import type { RunResult } from '../cli/harness.js';
import { filesUnder, scan, scanTree } from './scan.js';
import type { Finding } from './scan.js';

const randomKey = (label: string) => `sk-${label}-${randomBytes(18).toString('base64url')}`;

/** A proxy error body that quotes keys back, as LiteLLM does with the key it was handed in some messages. */
function echoing(...keys: string[]): string {
  return JSON.stringify({ error: { message: `Invalid key(s): ${keys.join(', ')}`, type: 'internal_server_error', param: 'None', code: '500' } });
}

describe('no key material anywhere', { concurrency: true }, () => {
  test('through the core: state directory, audit log, errors, notifications, events, notices, console', async () => {
    const adminKey = randomKey('admin');
    const wrongKey = randomKey('wrong');
    const clock = new FakeClock(START);
    const sim = await startSimulator({ masterKey: adminKey, startTime: START });
    sim.clock.now = () => clock.now();
    const stateDir = tempStateDir();
    const service = uniqueService();
    const keychain = new KeytarSecretStore({ service });
    const notifier = new RecordingNotifier();
    const clipboard = new MemoryClipboard();
    const secrets = [adminKey, wrongKey];
    const shown: Array<{ where: string; text: string }> = [];
    const consoleSpies = (['log', 'error', 'warn', 'info', 'debug'] as const).map((m) => mock.method(console, m));
    const stderr = mock.method(process.stderr, 'write');
    const open = () => createKeyfobCore({
      stateDir,
      settingsStore: openSettingsStore({ stateDir, clock }),
      secretStore: keychain,
      clock,
      clipboard,
      activity: new FakeActivity(),
      notifier,
      random: () => 0.5,
      watchLedger: false,
    });
    let core = open();
    core.leases.on((e) => shown.push({ where: `event ${e.type}`, text: JSON.stringify(e) }));
    const settle = async () => {
      await flush();
      await core.leases.settled();
    };
    /** Runs a step that may fail, keeping everything a person could be shown of the failure. */
    const attempt = async (label: string, step: () => Promise<unknown>) => {
      try {
        return await step();
      } catch (e) {
        const err = toKeyfobError(e);
        shown.push({ where: `${label}: message`, text: `${err.message}\n${err.hint ?? ''}` });
        shown.push({ where: `${label}: JSON`, text: JSON.stringify(err) });
        shown.push({ where: `${label}: inspected`, text: inspect(e, { depth: 6 }) });
        return undefined;
      }
    };

    try {
      await attempt('connect with a wrong key', () => core.connect({ url: sim.url, adminKey: wrongKey }));
      await core.connect({ url: sim.url, adminKey });
      core.updateSettings({ request_timeout_seconds: 1 });
      core.saveRole({ name: 'dev', models: ['gpt-4o'], ttl: '1h', max_ttl: '3h', metadata: { owner: 'secrets-test' } });
      await core.start();

      const a = await core.leases.issue('dev');
      const b = await core.leases.issue('dev');
      secrets.push(a.key, b.key);
      await core.leases.copyLeaseKey(a.lease.lease_id);
      const copied = await core.leases.copyRoleKey('dev');
      secrets.push(await core.leases.revealKey(copied.lease.lease_id));
      await core.leases.renew(a.lease.lease_id, 1800, { allowShorten: true }); // shorter than the hour it has: asked for
      await clock.advance(45 * 60_000, settle); // automatic renewals at the renew points

      // The proxy fails, sometimes quoting the keys (and the admin key) back.
      sim.fault('/key/update', { kind: 'fail', status: 500, body: echoing(a.key, adminKey) });
      await attempt('renew, JSON 500 quoting keys', () => core.leases.renew(a.lease.lease_id));
      sim.fault('/key/update', { kind: 'fail', status: 500, contentType: 'text', body: `Traceback: bad key ${b.key} (admin ${adminKey})` });
      await attempt('renew, text 500 quoting keys', () => core.leases.renew(b.lease.lease_id));
      sim.fault('/key/generate', { kind: 'reset', afterProcessing: true });
      await attempt('issue, reset', () => core.leases.issue('dev'));
      sim.fault('/key/generate', { kind: 'hang' });
      await attempt('issue, hang', () => core.leases.issue('dev'));
      sim.masterKey = randomKey('rotated');
      secrets.push(sim.masterKey);
      await attempt('renew, admin key rotated', () => core.leases.renew(a.lease.lease_id));
      sim.masterKey = adminKey;
      sim.databaseConnected = false;
      await attempt('issue, no database', () => core.leases.issue('dev'));
      sim.databaseConnected = true;

      // A revocation that keeps failing, its error quoting the key: written to the ledger, the audit log and a
      // notification each time, until Keyfob gives up and names the key by its hint.
      sim.fault('/key/delete', { kind: 'fail', status: 400, count: Infinity, body: echoing(b.key) });
      await core.leases.revoke(b.lease.lease_id);
      await clock.advance(40 * 60_000, settle);
      assert.equal(core.leases.get(b.lease.lease_id).state, 'irrevocable', 'the scenario reached the give-up notification');
      sim.clearFaults();
      await core.leases.revokeAll({ reason: 'revoked by the secrets test' });
      await attempt('copy a revoked key', () => core.leases.copyLeaseKey(a.lease.lease_id));
      await attempt('reveal a revoked key', () => core.leases.revealKey(b.lease.lease_id));

      // A restart over a damaged ledger: the backup and the recovery notices are scanned too.
      const c = await core.leases.issue('dev');
      secrets.push(c.key);
      await core.stop();
      fs.writeFileSync(core.ledger.path, fs.readFileSync(core.ledger.path, 'utf8').slice(0, 300));
      core = open();
      await core.start();
      await core.leases.revokeAll();
      await core.stop();

      for (const n of core.takeNotices()) shown.push({ where: 'notice', text: n.text });
      for (const n of notifier.sent) shown.push({ where: `notification "${n.title}"`, text: n.body });
      shown.push({ where: 'audit log (read)', text: JSON.stringify(core.auditLog(10_000)) });
      shown.push({ where: 'lease list', text: JSON.stringify(core.leases.list({ all: true })) });
      for (const m of consoleSpies) for (const call of m.mock.calls) shown.push({ where: 'console', text: inspect(call.arguments) });
      for (const call of stderr.mock.calls) shown.push({ where: 'stderr', text: String(call.arguments[0]) });

      const findings: Finding[] = [...scanTree(stateDir, secrets), ...shown.flatMap((s) => scan(s.where, s.text, secrets))];
      assert.deepEqual(findings, []);
      // The scan looked where it says: the files exist, and the hints it allows are there.
      const files = filesUnder(stateDir);
      for (const f of ['config.json', 'leases.json', 'audit.log']) assert.ok(files.includes(f), files.join(', '));
      assert.ok(files.some((f) => f.startsWith('leases.json.corrupt-')), files.join(', '));
      assert.ok(notifier.sent.some((n) => n.body.includes(b.lease.key_hint as string)), 'the hint, not the key, names the irrevocable key');
      assert.ok(shown.some((s) => s.where.startsWith('renew, JSON 500') && s.text.includes('Invalid key(s): sk-...')), 'the echoed keys were there to redact');
    } finally {
      for (const m of consoleSpies) m.mock.restore();
      stderr.mock.restore();
      await core.stop();
      await keychain.delete('admin-key').catch(() => false);
      await sim.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('through the keyfob binary: every line printed (bar the key an issue prints on purpose) and the home directory', async () => {
    assertBuilt();
    const adminKey = randomKey('admin');
    const wrongKey = randomKey('wrong');
    const sim: Simulator = await startSimulator({ masterKey: adminKey });
    const home = tempHome('secrets');
    const secrets = [adminKey, wrongKey];
    const printed: Array<{ where: string; text: string }> = [];
    const run = async (args: string[], opts: { stdin?: string; keyOnStdout?: boolean; expect?: number } = {}): Promise<RunResult> => {
      const r = await keyfob(args, { home, ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }) });
      if (opts.expect !== undefined) assert.equal(r.code, opts.expect, `keyfob ${args.join(' ')}: ${show(r)}`);
      printed.push({ where: `keyfob ${args.join(' ')} (stderr)`, text: r.stderr });
      if (!opts.keyOnStdout) printed.push({ where: `keyfob ${args.join(' ')} (stdout)`, text: r.stdout });
      return r;
    };
    try {
      await run(['connect', '--url', sim.url], { stdin: `${wrongKey}\n`, expect: 1 });
      await run(['connect', '--url', sim.url], { stdin: `${adminKey}\n`, expect: 0 });
      await run(['status', '--json'], { expect: 0 });
      await run(['role', 'set', 'dev', '--ttl', '1h', '--max-ttl', '3h', '--models', 'gpt-4o'], { expect: 0 });

      const plain = await run(['issue', 'dev'], { keyOnStdout: true, expect: 0 });
      const asJson = await run(['issue', 'dev', '--json'], { keyOnStdout: true, expect: 0 });
      const asEnv = await run(['issue', 'dev', '--env', 'openai'], { keyOnStdout: true, expect: 0 });
      const issued = JSON.parse(asJson.stdout) as { lease_id: string; key: string };
      secrets.push(plain.stdout.trim(), issued.key, /OPENAI_API_KEY='?([^'\n]+)/.exec(asEnv.stdout)?.[1] ?? 'missing');
      assert.ok(secrets.slice(-3).every((k) => k.startsWith('sk-')), 'the issued keys were read back for the scan');

      await run(['lease', 'list'], { expect: 0 });
      await run(['lease', 'list', '--all', '--json'], { expect: 0 });
      await run(['lease', 'renew', issued.lease_id, '--increment', '1h'], { expect: 0 }); // 30m would shorten it: refused
      sim.fault('/key/update', { kind: 'fail', status: 500, body: echoing(issued.key, adminKey) });
      await run(['lease', 'renew', issued.lease_id], { expect: 1 });
      sim.masterKey = randomKey('rotated');
      secrets.push(sim.masterKey);
      await run(['lease', 'renew', issued.lease_id], { expect: 1 });
      sim.masterKey = adminKey;
      sim.databaseConnected = false;
      await run(['issue', 'dev'], { keyOnStdout: true, expect: 1 });
      sim.databaseConnected = true;
      sim.fault('/key/delete', { kind: 'fail', status: 400, body: echoing(issued.key) });
      await run(['lease', 'revoke', issued.lease_id], { expect: 1 });
      await run(['exec', 'dev', '--', 'sh', '-c', 'exit 3'], { expect: 3 });
      await run(['lease', 'revoke', '--all'], { expect: 0 });
      await run(['models'], { expect: 0 });
      await run(['log', '-n', '200'], { expect: 0 });
      await run(['log', '--json', '-n', '200'], { expect: 0 });

      const findings = [...scanTree(home, secrets), ...printed.flatMap((p) => scan(p.where, p.text, secrets))];
      assert.deepEqual(findings, []);
      assert.ok(printed.some((p) => /keyfob lease renew .*stderr/.test(p.where) && /Invalid key\(s\): sk-\.\.\./.test(p.text)), 'the echoed key was there to redact');
      assert.equal(sim.keys().length, 0);
    } finally {
      await keytar.deletePassword(keychainServiceFor(home), 'admin-key').catch(() => false);
      await sim.close();
    }
  });
});
