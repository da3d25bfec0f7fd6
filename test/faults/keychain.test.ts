// The keychain failing under a running Keyfob: a process without a D-Bus session (the keychain unavailable), and a
// keychain locked after Keyfob read its admin key. The person is told it is the keychain; no key is left on the proxy
// that Keyfob does not know; what could not be finished is finished by the next process that has a keychain.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import keytar from '@github/keytar';
import { keychainServiceFor } from '../../main/core/settings/paths.js';
import { ADMIN_KEY, harness, ledgerVersusServer } from '../core/leases/helpers.js';
import { startSimulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome } from '../cli/harness.js';
import type { KeychainPlan, KeychainStep, StepResult } from './fixtures/keychain-worker.js';
import { hasCommand, withoutSession } from '../support/session-env.js';
import { CONSISTENT, assertNothingLost, restart } from './support.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = fileURLToPath(new URL('./fixtures/keychain-worker.ts', import.meta.url));
/** A revocation the child could not send is retried by the next process after its back-off. */
const RETRY_SLACK_MS = 60_000;

async function worker(plan: KeychainPlan, opts: { privateKeyring: boolean }): Promise<Map<string, StepResult[]>> {
  const node = [process.execPath, '--import', 'tsx', WORKER, JSON.stringify(plan)];
  const argv = opts.privateKeyring
    ? ['dbus-run-session', '--', 'bash', '-c', 'echo -n keyfob-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"', 'bash', ...node]
    : node;
  const { stdout } = await run(argv[0] as string, argv.slice(1), { cwd: REPO, env: withoutSession('keyfob-faults-home-'), timeout: 30_000 });
  const results = new Map<string, StepResult[]>();
  for (const line of stdout.split('\n').filter((l) => l.startsWith('{'))) {
    const r = JSON.parse(line) as StepResult;
    results.set(r.op, [...(results.get(r.op) ?? []), r]);
  }
  assert.equal([...results.values()].flat().length, plan.steps.length, stdout);
  return results;
}

function failed(r: StepResult | undefined, kind: string, words: RegExp): void {
  assert.ok(r, 'the step ran');
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.error?.kind, kind, JSON.stringify(r));
  assert.match(r.error?.message ?? '', words);
}

const tools = hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon') && hasCommand('gdbus');

describe('keychain faults', { skip: tools ? false : 'needs dbus-run-session, gnome-keyring-daemon and gdbus', concurrency: true }, () => {
  test('keychain unavailable (no D-Bus session): every operation names the keychain; nothing reaches the proxy unknown', async () => {
    const h = await harness({ startTime: Date.now() });
    try {
      const { lease } = await h.core.leases.issue('dev');
      await h.core.stop();
      const generated = h.requests('/key/generate');
      const steps: KeychainStep[] = [
        { op: 'start' },
        { op: 'issue', role: 'dev' },
        { op: 'copy', lease: lease.lease_id },
        { op: 'renew', lease: lease.lease_id },
        { op: 'revoke', lease: lease.lease_id },
        { op: 'connect', url: h.sim.url, adminKey: ADMIN_KEY },
      ];
      const out = await worker({ stateDir: h.stateDir, service: h.service, steps }, { privateKeyring: false });
      assert.equal(out.get('start')?.[0]?.ok, true, 'starting without a keychain is not fatal');
      const noSession = /no D-Bus session/;
      failed(out.get('issue')?.[0], 'keychain-unavailable', noSession);
      assert.match(out.get('issue')?.[0]?.error?.hint ?? '', /gnome-keyring/);
      failed(out.get('copy')?.[0], 'keychain-unavailable', noSession);
      failed(out.get('renew')?.[0], 'keychain-unavailable', noSession);
      failed(out.get('connect')?.[0], 'keychain-unavailable', noSession);
      const revoke = out.get('revoke')?.[0];
      assert.equal(revoke?.lease?.state, 'revoking', 'the intent to revoke is kept');
      assert.equal(revoke?.lease?.last_error?.kind, 'keychain-unavailable');
      assert.equal(h.requests('/key/generate'), generated, 'no key was created without a keychain to keep it');

      // The next process with a keychain finishes the revocation.
      const { core } = await restart(h);
      assert.deepEqual(ledgerVersusServer(core, h.sim), CONSISTENT);
      await h.advance(RETRY_SLACK_MS);
      assert.equal(core.leases.get(lease.lease_id).state, 'revoked');
      assertNothingLost(core, h.sim);
    } finally {
      await h.close();
    }
  });

  test('keychain locked after connecting: the new key is deleted on the proxy at once; copy names the lock; renew and revoke still work', async () => {
    const h = await harness({ startTime: Date.now() });
    try {
      await h.core.stop();
      const steps: KeychainStep[] = [
        { op: 'connect', url: h.sim.url, adminKey: ADMIN_KEY },
        { op: 'issue', role: 'dev' },
        { op: 'lock' },
        { op: 'issue', role: 'dev' },
        { op: 'copy' },
        { op: 'renew' },
        { op: 'revoke' },
      ];
      const out = await worker({ stateDir: h.stateDir, service: h.service, steps }, { privateKeyring: true });
      const [first, second] = out.get('issue') ?? [];
      assert.equal(first?.ok, true, JSON.stringify(first));
      assert.equal(out.get('lock')?.[0]?.ok, true);
      failed(second, 'keychain-locked', /keychain is locked/);
      assert.match(second?.error?.hint ?? '', /Unlock your login keyring/);
      failed(out.get('copy')?.[0], 'keychain-locked', /locked/);
      assert.equal(out.get('renew')?.[0]?.ok, true, 'renewing needs no keychain (the admin key was read before the lock)');
      assert.equal(out.get('revoke')?.[0]?.lease?.state, 'revoked');
      assert.equal(h.requests('/key/generate'), 2);
      assert.equal(h.requests('/key/delete'), 2, 'the key the keychain refused was deleted at once, and the revoked one');
      assert.equal(h.sim.keys().length, 0);

      const { core } = await restart(h);
      assertNothingLost(core, h.sim);
    } finally {
      await h.close();
    }
  });

  test('the CLI without a keychain: exit 1 and a message naming the D-Bus session, not a stack trace', async () => {
    assertBuilt();
    const sim = await startSimulator({ masterKey: ADMIN_KEY });
    const home = tempHome('faults-keychain');
    try {
      const connect = await keyfob(['connect', '--url', sim.url], { home, stdin: ADMIN_KEY });
      assert.equal(connect.code, 0, show(connect));
      const role = await keyfob(['role', 'set', 'dev', '--ttl', '1h'], { home });
      assert.equal(role.code, 0, show(role));
      // Undefined entries are left out of the child's environment.
      const noSession = { DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined, XDG_RUNTIME_DIR: undefined, HOME: withoutSession('keyfob-faults-home-').HOME };
      const issue = await keyfob(['issue', 'dev'], { home, env: noSession });
      assert.equal(issue.code, 1, show(issue));
      assert.match(issue.stderr, /^keyfob: There is no D-Bus session/m, show(issue));
      assert.match(issue.stderr, /^hint: .*gnome-keyring/m);
      assert.doesNotMatch(issue.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(issue.stdout, '');
      assert.equal(sim.keys().length, 0);
    } finally {
      await keytar.deletePassword(keychainServiceFor(home), 'admin-key').catch(() => false);
      await sim.close();
    }
  });
});
