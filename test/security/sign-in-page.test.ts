// The one address main opens in the browser for "Sign in with SSO": http(s) on the proxy's own origin, nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSignInPage } from '../../main/ipc/sign-in-page.js';

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
