// What main lets the browser open for "Sign in with SSO": only an http(s) address on the proxy's own origin (the
// discovery document is already checked to keep every endpoint there). A compromised renderer cannot use the sign-in
// to make main open another scheme (file:, a custom protocol handler) or another host.
import { KeyfobError } from '../core/errors.js';

export function checkSignInPage(url: string, proxyUrl: string): string {
  let page: URL;
  let proxy: URL;
  try {
    page = new URL(url);
    proxy = new URL(proxyUrl);
  } catch {
    throw new KeyfobError('validation', 'The sign-in page address is not a URL; Keyfob did not open it.');
  }
  if ((page.protocol !== 'https:' && page.protocol !== 'http:') || page.origin !== proxy.origin || page.username || page.password) {
    throw new KeyfobError('validation', `The sign-in page is not on the proxy's own address (${proxy.origin}); Keyfob did not open it.`);
  }
  return page.toString();
}
