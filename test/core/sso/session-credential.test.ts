// SsoSessionCredential against the simulator and the real keychain: the stored document, refresh before expiry and
// once on a rejection, one refresh for six processes at once, reuse → one line, a proxy away → the old token until
// its end, sign-out, the token-format upgrade, and no token in any file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyfobError } from '../../../main/core/errors.js';
import { REFRESH_MARGIN_MS, SIGNED_OUT_MESSAGE, SsoSessionCredential, decodeSessionRecord, encodeSessionRecord } from '../../../main/core/sso/index.js';
import { scanTree } from '../../secrets/scan.js';
import { FakeClock } from '../../support/fake-clock.js';
import { getAs, refreshCount, ssoSimulator, START, storedSession, workspace } from './sso-harness.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'secret-child.ts');
const SHORT_LIFETIME_S = 900;

async function setUp(t: { after(fn: () => Promise<void> | void): void }, release: '1.99' | '1.100.4' = '1.100.4') {
  const sim = await ssoSimulator(release);
  sim.sso.accessLifetimeSec = SHORT_LIFETIME_S;
  const ws = workspace();
  const clock = new FakeClock(START);
  t.after(async () => { await sim.close(); await ws.cleanup(); });
  const credential = await storedSession(sim, clock, ws);
  return { sim, ws, clock, credential };
}

test('the session is one JSON document in the keychain account sso-session; a fresh token is used as is', async (t) => {
  const { sim, ws, credential } = await setUp(t);
  const stored = decodeSessionRecord(await ws.secrets.get('sso-session'));
  assert.ok(stored, 'stored is set');
  assert.equal(stored.userId, 'alice');
  assert.equal(credential.kind, 'sso-session');
  assert.equal(credential.binding.url, sim.url);
  assert.equal(await credential.secret(), stored.accessToken);
  assert.equal(refreshCount(sim), 0);
  assert.equal(credential.endsAt(), new Date(START + 14 * 86_400_000).toISOString());
});

test('less than 6 minutes left: one refresh, the rotated pair saved before use, then no more refreshes', async (t) => {
  const { sim, ws, clock, credential } = await setUp(t);
  const before = decodeSessionRecord(await ws.secrets.get('sso-session'));
  await clock.advance(SHORT_LIFETIME_S * 1000 - REFRESH_MARGIN_MS + 1000);
  const token = await credential.secret();
  assert.notEqual(token, before?.accessToken);
  assert.equal(refreshCount(sim), 1);
  const after = decodeSessionRecord(await ws.secrets.get('sso-session'));
  assert.equal(after?.accessToken, token);
  assert.notEqual(after?.refreshToken, before?.refreshToken);
  assert.equal(await credential.secret(), token);
  assert.equal(refreshCount(sim), 1);
  assert.equal((await getAs(sim, token, '/user/info')).status, 200);
});

test('a rejection refreshes once; a sibling that already rotated is used instead of a second refresh', async (t) => {
  const { sim, ws, clock, credential } = await setUp(t);
  // Loaded before the rotation: it holds the token the proxy is about to refuse too.
  const sibling = await SsoSessionCredential.load({ secrets: ws.secrets, clock, stateDir: ws.stateDir });
  assert.ok(sibling, 'sibling is set');
  const first = await credential.secret();
  assert.equal(await sibling.secret(), first);
  assert.equal(await credential.rejected(), true);
  assert.equal(refreshCount(sim), 1);
  const rotated = await credential.secret();
  assert.notEqual(rotated, first);
  assert.equal(await sibling.rejected(), true);
  assert.equal(await sibling.secret(), rotated);
  assert.equal(refreshCount(sim), 1);
});

test('six processes at once across an expiry: exactly one /token refresh, the same token for all, no invalid_grant', async (t) => {
  const { sim, ws } = await setUp(t);
  const later = START + SHORT_LIFETIME_S * 1000 + 1000;
  sim.clock.set(later);
  const outputs = await Promise.all(Array.from({ length: 6 }, () => new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ws.service, ws.stateDir, String(later)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
  })));
  const results = outputs.map((o) => JSON.parse(o.trim()) as { sha?: string; error?: string });
  assert.deepEqual(results.filter((r) => r.error !== undefined), []);
  assert.equal(new Set(results.map((r) => r.sha)).size, 1);
  assert.equal(refreshCount(sim), 1);
  assert.deepEqual(sim.sso.tokenGrants.filter((g) => !g.ok), []);
  const stored = decodeSessionRecord(await ws.secrets.get('sso-session'));
  assert.equal(createHash('sha256').update(stored?.accessToken ?? '').digest('hex'), results[0]?.sha);
});

test('a reused refresh token: one line, "signed out: run `keyfob connect --sso` again"', async (t) => {
  const { ws, clock, credential } = await setUp(t);
  const stale = await ws.secrets.get('sso-session');
  await credential.rejected();
  // A copy from before the rotation comes back (a restored backup): its refresh token was already used.
  await ws.secrets.set('sso-session', stale ?? '');
  const old = await SsoSessionCredential.load({ secrets: ws.secrets, clock, stateDir: ws.stateDir });
  await clock.advance(SHORT_LIFETIME_S * 1000);
  await assert.rejects(old!.secret(), (e: unknown) => {
    assert.ok(e instanceof KeyfobError);
    assert.equal(e.message, SIGNED_OUT_MESSAGE);
    assert.doesNotMatch(e.message, /\n/);
    assert.doesNotMatch(`${e.message} ${e.detail ?? ''}`, /llm_srefresh_|litellm_login_/);
    return true;
  });
});

test('503 on /token burns nothing: the old token serves until its end, then the person is told', async (t) => {
  const { sim, clock, credential } = await setUp(t);
  const first = await credential.secret();
  const unavailable = JSON.stringify({ error: 'temporarily_unavailable', error_description: 'the gateway database is unavailable; retry' });
  sim.fault('/token', { kind: 'fail', status: 503, body: unavailable, count: 2 });
  await clock.advance(SHORT_LIFETIME_S * 1000 - REFRESH_MARGIN_MS + 1000);
  assert.equal(await credential.secret(), first);
  await clock.advance(REFRESH_MARGIN_MS);
  await assert.rejects(credential.secret(), (e: unknown) => e instanceof KeyfobError && e.kind === 'unreachable' && /could not be refreshed .* try again when the proxy answers/.test(e.message));
  // The refresh token was never burned: the next try, with the proxy back, works.
  const next = await credential.secret();
  assert.notEqual(next, first);
  assert.equal(refreshCount(sim), 1);
});

test('discard: /revoke burns the refresh token, the entry is gone; the access token works until it expires', async (t) => {
  const { sim, ws, credential } = await setUp(t);
  const stored = decodeSessionRecord(await ws.secrets.get('sso-session'));
  assert.ok(stored, 'stored is set');
  await credential.discard();
  assert.equal(await ws.secrets.get('sso-session'), null);
  const revoke = sim.requests.find((r) => r.path === '/revoke');
  assert.equal(revoke?.status, 200);
  const res = await fetch(`${sim.url}/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stored.refreshToken, client_id: stored.clientId, resource: sim.url }).toString(),
  });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { error: 'invalid_grant', error_description: 'the refresh token was already used' });
  assert.equal((await getAs(sim, stored.accessToken, '/user/info')).status, 200);
});

test('the 1.100.4 upgrade: the old v2:gcm: token is refused, and one refresh brings a litellm_login_ one', async (t) => {
  const { sim, credential } = await setUp(t, '1.99');
  const old = await credential.secret();
  assert.match(old, /^v2:gcm:/);
  sim.sso.release = '1.100.4';
  assert.equal((await getAs(sim, old, '/user/info')).status, 401);
  assert.equal(await credential.rejected(), true);
  const fresh = await credential.secret();
  assert.match(fresh, /^litellm_login_/);
  assert.equal((await getAs(sim, fresh, '/user/info')).status, 200);
});

test('no token in any file of the state directory after sign-in, refreshes and sign-out', async (t) => {
  const { ws, clock, credential } = await setUp(t);
  const tokens: string[] = [];
  const remember = async () => {
    const record = decodeSessionRecord(await ws.secrets.get('sso-session'));
    if (record) tokens.push(record.accessToken, record.refreshToken, record.clientId, encodeSessionRecord(record));
  };
  await remember();
  await clock.advance(SHORT_LIFETIME_S * 1000);
  await credential.secret();
  await remember();
  await credential.discard();
  assert.ok(tokens.length >= 6);
  assert.deepEqual(scanTree(ws.stateDir, tokens), []);
});
