// The window's "Connect to Vault" request in main, before anything is sent: both URLs checked with the core's own
// rules (every bad field at once), field errors named as the request names them, and no secret in any error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyfobError } from '../../main/core/errors.js';
import type { ApiContext } from '../../main/ipc/context.js';
import { createApiHandlers } from '../../main/ipc/handlers.js';
import { inRequestTerms, vaultConnectInput } from '../../main/ipc/vault-connect.js';
import type { VaultConnectRequest } from '../../preload/api.js';

const GOOD: VaultConnectRequest = { vaultUrl: 'https://vault.example:8200/v1/', proxyUrl: 'https://litellm.example.com', method: 'userpass', username: ' alice ', secret: 'pw-9f3a' };

function refused(req: VaultConnectRequest): KeyfobError {
  try {
    vaultConnectInput(req);
  } catch (e) {
    assert.ok(e instanceof KeyfobError, 'a KeyfobError');
    return e;
  }
  assert.fail('the request was accepted');
}

test('a good request becomes the core\'s input: the URLs normalised, the mount defaulted, only the method\'s own fields', () => {
  assert.deepEqual(vaultConnectInput(GOOD), {
    url: 'https://vault.example:8200', proxyUrl: 'https://litellm.example.com', mount: 'litellm', namespace: null, method: 'userpass',
    username: 'alice', secret: 'pw-9f3a', caFile: null, allowInsecureTls: false,
  });
  const oidc = vaultConnectInput({ ...GOOD, method: 'oidc', oidcRole: 'keyfob', namespace: 'team-a', mount: 'ai/litellm' });
  assert.deepEqual([oidc.method, oidc.oidcRole, oidc.namespace, oidc.mount, oidc.secret, oidc.username], ['oidc', 'keyfob', 'team-a', 'ai/litellm', undefined, undefined]);
});

test('both bad URLs are reported at once, each on the request\'s own field, and the secret is in no error', () => {
  const error = refused({ ...GOOD, vaultUrl: 'vault.example:8200', proxyUrl: 'ftp://litellm.example.com' });
  assert.equal(error.kind, 'validation');
  assert.deepEqual(error.fields.map((f) => f.field), ['vaultUrl', 'proxyUrl']);
  assert.equal(JSON.stringify(error.toJSON()).includes('pw-9f3a'), false, 'the password is in the error');
  assert.deepEqual(refused({ ...GOOD, username: ' ', secret: '' }).fields.map((f) => f.field), ['username', 'secret']);
  assert.deepEqual(refused({ ...GOOD, method: 'token', secret: '' }).fields.map((f) => f.field), ['secret']);
});

test('the core\'s field names become the request\'s; other errors pass unchanged', () => {
  const core = new KeyfobError('validation', 'password: is required', { fields: [{ field: 'password', message: 'is required' }, { field: 'mount', message: 'is required' }], hint: 'h' });
  const mapped = inRequestTerms(core);
  assert.deepEqual(mapped.fields.map((f) => f.field), ['secret', 'mount']);
  assert.deepEqual([mapped.kind, mapped.message, mapped.hint], ['validation', 'password: is required', 'h']);
  const network = new KeyfobError('unreachable', 'Vault does not answer.');
  assert.equal(inRequestTerms(network), network);
});

test('OIDC where main cannot open a browser is refused before Vault is asked', async () => {
  let asked = false;
  const ctx = { core: () => { asked = true; return null; }, startError: () => null, changed: () => undefined } as unknown as ApiContext;
  const r = await createApiHandlers(ctx).connectVault({ ...GOOD, method: 'oidc' });
  assert.equal(!r.ok && r.error.kind, 'state-unavailable');
  assert.equal(asked, false, 'the core was not asked');
});

test('OIDC\'s callback port: a chosen one reaches the core; a bad one is named on its field; other methods carry none', () => {
  const oidc = { ...GOOD, method: 'oidc' as const };
  assert.equal(vaultConnectInput({ ...oidc, oidcPort: 9123 }).oidcPort, 9123);
  assert.equal('oidcPort' in vaultConnectInput({ ...oidc, oidcPort: null }), false, 'empty: the core\'s default (8250)');
  assert.equal('oidcPort' in vaultConnectInput({ ...GOOD, oidcPort: 9123 }), false, 'userpass has no callback');
  for (const port of [0, 65536, 80.5, Number.NaN, -1]) {
    const error = refused({ ...oidc, oidcPort: port });
    assert.deepEqual(error.fields, [{ field: 'oidcPort', message: 'must be a port number from 1 to 65535' }], `port ${port}`);
  }
  const busy = inRequestTerms(new KeyfobError('invalid-request', 'Cannot listen on localhost:8250 for the OIDC callback (EADDRINUSE).', {
    fields: [{ field: 'oidc-port', message: 'is taken: another program listens on localhost:8250' }],
  }));
  assert.deepEqual([busy.kind, busy.fields.map((f) => f.field)], ['invalid-request', ['oidcPort']], 'the core\'s port error lands on the window\'s field');
});
