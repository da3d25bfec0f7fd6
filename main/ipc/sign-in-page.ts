// What main lets the browser open for a sign-in: only an http(s) address without a user or password. "Sign in with
// SSO" also keeps it on the proxy's own origin (the discovery document is already checked to keep every endpoint
// there); Vault's OIDC page is on the identity provider Vault's OIDC role names, so only the first rule applies. A
// compromised renderer cannot use a sign-in to make main open another scheme (file:, a custom protocol handler).
import { KeyfobError } from '../core/errors.js';

function isOpenable(page: URL): boolean {
  return (page.protocol === 'https:' || page.protocol === 'http:') && !page.username && !page.password;
}

export function checkSignInPage(url: string, proxyUrl: string): string {
  let page: URL;
  let proxy: URL;
  try {
    page = new URL(url);
    proxy = new URL(proxyUrl);
  } catch {
    throw new KeyfobError('validation', 'The sign-in page address is not a URL; Keyfob did not open it.');
  }
  if (!isOpenable(page) || page.origin !== proxy.origin) {
    throw new KeyfobError('validation', `The sign-in page is not on the proxy's own address (${proxy.origin}); Keyfob did not open it.`);
  }
  return page.toString();
}

/** Vault's OIDC sign-in page (`auth_url`), as Vault gave it. */
export function checkVaultSignInPage(url: string): string {
  let page: URL;
  try {
    page = new URL(url);
  } catch {
    throw new KeyfobError('validation', 'Vault\'s sign-in page address is not a URL; Keyfob did not open it.');
  }
  if (!isOpenable(page)) throw new KeyfobError('validation', 'Vault\'s sign-in page is not an http(s) address; Keyfob did not open it.');
  return page.toString();
}
