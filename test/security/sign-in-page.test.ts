// The addresses main opens in the browser for a sign-in: for "Sign in with SSO" http(s) on the proxy's own origin,
// for Vault's OIDC sign-in http(s) on the identity provider Vault names; nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSignInPage, checkVaultSignInPage } from '../../main/ipc/sign-in-page.js';

const PROXY = 'https://litellm.example.com/api';

test('the proxy\'s own sign-in page is opened as given', () => {
  const page = 'https://litellm.example.com/authorize?client_id=c&state=s';
  assert.equal(checkSignInPage(page, PROXY), page);
});

test('another scheme, host, port or embedded credentials are refused before anything is opened', () => {
  for (const page of [
    'file:///etc/passwd',
    'javascript:alert(1)',
    'http://litellm.example.com/authorize',
    'https://evil.example.com/authorize',
    'https://litellm.example.com:8443/authorize',
    'https://user:pw@litellm.example.com/authorize',
    'not a url',
  ]) {
    assert.throws(() => checkSignInPage(page, PROXY), (e: Error) => /did not open it/.test(e.message), page);
  }
});

test('Vault\'s OIDC page is opened on the identity provider it names; another scheme or embedded credentials are refused', () => {
  const page = 'https://idp.example.com/authorize?client_id=c&state=s&redirect_uri=http%3A%2F%2Flocalhost%3A8250%2Foidc%2Fcallback';
  assert.equal(checkVaultSignInPage(page), page);
  for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'keyfob://x', 'https://user:pw@idp.example.com/authorize', 'not a url']) {
    assert.throws(() => checkVaultSignInPage(bad), (e: Error) => /did not open it/.test(e.message), bad);
  }
});
