// Every error shape the admin API page lists, served over a real socket, and the network failures by code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KeyfobError, type ErrorKind } from '../../../main/core/errors.js';
import { LiteLLMClient } from '../../../main/core/litellm/litellm-client.js';
import { parseErrorBody, scrub, toLiteLLMError, unwrapPythonRepr } from '../../../main/core/litellm/litellm-errors.js';
import { startShapeServer, type CannedResponse, type ShapeServer } from '../support/servers.js';

const ADMIN = 'sk-admin-shapes-0003';

const envelope = (status: number, message: string, type: string, param: string | null = 'None', code: string | number = String(status)) =>
  JSON.stringify({ error: { message, type, param, code } });

interface ShapeCase {
  what: string;
  respond: CannedResponse;
  call: 'verify' | 'generate' | 'renew' | 'info' | 'delete';
  kind: ErrorKind | 'already-gone';
  message?: RegExp;
  /** The proxy's own words, kept out of the message for --verbose and the audit log. */
  detail?: RegExp;
}

const cases: ShapeCase[] = [
  { what: '401 envelope, code as a string', call: 'verify', kind: 'admin-key-rejected', message: /^The proxy at \S+ rejected the admin key \(401\)\.$/,
    detail: /^Authentication Error, Invalid proxy server token passed\.$/,
    respond: { status: 401, body: envelope(401, 'Authentication Error, Invalid proxy server token passed.', 'token_not_found_in_db') } },
  { what: '401 envelope, code as an integer (older releases)', call: 'verify', kind: 'admin-key-rejected',
    respond: { status: 401, body: envelope(401, 'Authentication Error, No api key passed in.', 'auth_error', 'None', 401) } },
  { what: '403 for a key that is not an admin', call: 'verify', kind: 'admin-key-rejected',
    respond: { status: 403, body: envelope(403, 'Only proxy admin can call this route.', 'auth_error') } },
  { what: '401 expired_key is not an admin-key problem', call: 'verify', kind: 'invalid-request', message: /Expired Key/,
    respond: { status: 401, body: envelope(401, 'Authentication Error - Expired Key. Key Expiry time 2026-01-01', 'expired_key') } },
  { what: '401 "Key is blocked" is not an admin-key problem', call: 'verify', kind: 'invalid-request',
    respond: { status: 401, body: envelope(401, 'Authentication Error, Key is blocked.', 'auth_error') } },
  { what: '403 Enterprise-only feature', call: 'generate', kind: 'invalid-request', message: /Enterprise/,
    respond: { status: 403, body: envelope(403, 'tags is an Enterprise feature. You must be a LiteLLM Enterprise user to use this feature.', 'auth_error') } },
  { what: '401 "does not exist in db" on update → not-found', call: 'renew', kind: 'not-found', message: /does not know this key \(401\)/, detail: /does not exist in db/,
    respond: { status: 401, body: envelope(401, 'Key=abc does not exist in db', 'auth_error', 'None', 401) } },
  { what: '401 "Key not found in database" on info (older) → not-found', call: 'info', kind: 'not-found',
    respond: { status: 401, body: envelope(401, 'Key not found in database', 'auth_error', 'None', 401) } },
  { what: '404 envelope on info → not-found', call: 'info', kind: 'not-found', detail: /Key not found in database/,
    respond: { status: 404, body: envelope(404, 'Key not found in database', 'not_found_error') } },
  { what: '404 with a Python-repr message on delete → already gone', call: 'delete', kind: 'already-gone',
    respond: { status: 404, body: envelope(404, "{'error': 'No keys found'}", 'internal_server_error') } },
  { what: "404 FastAPI route-not-found on delete is NOT already gone (wrong URL)", call: 'delete', kind: 'server-error', message: /is this a LiteLLM proxy/,
    respond: { status: 404, body: JSON.stringify({ detail: 'Not Found' }) } },
  { what: '404 on verify → wrong URL, server-error', call: 'verify', kind: 'server-error', message: /has no GET \/key\/list/,
    respond: { status: 404, body: JSON.stringify({ detail: 'Not Found' }) } },
  { what: '400 duplicate alias (param key_alias)', call: 'generate', kind: 'alias-taken', message: /already exists/,
    respond: { status: 400, body: envelope(400, "Key with alias 'keyfob-dev-1' already exists. Unique key aliases across all keys are required.", 'bad_request_error', 'key_alias') } },
  { what: '400 duplicate alias with param "None"', call: 'generate', kind: 'alias-taken',
    respond: { status: 400, body: envelope(400, "Key with alias 'x' already exists.", 'bad_request_error') } },
  { what: '400 other → invalid-request with the reason', call: 'generate', kind: 'invalid-request', message: /\(400\): max_budget cannot be negative/,
    respond: { status: 400, body: envelope(400, 'max_budget cannot be negative', 'bad_request_error') } },
  { what: '422 FastAPI detail list → invalid-request naming fields', call: 'delete', kind: 'invalid-request', message: /\(422\): keys: Field required; key_aliases: Input should be a valid list/,
    respond: { status: 422, body: JSON.stringify({ detail: [
      { type: 'missing', loc: ['body', 'keys'], msg: 'Field required', input: {} },
      { type: 'list_type', loc: ['body', 'key_aliases'], msg: 'Input should be a valid list', input: 'x' },
    ] }) } },
  { what: '422 with a string detail', call: 'generate', kind: 'invalid-request', message: /bad body/,
    respond: { status: 422, body: JSON.stringify({ detail: 'bad body' }) } },
  { what: '500 invalid duration (current releases) → invalid-request', call: 'generate', kind: 'invalid-request', message: /Invalid duration format/,
    respond: { status: 500, body: envelope(500, 'Invalid duration format', 'internal_server_error') } },
  { what: '500 text/plain', call: 'generate', kind: 'server-error', message: /\(500\): Internal Server Error/,
    respond: { status: 500, contentType: 'text/plain; charset=utf-8', body: 'Internal Server Error' } },
  { what: '500 "DB not connected" → no-database', call: 'verify', kind: 'no-database', message: /set DATABASE_URL on the proxy/,
    respond: { status: 500, body: envelope(500, 'DB not connected. See https://docs.litellm.ai/docs/proxy/virtual_keys', 'internal_server_error') } },
  { what: '400 "Not connected to DB!" → no-database', call: 'delete', kind: 'no-database',
    respond: { status: 400, body: envelope(400, 'Not connected to DB!', 'bad_request_error') } },
  { what: '"No connected db." inside a FastAPI detail object → no-database', call: 'verify', kind: 'no-database',
    respond: { status: 500, body: JSON.stringify({ detail: { error: 'No connected db.' } }) } },
  { what: '502 HTML from a gateway → server-error naming the page', call: 'verify', kind: 'server-error', message: /HTML page \("502 Bad Gateway"\)/,
    respond: { status: 502, contentType: 'text/html', body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>' } },
  { what: '200 HTML (a captive portal) → server-error', call: 'verify', kind: 'server-error', message: /answered 200 with an HTML page/,
    respond: { status: 200, contentType: 'text/html', body: '<!DOCTYPE html><html><title>Sign in to Wi-Fi</title></html>' } },
  { what: '200 text that is not JSON → server-error', call: 'verify', kind: 'server-error', message: /instead of JSON/,
    respond: { status: 200, contentType: 'text/plain', body: 'hello' } },
  { what: '429 → server-error (rate limited)', call: 'verify', kind: 'server-error', message: /rate-limiting/,
    respond: { status: 429, body: envelope(429, 'Rate limit exceeded', 'rate_limit_error') } },
  { what: '301 → reported with its target, not followed', call: 'verify', kind: 'server-error', message: /redirects to https:\/\/litellm\.example\.com\/key\/list/,
    respond: { status: 301, body: '', headers: { location: 'https://litellm.example.com/key/list' } } },
  { what: '503 empty body', call: 'verify', kind: 'server-error', message: /\(503\): HTTP 503/,
    respond: { status: 503, body: '' } },
  { what: 'an envelope whose error is a plain string', call: 'generate', kind: 'server-error', message: /boom/,
    respond: { status: 500, body: JSON.stringify({ error: 'boom' }) } },
  // Per era, only the words say whether the key is gone (../shared/litellm-admin-api.md, "What a client must do" 5).
  { what: 'N2: 404 "Key not found" on update → not-found', call: 'renew', kind: 'not-found',
    respond: { status: 404, body: envelope(404, 'Key not found. Key=abc', 'not_found_error') } },
  { what: 'C/N: 401 "user key does not exist in db" on update → not-found', call: 'renew', kind: 'not-found',
    respond: { status: 401, body: envelope(401, 'Authentication Error: invalid user key - user key does not exist in db. User Key=abc', 'auth_error') } },
  { what: "404 \"Team doesn't exist in db\" on update: the key is still there, not gone", call: 'renew', kind: 'invalid-request', message: /team, not the key/,
    respond: { status: 404, body: envelope(404, `{'error': "Team doesn't exist in db. Team=t1. Create team via \`/team/new\` call."}`, 'auth_error') } },
  { what: "400 \"Team doesn't exist in db\" (before 1.80.5) on update: not gone either", call: 'renew', kind: 'invalid-request', message: /team, not the key/,
    respond: { status: 400, body: envelope(400, "Authentication Error, Team doesn't exist in db. Team=t1.", 'auth_error') } },
  { what: 'a 404 on a key call whose words are unknown is not "gone"', call: 'renew', kind: 'server-error', message: /does not know/,
    respond: { status: 404, body: envelope(404, 'Something else entirely', 'not_found_error') } },
  { what: "≤1.63 auth: an unknown CALLER key (\"Key doesn't exist in db\") is a rejected admin key, even on a key call", call: 'renew', kind: 'admin-key-rejected',
    respond: { status: 401, body: envelope(401, "Authentication Error, Key doesn't exist in db. key=e29797. Create key via `/key/generate` call.", 'auth_error') } },
  // No database: the auth layer says "No connected db." to any key but the master key.
  { what: '≥1.71.2 no DB, not the master key: 400 no_db_connection → admin-key-rejected', call: 'verify', kind: 'admin-key-rejected', message: /without a database.*not it/,
    respond: { status: 400, body: envelope(400, 'No connected db.', 'no_db_connection') } },
  { what: '≤1.63 no DB, not the master key: 401 → admin-key-rejected', call: 'verify', kind: 'admin-key-rejected',
    respond: { status: 401, body: envelope(401, 'Authentication Error, No connected db.', 'auth_error') } },
  { what: 'no DB, master key: the endpoint says "Database not connected" → no-database', call: 'info', kind: 'no-database',
    respond: { status: 500, body: envelope(500, 'Internal Server Error, Database not connected. Connect a database to your proxy', 'internal_server_error') } },
  // Admin-side limits and key_generation_settings: the role field they name, and what to ask for.
  { what: 'upperbound: duration over max limit → the role field ttl', call: 'generate', kind: 'invalid-request', message: /^ttl: is over the proxy's limit.*at most 3600s/,
    respond: { status: 400, body: envelope(400, "{'error': 'duration is over max limit set in config - user_value=86400s; max_value=3600s'}", 'bad_request_error') } },
  { what: 'upperbound: max_budget over max limit → max_budget', call: 'generate', kind: 'invalid-request', message: /^max_budget: /,
    respond: { status: 400, body: envelope(400, "{'error': 'max_budget is over max limit set in config - user_value=50.0; max_value=10.0'}", 'bad_request_error') } },
  { what: 'internal user asking for another user_id', call: 'generate', kind: 'invalid-request', message: /only for itself/,
    respond: { status: 403, body: envelope(403, "{'error': 'User can only create keys for themselves. Got user_id=bob, Your ID=alice'}", 'auth_error') } },
  { what: 'personal keys restricted by admin', call: 'generate', kind: 'invalid-request', message: /lets only \['proxy_admin'\] create personal keys/,
    respond: { status: 400, body: envelope(400, "{'error': \"Personal key creation has been restricted by admin. Allowed roles=['proxy_admin']. Your role=internal_user\"}", 'bad_request_error') } },
  { what: 'not a member of the team', call: 'generate', kind: 'invalid-request', message: /not a member of team t1/,
    respond: { status: 400, body: envelope(400, "{'error': 'User=alice not assigned to team=t1'}", 'bad_request_error') } },
  { what: 'team member without the route permission', call: 'generate', kind: 'invalid-request', message: /may not call \/key\/generate/,
    respond: { status: 401, body: envelope(401, 'Team member does not have permissions for endpoint: /key/generate. You only have access to [/key/info]', 'team_member_permission_error') } },
  { what: 'a required param of key_generation_settings', call: 'generate', kind: 'invalid-request', message: /require "team_id"/,
    respond: { status: 400, body: envelope(400, "{'error': 'Required param team_id not in data'}", 'bad_request_error') } },
  { what: 'view-only admin', call: 'generate', kind: 'invalid-request', message: /view-only/,
    respond: { status: 403, body: envelope(403, 'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /key/generate', 'auth_error') } },
  { what: 'a role that may not manage keys', call: 'generate', kind: 'invalid-request', message: /may not create or change keys/,
    respond: { status: 401, body: envelope(401, 'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/generate. Your role=internal_user_viewer. Your user_id=v', 'auth_error') } },
  { what: 'a monthly budget period other than 1mo', call: 'generate', kind: 'invalid-request', message: /only "1mo"/,
    respond: { status: 500, body: envelope(500, 'Internal Server Error, Monthly resets currently only support 1 month intervals', 'internal_server_error') } },
  // Hostile text: escape sequences and bidi controls never reach a message.
  { what: 'terminal escapes in the reason are stripped', call: 'generate', kind: 'invalid-request', message: /^The proxy refused the request \(400\): bad thing here$/,
    respond: { status: 400, body: envelope(400, 'bad \u001b]0;owned\u0007thing\u001b[2J \u202ehere\u0007', 'bad_request_error') } },
];

describe('error shapes over HTTP', () => {
  let server: ShapeServer;
  let client: LiteLLMClient;
  before(async () => {
    server = await startShapeServer();
    client = new LiteLLMClient({ baseUrl: server.url, adminKey: ADMIN, timeoutMs: 3_000 }, {});
  });
  after(async () => server.close());

  const run = (call: ShapeCase['call']): Promise<unknown> => {
    switch (call) {
      case 'verify': return client.verifyAdmin();
      case 'generate': return client.generateKey({ models: [], key_alias: 'keyfob-x-1', metadata: {} });
      case 'renew': return client.renewKey('a'.repeat(64), 60);
      case 'info': return client.keyInfo('b'.repeat(64));
      case 'delete': return client.deleteKeys({ keys: ['c'.repeat(64)] });
    }
  };

  for (const c of cases) {
    test(`${c.what} → ${c.kind}`, async () => {
      server.respond = c.respond;
      if (c.kind === 'already-gone') {
        assert.deepEqual(await run(c.call), { alreadyGone: true });
        return;
      }
      await assert.rejects(run(c.call), (e: unknown) => {
        assert.ok(e instanceof KeyfobError, String(e));
        assert.equal(e.kind, c.kind, e.message);
        if (c.message) assert.match(e.message, c.message);
        if (c.detail) assert.match(e.detail ?? '', c.detail);
        assert.equal(e.status, c.respond.status);
        assert.equal(e.cause, undefined);
        return true;
      });
    });
  }

  test('the admin key goes out as "Authorization: Bearer"', async () => {
    server.respond = { status: 200, body: JSON.stringify({ keys: [], total_count: 0, current_page: 1, total_pages: 0 }) };
    await client.verifyAdmin();
    assert.equal(server.lastHeaders?.authorization, `Bearer ${ADMIN}`);
  });

  test('keys the server echoes back are redacted, the admin key included', async () => {
    server.respond = { status: 401, body: envelope(401, `Invalid key. Received API Key = ${ADMIN}, other=sk-live-abcdefgh12345678`, 'auth_error') };
    await assert.rejects(client.verifyAdmin(), (e: unknown) => {
      assert.ok(e instanceof KeyfobError);
      assert.doesNotMatch(JSON.stringify({ ...e.toJSON(), message: e.message }), /sk-admin-shapes-0003|abcdefgh12345678/);
      assert.match(e.detail ?? '', /sk-\.\.\.0003/);
      assert.match(e.detail ?? '', /sk-\.\.\.5678/);
      return true;
    });
  });

  test('the key being renewed is redacted even when it does not look like a key', async () => {
    const secretHandle = 'plain-secret-handle-xyz';
    server.respond = { status: 404, body: envelope(404, `Key=${secretHandle} not found`, 'not_found_error') };
    await assert.rejects(client.renewKey(secretHandle, 60), (e: unknown) => e instanceof KeyfobError && !e.message.includes(secretHandle));
  });

  test('a very long reason is cut', async () => {
    server.respond = { status: 500, contentType: 'text/plain', body: 'x'.repeat(5000) };
    await assert.rejects(client.verifyAdmin(), (e: unknown) => e instanceof KeyfobError && e.message.length < 700);
  });
});

describe('network failures by code (no answer)', () => {
  const ctx = { baseUrl: 'https://litellm.example.com', endpoint: 'GET /key/list', timeoutMs: 10_000 };
  const withCode = (code: string, message = `connect ${code}`) => Object.assign(new Error(message), { code });
  const table: Array<[string, unknown, ErrorKind, RegExp]> = [
    ['ECONNREFUSED', withCode('ECONNREFUSED'), 'unreachable', /Nothing answers at https:\/\/litellm\.example\.com: is the proxy running/],
    ['ECONNREFUSED inside an AggregateError', Object.assign(new AggregateError([withCode('ECONNREFUSED')], 'aggregate'), { code: undefined }), 'unreachable', /Nothing answers/],
    ['ENOTFOUND', withCode('ENOTFOUND'), 'dns', /"litellm\.example\.com" does not resolve/],
    ['EAI_AGAIN', withCode('EAI_AGAIN'), 'dns', /temporary DNS failure/],
    ['ECONNABORTED (axios timeout)', withCode('ECONNABORTED', 'timeout of 10000ms exceeded'), 'timeout', /did not answer within 10 s/],
    ['ETIMEDOUT', withCode('ETIMEDOUT'), 'timeout', /did not answer/],
    ['ECONNRESET', withCode('ECONNRESET', 'read ECONNRESET'), 'unreachable', /was reset/],
    ['socket hang up', new Error('socket hang up'), 'unreachable', /was reset/],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls', /self-signed/],
    ['SELF_SIGNED_CERT_IN_CHAIN', withCode('SELF_SIGNED_CERT_IN_CHAIN'), 'tls', /self-signed/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls', /issuer is not trusted/],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', withCode('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), 'tls', /issuer is not trusted/],
    ['CERT_HAS_EXPIRED', withCode('CERT_HAS_EXPIRED'), 'tls', /expired/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', withCode('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls', /another host name/],
    ['EHOSTUNREACH', withCode('EHOSTUNREACH'), 'unreachable', /cannot be reached/],
    ['an unknown failure', new Error('weird'), 'unreachable', /could not be reached: weird/],
  ];
  for (const [what, error, kind, message] of table) {
    test(`${what} → ${kind}`, () => {
      const e = toLiteLLMError(error, ctx);
      assert.equal(e.kind, kind, e.message);
      assert.match(e.message, message);
      if (kind === 'tls') assert.match(e.hint ?? '', /CA certificate/);
    });
  }
  test('a KeyfobError passes through unchanged', () => {
    const original = new KeyfobError('validation', 'x');
    assert.equal(toLiteLLMError(original, ctx), original);
  });
});

describe('body parsing helpers', () => {
  test('Python-repr messages are unwrapped', () => {
    assert.equal(unwrapPythonRepr("{'error': 'No keys found'}"), 'No keys found');
    assert.equal(unwrapPythonRepr(`{'error': "Key 'x' not found"}`), "Key 'x' not found");
    assert.equal(unwrapPythonRepr("{'error': 'it\\'s gone'}"), "it's gone");
    assert.equal(unwrapPythonRepr('plain text'), 'plain text');
  });
  test('envelope fields are read whatever the type of code; param "None" means none', () => {
    assert.deepEqual(parseErrorBody(envelope(401, 'm', 't', 'None', 401)), { reason: 'm', type: 't', param: null, code: '401', shape: 'envelope', routeNotFound: false });
    assert.equal(parseErrorBody(envelope(400, 'm', 't', 'key_alias')).param, 'key_alias');
    assert.equal(parseErrorBody(envelope(400, 'm', 't')).code, '400');
  });
  test('a JSON string body', () => {
    assert.equal(parseErrorBody('"I\'m alive!"').reason, "I'm alive!");
  });
  test('scrub redacts named secrets that do not start with sk-', () => {
    assert.equal(scrub('key=my-master-key-1234 ok', ['my-master-key-1234']), 'key=sk-...1234 ok');
  });
});
