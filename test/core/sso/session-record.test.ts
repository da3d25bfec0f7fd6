// The stored session document and the discovery rules, alone: a damaged entry is refused without quoting it; every
// endpoint and the resource must share the proxy's origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDiscovery, decodeSessionRecord } from '../../../main/core/sso/index.js';

const BASE = 'https://litellm.example.com/api';

function doc(overrides: Record<string, unknown> = {}) {
  return {
    contract_version: 1, issuer: BASE, authorization_endpoint: `${BASE}/authorize`, token_endpoint: `${BASE}/token`,
    registration_endpoint: `${BASE}/register`, revocation_endpoint: `${BASE}/revoke`, resource: BASE,
    code_challenge_methods_supported: ['S256'], ...overrides,
  };
}

test('a damaged sso-session entry: one message that quotes nothing of it', () => {
  for (const stored of ['{not json litellm_login_SECRET', '{"version":2}', JSON.stringify({ version: 1, binding: {}, endpoints: {}, accessToken: 'litellm_login_SECRET' })]) {
    assert.throws(() => decodeSessionRecord(stored), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, 'The stored sign-in session is damaged: run `keyfob connect --sso` again.');
      return true;
    });
  }
  assert.equal(decodeSessionRecord(null), null);
});

test('discovery: the root path kept, a trailing slash on the issuer accepted; any endpoint or the resource elsewhere refused', () => {
  assert.equal(checkDiscovery(doc({ issuer: `${BASE}/` }), `${BASE}/`).token, `${BASE}/token`);
  const rows: Array<[Record<string, unknown>, RegExp]> = [
    [{ authorization_endpoint: 'https://evil.example/authorize' }, /authorization endpoint https:\/\/evil\.example\/authorize is on another origin/],
    [{ registration_endpoint: 'http://litellm.example.com/api/register' }, /registration endpoint .* is on another origin than https:\/\/litellm\.example\.com/],
    [{ revocation_endpoint: 'https://litellm.example.com:8443/api/revoke' }, /revocation endpoint .* another origin/],
    [{ resource: 'https://other.example' }, /resource endpoint https:\/\/other\.example is on another origin/],
    [{ token_endpoint: 'not a url' }, /token endpoint not a url is not a URL/],
    [{ token_endpoint: undefined }, /has no token_endpoint/],
    [{ issuer: 'https://litellm.example.com' }, /issuer https:\/\/litellm\.example\.com is not the proxy URL/],
  ];
  for (const [override, expected] of rows) assert.throws(() => checkDiscovery(doc(override), BASE), expected);
  assert.throws(() => checkDiscovery([], BASE), /not a JSON object/);
});
