// "Sign in with SSO" and "Sign out" on the connect form. Main runs the whole sign-in and opens the proxy's page in the
// browser; the window never sees the page's address or a token, only who signed in. Sign out is `keyfob logout`:
// every live key revoked, then the session ended on the proxy (or a stored key removed).
import type { AppSnapshot, KeyfobApi, SerializedError } from '../../../preload/api.js';
import { confirmAction } from '../confirm.js';
import { h } from '../dom.js';
import { call } from '../errors.js';
import { applySnapshot } from '../store.js';

export interface SsoPartHooks {
  url(): string;
  tls(): { caFile: string | null; allowInsecureTls: boolean };
  clear(): void;
  missingUrl(): void;
  fail(error: SerializedError): void;
  /** Shows and announces the outcome. */
  say(message: string): void;
}

export function createSsoPart(api: KeyfobApi, mode: 'first-run' | 'settings', hooks: SsoPartHooks): { el: HTMLElement; update(s: AppSnapshot): void } {
  const signIn = h('button', { type: 'button', class: 'primary', 'data-action': 'sign-in-sso' }, 'Sign in with SSO');
  const signOut = h('button', { type: 'button', class: 'danger-quiet', 'data-action': 'sign-out' }, 'Sign out');
  signOut.hidden = true;
  const el = h('div', { class: 'sso' },
    h('p', { class: 'muted' }, 'Sign in in your browser with your own account (LiteLLM 1.99 or later): no key to paste. Or enter a LiteLLM key below.'),
    h('div', { class: 'actions' }, signIn, signOut));

  const refresh = async (): Promise<void> => {
    const fresh = await call(() => api.getSnapshot());
    if (fresh.ok) applySnapshot(fresh.value);
  };

  signIn.addEventListener('click', async () => {
    hooks.clear();
    const url = hooks.url();
    if (!url) return hooks.missingUrl();
    hooks.say('Finish signing in in your browser…');
    const r = await call(() => api.signInWithSso({ url, ...hooks.tls() }), { reachesProxy: true });
    if (!r.ok) return hooks.fail(r.error);
    hooks.say(`Connected to ${r.value.url ?? url}: signed in with SSO as ${r.value.sso?.user ?? 'you'}. The session is kept in ${r.value.keychain_backend} and renews itself.`);
    await refresh();
  });

  signOut.addEventListener('click', async () => {
    const ok = await confirmAction({
      title: 'Sign out?',
      body: 'Keyfob revokes every live key first, then ends the sign-in session on the proxy and removes it from the keychain (or removes the stored LiteLLM key). Tools using Keyfob stop working until you sign in again.',
      confirm: 'Sign out',
      danger: true,
    });
    if (!ok) return;
    hooks.clear();
    const r = await call(() => api.signOut(), { reachesProxy: true });
    if (!r.ok) return hooks.fail(r.error);
    const left = r.value.left.length;
    hooks.say(left > 0
      ? `${left} key${left === 1 ? '' : 's'} could not be revoked yet: still signed in so that Keyfob can retry. Sign out again when the proxy answers.`
      : `Signed out: ${r.value.revoked} key${r.value.revoked === 1 ? '' : 's'} revoked.`);
    await refresh();
  });

  return {
    el,
    update(s: AppSnapshot): void {
      const c = s.connection;
      signOut.hidden = mode === 'first-run' || !c.admin_key_stored;
      signIn.textContent = c.sso ? 'Sign in again with SSO' : 'Sign in with SSO';
    },
  };
}
