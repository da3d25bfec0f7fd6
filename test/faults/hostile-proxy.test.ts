// A hostile proxy (issue 12): a front that forwards to the simulator and misbehaves on one route — drips its answer
// a byte at a time, sends a body of tens of megabytes, names another key's token, puts terminal escapes in its error
// text, redirects to another host. Each must end in a clear error, and nothing may be lost: the simulator holds no
// key the ledger does not know, and no other key is touched.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { KeyfobError } from '../../main/core/errors.js';
import { tokenHash } from '../../main/core/litellm/index.js';
import { ADMIN_KEY, harness, type Harness } from '../core/leases/helpers.js';
import { assertBuilt, keyfob, show, tempHome } from '../cli/harness.js';
import { openSettingsStore } from '../../main/core/settings/index.js';
import { startSimulator } from '../sim/index.js';
import { assertNothingLost } from './support.js';

type Misbehaviour =
  | { kind: 'drip'; everyMs: number }
  | { kind: 'huge'; bytes: number }
  | { kind: 'wrong-token'; token: string }
  | { kind: 'odd-key'; key: string }
  | { kind: 'escapes' }
  | { kind: 'redirect'; to: string };

interface Front {
  url: string;
  /** Misbehave on the next `count` requests to `route`. */
  misbehave(route: string, m: Misbehaviour, count?: number): void;
  calm(): void;
  close(): Promise<void>;
}

// Characters a terminal acts on: ESC sequences (retitle, clear, hyperlink), BEL, C1 CSI, bidi overrides.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_OR_BIDI = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const ESCAPES = '\u001b]0;you have been owned\u0007\u001b[2J\u001b]8;;http://evil.example\u001b\\click\u001b]8;;\u001b\\\u202e\u009b31m';

function listen(server: http.Server, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => server.listen(0, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`)));
}

async function startFront(target: string): Promise<Front> {
  const rules = new Map<string, { m: Misbehaviour; count: number }>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const front: Front = {
    url: '',
    misbehave: (route, m, count = 1) => void rules.set(route, { m, count }),
    calm: () => rules.clear(),
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const route = new URL(req.url ?? '/', 'http://x').pathname;
      const rule = rules.get(route);
      const m = rule && rule.count > 0 ? rule.m : null;
      if (rule && m) rule.count -= 1;
      if (m?.kind === 'redirect') {
        res.writeHead(307, { location: `${m.to}${req.url ?? ''}` });
        res.end();
        return;
      }
      if (m?.kind === 'escapes') {
        // A refusal (nothing done on the proxy) worded to take over the terminal.
        const message = `bad request${ESCAPES} (see logs)`;
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message, type: 'bad_request_error', param: null, code: '400' } }));
        return;
      }
      const headers = { ...req.headers };
      delete headers.host;
      const upstream = http.request(`${target}${req.url ?? ''}`, { method: req.method, headers }, (up) => {
        const body: Buffer[] = [];
        up.on('data', (c: Buffer) => body.push(c));
        up.on('end', () => answer(res, up.statusCode ?? 502, String(up.headers['content-type'] ?? 'application/json'), Buffer.concat(body).toString('utf8'), m));
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  const answer = (res: http.ServerResponse, status: number, contentType: string, body: string, m: Misbehaviour | null): void => {
    if (m?.kind === 'drip') {
      res.writeHead(status, { 'content-type': contentType });
      let i = 0;
      const timer = setInterval(() => {
        if (res.destroyed || i >= body.length) {
          clearInterval(timer);
          timers.delete(timer);
          res.end();
          return;
        }
        res.write(body[i++]);
      }, m.everyMs);
      timers.add(timer);
      return;
    }
    if (m?.kind === 'huge') {
      // Valid JSON of `bytes` bytes, streamed with no content-length.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = ' '.repeat(64 * 1024);
      let sent = 0;
      res.write('{"keys":[],"pad":"');
      const pump = (): void => {
        while (sent < m.bytes) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('"}');
      };
      res.on('error', () => undefined);
      pump();
      return;
    }
    let text = body;
    if (m?.kind === 'odd-key') {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      text = JSON.stringify({ ...parsed, key: m.key });
    }
    if (m?.kind === 'wrong-token') {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      text = JSON.stringify({ ...parsed, token: m.token, token_id: m.token });
    }
    res.writeHead(status, { 'content-type': contentType });
    res.end(text);
  };
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  front.url = await listen(server);
  return front;
}

describe('a hostile proxy', () => {
  let h: Harness;
  let front: Front;
  before(async () => {
    h = await harness({ connect: false, start: false });
    front = await startFront(h.sim.url);
    await h.core.connect({ url: front.url, adminKey: ADMIN_KEY });
    h.core.updateSettings({ request_timeout_seconds: 1 });
    h.core.saveRole({ name: 'dev', models: ['gpt-4o'], ttl: '1h', max_ttl: '3h' });
    await h.core.start();
  });
  after(async () => {
    await front.close();
    await h.close();
  });
  beforeEach(() => front.calm());

  /** Runs every pending clean-up (sweeps wait for a generate that may still land), then checks both sides agree. */
  async function settleAndCheck(): Promise<void> {
    front.calm();
    await h.advance(5 * 60_000);
    assertNothingLost(h.core, h.sim);
  }

  test('drip-feed: the answer that never ends fails at the deadline, not at the last byte', async () => {
    // 1 byte every 400 ms: a /key/generate answer (~900 bytes) would take minutes; the deadline is 1 s.
    h.sim.clearRequests();
    front.misbehave('/key/generate', { kind: 'drip', everyMs: 400 });
    await assert.rejects(h.core.leases.issue('dev'), (e: unknown) => {
      assert.ok(e instanceof KeyfobError);
      assert.equal(e.kind, 'timeout', e.message);
      assert.match(e.message, /did not answer within 1 s/);
      return true;
    });
    assert.equal(h.requests('/key/generate'), 1, 'the generate did reach the proxy');
    assert.equal(h.sim.keys().length, 0, 'and Keyfob found its key by alias and deleted it: no orphan');
    await settleAndCheck();
  });

  test('huge body: a 40 MiB answer is cut off with a clear error, and the lease is kept', async () => {
    const { lease } = await h.core.leases.issue('dev');
    front.misbehave('/key/list', { kind: 'huge', bytes: 40 * 1024 * 1024 });
    const probe = await h.core.testConnection();
    assert.equal(probe.admin_ok, false);
    assert.equal(probe.error?.kind, 'server-error');
    assert.match(probe.error?.message ?? '', /larger than 1 MiB; Keyfob stopped reading it/);
    assert.equal(h.core.leases.get(lease.lease_id).state, 'active', 'nothing is lost on the way');
    await h.core.leases.revoke(lease.lease_id);
    await settleAndCheck();
  });

  test('wrong token: a generate answer naming another key\'s hash never makes Keyfob delete that key', async () => {
    const production = await fetch(`${h.sim.url}/key/generate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key_alias: 'production-service' }),
    }).then((r) => r.json() as Promise<{ key: string }>);
    front.misbehave('/key/generate', { kind: 'wrong-token', token: tokenHash(production.key) });
    const { lease, key } = await h.core.leases.issue('dev');
    assert.equal(lease.token_hash, tokenHash(key), 'the hash is computed locally');
    await h.core.leases.revokeAll({ reason: 'test' });
    assert.deepEqual(h.sim.keys().map((k) => k.key_alias), ['production-service'], 'only Keyfob\'s own key was deleted');
    await fetch(`${h.sim.url}/key/delete`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key_aliases: ['production-service'] }),
    });
    await settleAndCheck();
  });

  test('a key not of LiteLLM\'s shape (issue 21: it would break a dotenv or shell line) is refused and deleted by its alias', async () => {
    for (const odd of ["sk-abc'$(touch${IFS}PWNED)`id`", 'sk-a\nB=1', 'not-a-litellm-key']) {
      front.misbehave('/key/generate', { kind: 'odd-key', key: odd });
      await assert.rejects(h.core.leases.issue('dev'), (e: unknown) => {
        assert.ok(e instanceof KeyfobError, 'a KeyfobError');
        assert.match(e.message, odd.includes('\n') ? /returned a key that is not printable ASCII/ : /not of LiteLLM's shape/);
        assert.match(e.message, /No key was left on the proxy/);
        assert.doesNotMatch(`${e.message}${e.hint ?? ''}`, /PWNED|abc'/, 'the odd key is not echoed');
        return true;
      });
      assert.deepEqual(h.sim.keys().map((k) => k.key_alias), [], 'the key the proxy made was deleted by its alias');
      assert.deepEqual(h.core.leases.list(), [], 'nothing kept');
    }
    await settleAndCheck();
  });

  test('escape sequences: none reach a message, a hint or the audit log', async () => {
    front.misbehave('/key/generate', { kind: 'escapes' });
    await assert.rejects(h.core.leases.issue('dev'), (e: unknown) => {
      assert.ok(e instanceof KeyfobError);
      assert.equal(e.kind, 'invalid-request');
      assert.match(e.message, /bad request.*\(see logs\)/);
      assert.doesNotMatch(JSON.stringify({ m: e.message, h: e.hint, d: e.detail }), /\\u001b|\\u0007|\\u202e|\\u009b/);
      assert.doesNotMatch(`${e.message}${e.hint ?? ''}${e.detail ?? ''}`, CONTROL_OR_BIDI);
      return true;
    });
    const log = fs.readFileSync(path.join(h.stateDir, 'audit.log'), 'utf8');
    assert.match(log, /bad request/);
    assert.doesNotMatch(log, CONTROL_OR_BIDI);
    assert.doesNotMatch(log, /\\u00(1b|07|9b)|\\u202e/i, 'not even JSON-escaped');
    await settleAndCheck();
  });

  test('redirect: reported with its target, never followed — the other host receives nothing', async () => {
    const seen: string[] = [];
    const elsewhere = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.end('{}');
    });
    const elsewhereUrl = await listen(elsewhere, '127.0.0.2');
    try {
      front.misbehave('/key/generate', { kind: 'redirect', to: elsewhereUrl });
      await assert.rejects(h.core.leases.issue('dev'), (e: unknown) => {
        assert.ok(e instanceof KeyfobError);
        assert.equal(e.kind, 'server-error');
        assert.match(e.message, new RegExp(`redirects to ${elsewhereUrl.replaceAll('.', '\\.')}/key/generate`));
        assert.match(e.message, /does not follow redirects/);
        return true;
      });
      assert.deepEqual(seen, [], 'no request, and so no admin key, went to the other host');
      await settleAndCheck();
    } finally {
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
    }
  });
});

describe('a hostile proxy seen from the terminal', () => {
  test("the simulator's escape-laden errors reach neither stderr nor `keyfob log`; drip-feed ends at the deadline", async () => {
    assertBuilt();
    const sim = await startSimulator({ masterKey: ADMIN_KEY });
    const home = tempHome('hostile');
    try {
      const connect = await keyfob(['connect', '--url', sim.url], { home, stdin: ADMIN_KEY });
      assert.equal(connect.code, 0, show(connect));
      assert.equal((await keyfob(['role', 'set', 'dev', '--ttl', '15m', '--max-ttl', '1h'], { home })).code, 0);
      sim.fault('/key/generate', { kind: 'escapes', status: 400 });
      const issue = await keyfob(['issue', 'dev'], { home });
      assert.notEqual(issue.code, 0);
      assert.match(issue.stderr, /key rejected/);
      assert.doesNotMatch(issue.stdout + issue.stderr, CONTROL_OR_BIDI);
      const log = await keyfob(['log'], { home });
      assert.equal(log.code, 0, show(log));
      assert.doesNotMatch(log.stdout + log.stderr, CONTROL_OR_BIDI);
      assert.deepEqual(sim.keys(), [], 'a refusal leaves nothing behind');

      // One byte every 2 s: `keyfob issue` ends at its 2 s deadline, and the key the proxy made is deleted at once.
      openSettingsStore({ stateDir: home }).update((c) => ({ ...c, settings: { ...c.settings, request_timeout_seconds: 2 } }));
      sim.fault('/key/generate', { kind: 'drip', intervalMs: 2_000 });
      const dripped = await keyfob(['issue', 'dev'], { home, timeoutMs: 15_000 });
      assert.notEqual(dripped.code, 0, show(dripped));
      assert.match(dripped.stderr, /did not answer within 2 s/);
      assert.deepEqual(sim.keys(), [], 'no orphan');
    } finally {
      await sim.close();
    }
  });
});
