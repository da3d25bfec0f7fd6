// `keyfob connect --sso` end to end through the built binary: the `$BROWSER` script signs in on the simulator's
// consent page, keys are issued, renewed and revoked as the session's user, six processes share one refresh across an
// expiry, a reused refresh token signs out in one line, `logout` leaves nothing live, and no token is left anywhere.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KeytarSecretStore } from '../../main/core/keychain/index.js';
import { keychainServiceFor } from '../../main/core/settings/index.js';
import { decodeSessionRecord, encodeSessionRecord, type SsoSessionRecord } from '../../main/core/sso/index.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import { ScriptedBrowser } from '../sim/sso-browser.js';
import { filesUnder, keyMaterialIn, scanTree } from '../secrets/scan.js';
import { assertBuilt, keyfob, REPO, show, startKeyfob, collect, tempHome, type RunResult } from './harness.js';

const BROWSER = `${process.execPath} --import tsx ${join(REPO, 'test', 'sim', 'sso-browser-script.ts')}`;
const SIGNED_OUT = 'keyfob: signed out: run `keyfob connect --sso` again\n';

describe('keyfob connect --sso', () => {
  let sim: Simulator;
  let home: string;
  let secrets: KeytarSecretStore;
  /** Everything every run printed: the secrets scan reads it at the end. */
  const printed: string[] = [];
  /** Every access and refresh token this home has held. */
  const tokens = new Set<string>();
  const run = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> => {
    const r = await keyfob(args, { home, env: { BROWSER, ...env }, timeoutMs: 60_000 });
    printed.push(r.stdout, r.stderr);
    return r;
  };
  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };
  const stored = async (): Promise<SsoSessionRecord | null> => {
    const record = decodeSessionRecord(await secrets.get('sso-session'));
    if (record) {
      tokens.add(record.accessToken);
      tokens.add(record.refreshToken);
    }
    return record;
  };
  /** The stored access token as the client sees it: past its end (the proxy still takes it unless told). */
  const expireLocally = async (): Promise<SsoSessionRecord> => {
    const record = await stored();
    assert.ok(record, 'a session is stored');
    const expired = { ...record, accessExpiresAt: new Date(Date.now() - 1000).toISOString() };
    await secrets.set('sso-session', encodeSessionRecord(expired));
    return expired;
  };

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ realTime: true });
    sim.sso.release = '1.100.4';
    sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
    sim.addTeam({ team_id: 'team-a', team_alias: 'Team A', members: [{ user_id: 'alice', role: 'user' }] });
    home = tempHome('sso');
    secrets = new KeytarSecretStore({ service: keychainServiceFor(home) });
  });

  after(async () => {
    for (const account of ['sso-session', 'admin-key', 'admin-key-binding'] as const) await secrets?.delete(account).catch(() => false);
    await sim?.close();
  });

  it('signs in through $BROWSER with no key typed: one line names the host, the user and the renewal horizon', async () => {
    const r = ok(await run(['connect', '--sso', '--url', sim.url]));
    const host = new URL(sim.url).host;
    assert.match(r.stdout, new RegExp(`^connected to ${host.replace(/\./g, '\\.')} as alice \\(signed in with SSO(, team team-a)?\\); the session renews itself until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\n$`));
    assert.match(r.stderr, /Sign in to LiteLLM in your browser: http:\/\/127\.0\.0\.1:\d+\/authorize\?/, 'the URL is always on stderr');
    const record = await stored();
    assert.ok(record, 'the session is in the keychain');
    assert.equal(record.userId, 'alice');
    assert.equal(record.binding.url, sim.url);
    assert.equal(await secrets.get('admin-key'), null, 'no key stored beside it');
    const status = ok(await run(['status']));
    assert.match(status.stdout, /sign-in: +signed in with SSO as alice/);
    assert.match(status.stdout, /your sign-in session accepted/);
  });

  it('issues, renews and revokes keys as the session\'s user', async () => {
    ok(await run(['role', 'set', 'dev', '--ttl', '30m', '--max-ttl', '2h']));
    const issued = ok(await run(['issue', 'dev', '--json']));
    const lease = JSON.parse(issued.stdout) as { lease_id: string; key: string };
    const row = sim.liveKeys().find((k) => k.metadata.keyfob_lease_id === lease.lease_id);
    assert.ok(row, 'the key is on the proxy');
    assert.equal(row.user_id, 'alice', 'owned by the signed-in user');
    ok(await run(['lease', 'renew', lease.lease_id, '--increment', '1h']));
    ok(await run(['lease', 'revoke', lease.lease_id]));
    assert.equal(sim.liveKeys().some((k) => k.metadata.keyfob_lease_id === lease.lease_id), false, 'revoked on the proxy');
  });

  it('refuses a role with a budget and no team while signed in with SSO', async () => {
    const r = await run(['role', 'set', 'spend', '--max-budget', '5']);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /a sign-in session cannot give a personal key a budget: set --team-id/);
    ok(await run(['role', 'set', 'spend', '--max-budget', '5', '--team-id', 'team-a']));
  });

  it('six `keyfob token` across an expiry: exactly one /token refresh, no invalid_grant', async () => {
    ok(await run(['role', 'set', 'six', '--ttl', '30m']));
    const before = await expireLocally();
    const grants = sim.sso.tokenGrants.length;
    const runs = await Promise.all(Array.from({ length: 6 }, () => run(['token', 'six'])));
    for (const r of runs) ok(r);
    assert.equal(new Set(runs.map((r) => r.stdout)).size, 1, 'one key for all six');
    const since = sim.sso.tokenGrants.slice(grants);
    assert.deepEqual(since, [{ grant: 'refresh_token', ok: true }], 'one refresh, and it succeeded');
    const after = await stored();
    assert.notEqual(after?.refreshToken, before.refreshToken, 'the rotated pair is stored');
    assert.ok(Date.parse(after?.accessExpiresAt ?? '') > Date.now(), 'a fresh access token');
  });

  it('six proxy calls at once across an expiry: one refresh between them', async () => {
    await expireLocally();
    const grants = sim.sso.tokenGrants.length;
    const runs = await Promise.all(Array.from({ length: 6 }, () => run(['models'])));
    for (const r of runs) ok(r);
    assert.deepEqual(sim.sso.tokenGrants.slice(grants), [{ grant: 'refresh_token', ok: true }]);
  });

  it('a token the proxy refuses before its end is refreshed once, and the call goes through', async () => {
    const record = await stored();
    assert.ok(record, 'record is set');
    const onProxy = sim.sso.access(record.accessToken);
    assert.ok(onProxy, 'the proxy knows the access token');
    onProxy.expiresAtMs = sim.clock.now() - 1000; // ended on the proxy, fresh as far as the client knows
    const grants = sim.sso.tokenGrants.length;
    ok(await run(['models']));
    assert.deepEqual(sim.sso.tokenGrants.slice(grants), [{ grant: 'refresh_token', ok: true }]);
  });

  it('a refresh token used elsewhere signs out in one line; the live key keeps working', async () => {
    const live = ok(await run(['token', 'six'])).stdout;
    const record = await expireLocally();
    const onProxy = sim.sso.refreshRecord(record.refreshToken);
    assert.ok(onProxy, 'onProxy is set');
    onProxy.used = true; // replayed by someone else: the proxy now refuses it
    const r = await run(['models']);
    assert.equal(r.code, 1, show(r));
    assert.equal(r.stderr, SIGNED_OUT);
    assert.equal(r.stdout, '');
    assert.equal(ok(await run(['token', 'six'])).stdout, live, 'the live key is still handed out');
    // Signing in again replaces the dead session.
    ok(await run(['connect', '--sso', '--url', sim.url]));
    await stored();
  });

  it('the proxy answering 503 to the refresh: the old token serves until its end, then one line says so', async () => {
    const record = await stored();
    assert.ok(record, 'record is set');
    // Inside the refresh margin, not yet ended.
    await secrets.set('sso-session', encodeSessionRecord({ ...record, accessExpiresAt: new Date(Date.now() + 120_000).toISOString() }));
    sim.fault('/token', { kind: 'fail', status: 503, count: Infinity, contentType: 'json', body: '{"error":"temporarily_unavailable","error_description":"the gateway database is unavailable; retry"}' });
    try {
      ok(await run(['models']));
      await expireLocally();
      const r = await run(['models']);
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /^keyfob: The sign-in session could not be refreshed \(Refreshing the sign-in session failed: temporarily_unavailable: .*\) and its access ended at .*; try again when the proxy answers\.\n/);
      assert.equal(await secrets.get('sso-session') !== null, true, 'the session is kept');
    } finally {
      sim.clearFaults();
    }
    ok(await run(['models']));
    assert.ok(Date.parse((await stored())?.accessExpiresAt ?? '') > Date.now(), 'refreshed once the proxy answers');
  });

  it('--no-browser only prints the address; opening it elsewhere finishes the sign-in', async () => {
    const child = startKeyfob(['connect', '--sso', '--no-browser', '--url', sim.url], { home, env: { BROWSER: '/bin/false' } });
    const done = collect(child, '', 60_000);
    const url = await new Promise<string>((resolve) => {
      let seen = '';
      child.stderr?.on('data', (d: Buffer | string) => {
        seen += d.toString();
        const match = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(seen);
        if (match?.[1]) resolve(match[1]);
      });
    });
    const visit = await new ScriptedBrowser().open(url, { decision: 'approve' });
    assert.equal(visit.finalStatus, 200);
    const r = ok(await done);
    printed.push(r.stdout, r.stderr);
    assert.match(r.stdout, /as alice \(signed in with SSO/);
    await stored();
  });

  it('a denied consent stores nothing new and says so', async () => {
    const before = await secrets.get('sso-session');
    const r = await run(['connect', '--sso', '--url', sim.url], { SIM_SSO_DECISION: 'deny' });
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /denied|access_denied/i);
    assert.equal(await secrets.get('sso-session'), before, 'the earlier session is kept');
  });

  it('logout revokes every live key, burns the refresh token, removes the session and exits 0', async () => {
    ok(await run(['issue', 'dev']));
    const record = await stored();
    assert.ok(record, 'record is set');
    const r = ok(await run(['logout']));
    assert.match(r.stdout, /^revoked \d+ keys?; signed out of SSO/);
    const mine = sim.liveKeys().filter((k) => k.user_id === 'alice' && k.metadata.keyfob_lease_id);
    assert.deepEqual(mine, [], 'nothing live on the proxy');
    assert.equal(sim.sso.refreshRecord(record.refreshToken)?.used, true, 'the refresh token is burned');
    assert.equal(await secrets.get('sso-session'), null, 'the session is gone from the keychain');
    const again = ok(await run(['logout']));
    assert.match(again.stdout, /nothing was connected/);
    const status = ok(await run(['status']));
    assert.doesNotMatch(status.stdout, /signed in with SSO/);
  });

  it('`login` and `sign-out` point at connect --sso and logout; --team without --sso is refused', async () => {
    const login = await run(['login']);
    assert.equal(login.code, 2, show(login));
    assert.match(login.stderr, /did you mean `connect --sso`\?/);
    const signOut = await run(['sign-out']);
    assert.match(signOut.stderr, /did you mean `logout`\?/);
    const team = await run(['connect', '--url', sim.url, '--team', 'team-a']);
    assert.equal(team.code, 2, show(team));
    assert.match(team.stderr, /--team: is for --sso only/);
  });

  it('no access or refresh token is in any file, log or output (the secrets scan)', () => {
    assert.ok(tokens.size >= 4, 'the scan has tokens to look for');
    assert.ok(filesUnder(home).length > 0, 'the state directory was scanned');
    // The state directory: neither token, and no key material at all (the secrets suite's scan).
    assert.deepEqual(scanTree(home, [...tokens]), []);
    // What the commands printed (keys on purpose, from `token` and `issue`): never a session token.
    for (const [i, text] of printed.entries()) assert.deepEqual(keyMaterialIn(text, [...tokens]).filter((f) => f.startsWith('the secret')), [], `output ${i}`);
  });
});
