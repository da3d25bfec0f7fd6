// Connecting to a LiteLLM proxy: the first-run screen and the Settings "Connection" section share this form.
// The admin key field is write-only: the key goes to main once, on submit, and the field is emptied right away;
// main never sends it back (the snapshot only says whether one is stored). "Sign in with SSO" needs no key at all: main
// runs the sign-in and opens the proxy's page in the browser; Sign out is `keyfob logout`. "Team Vault" signs in to
// Vault instead (vault-sign-in.ts), for the proxy in this form's URL field.
import type { AppSnapshot, CallerIdentity, ConnectionStatus, ConnectRequest, SerializedError } from '../../../preload/api.js';
import { announce } from '../announcer.js';
import { confirmAction } from '../confirm.js';
import { h, replaceChildren } from '../dom.js';
import { call, personError } from '../errors.js';
import { checkbox, field, FormErrors, focusElement } from '../forms.js';
import type { ShellContext } from '../screen.js';
import { noteProxyOutcome } from '../connection.js';
import { applySnapshot, serverNow } from '../store.js';
import { createSsoPart } from './sso-sign-in.js';
import { createVaultPart } from './vault-sign-in.js';

const NETWORK_KINDS = ['unreachable', 'dns', 'tls', 'timeout'];
const KEYCHAIN_KINDS = new Set(['keychain-unavailable', 'keychain-locked', 'keychain-denied']);

/** Main's one-line summary of who the credential is, as a sentence: "Connected as alice, internal user: …". */
export function identitySentence(who: CallerIdentity): string {
  const text = who.summary.trim();
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}

/** Where secrets are kept, and (in Settings) what is stored: a key, an SSO session or a Vault sign-in. */
function storageLine(c: ConnectionStatus, mode: 'first-run' | 'settings'): HTMLElement[] {
  const where = c.session_only
    ? h('span', null, h('strong', null, 'Session only: '), 'your LiteLLM key and the keys Keyfob issues stay in memory and are gone when Keyfob quits.')
    : mode === 'first-run'
      ? h('span', null, 'Keyfob will keep your LiteLLM key in ', h('strong', { class: 'backend' }, c.keychain_backend), '.')
      : h('span', null, 'Keychain: ', h('strong', { class: 'backend' }, c.keychain_backend), '.');
  if (mode !== 'settings') return [where];
  const what = c.sso ? ` Signed in with SSO as ${c.sso.user}.` : c.vault ? ` Signed in to Vault at ${c.vault.url} (${c.vault.method}).` : c.admin_key_stored ? ' A LiteLLM key is stored.' : ' No LiteLLM key is stored.';
  return [where, h('span', { class: 'muted' }, what)];
}

export interface ConnectForm {
  el: HTMLElement;
  update(snapshot: AppSnapshot): void;
  focusFirst(): void;
}

export function createConnectForm(ctx: ShellContext, mode: 'first-run' | 'settings'): ConnectForm {
  const { api } = ctx;
  const url = field({
    name: 'url',
    label: 'LiteLLM proxy URL',
    control: h('input', { type: 'text', inputmode: 'url', autocomplete: 'url', spellcheck: 'false', placeholder: 'https://litellm.example.com' }),
    hint: 'The address of your LiteLLM proxy, without /v1.',
  });
  const adminKey = field({
    name: 'adminKey',
    label: mode === 'first-run' ? 'Your LiteLLM key' : 'New LiteLLM key',
    control: h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false' }),
    hint: 'A personal or team key (the proxy’s master key works too, but is riskier): Keyfob finds out what it may create. Keyfob stores it and never shows it again.',
  });
  const caFile = field({
    name: 'caFile',
    label: 'Extra CA certificates (PEM file path)',
    control: h('input', { type: 'text', spellcheck: 'false', placeholder: '/etc/ssl/corp-ca.pem' }),
    hint: 'Only for a proxy behind a corporate TLS certificate.',
  });
  const insecure = checkbox('allowInsecureTls', 'Skip TLS certificate checks', false, 'Only for a test proxy with a self-signed certificate.');
  const storage = h('p', { class: 'storage' });
  // Who the stored key is on the proxy (Settings only: first run has no key yet).
  const identityLine = h('p', { class: 'identity', 'data-role': 'identity' });
  identityLine.hidden = true;
  // Not a live region: the announcer says the outcome (once); errors are alerts next to their field.
  const result = h('p', { class: 'status probe-result' });
  const sessionChoice = h('div', { class: 'session-choice callout' });
  sessionChoice.hidden = true;
  const errors = new FormErrors([url, adminKey, caFile], {
    ...Object.fromEntries(NETWORK_KINDS.map((k) => [k, 'url'])),
    'admin-key-rejected': 'adminKey',
  });

  const testButton = h('button', { type: 'button', class: 'secondary', 'data-action': 'test' }, 'Test connection');
  const submit = h('button', { type: 'submit', class: 'primary', 'data-action': 'connect' }, mode === 'first-run' ? 'Connect' : 'Save and connect');
  const forget = h('button', { type: 'button', class: 'danger-quiet', 'data-action': 'forget' }, 'Forget LiteLLM key');
  forget.hidden = mode === 'first-run';
  // What the SSO and Vault parts share with this form: its URL and TLS fields, its errors and its outcome line.
  const shared = {
    tls: () => ({ caFile: request().caFile ?? null, allowInsecureTls: request().allowInsecureTls ?? false }),
    fail: (error: SerializedError) => fail(error),
    say: (message: string) => {
      result.textContent = message;
      announce(message);
    },
  };
  const sso = createSsoPart(api, mode, {
    ...shared,
    url: () => request().url ?? '',
    clear: () => errors.clear(),
    missingUrl: () => focusElement(errors.showLocal('url', 'Enter the proxy’s URL first.')),
  });
  const vault = createVaultPart(api, {
    ...shared,
    proxyUrl: () => request().url ?? '',
    clear: () => {
      errors.clear();
      result.textContent = '';
    },
    proxyUrlError: (message) => focusElement(errors.showLocal('url', message)),
  });

  const form = h(
    'form',
    { class: `connect-form ${mode}`, novalidate: true, 'aria-label': mode === 'first-run' ? 'Connect to a LiteLLM proxy' : 'Connection' },
    url.wrapper,
    sso.el,
    adminKey.wrapper,
    storage,
    identityLine,
    h('details', { class: 'advanced' }, h('summary', null, 'TLS options'), caFile.wrapper, insecure.wrapper),
    errors.formError,
    sessionChoice,
    h('div', { class: 'actions' }, testButton, submit, forget),
    vault.el,
    result,
  );

  testButton.addEventListener('click', () => void test());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void connect();
  });
  forget.addEventListener('click', () => void forgetKey());
  function request(): Partial<ConnectRequest> {
    const req: Partial<ConnectRequest> = { url: url.control.value.trim(), caFile: caFile.control.value.trim() || null, allowInsecureTls: insecure.control.checked };
    if (adminKey.control.value) req.adminKey = adminKey.control.value;
    return req;
  }

  function fail(error: SerializedError): void {
    result.textContent = '';
    focusElement(errors.show(personError(error)));
    if (KEYCHAIN_KINDS.has(error.kind)) offerSessionOnly();
  }

  async function test(): Promise<void> {
    errors.clear();
    const req = request();
    if (!req.url) {
      focusElement(errors.showLocal('url', 'Enter the proxy’s URL first.'));
      return;
    }
    // The stored admin key is only used where it was entered (main enforces it): other settings need the key.
    if (!req.adminKey && stored && (req.url.replace(/\/+$/, '') !== stored.url || req.caFile !== stored.caFile || (req.allowInsecureTls && !stored.insecure))) {
      result.textContent = '';
      focusElement(errors.showLocal('adminKey', 'Enter your LiteLLM key: the stored one is only used with the URL and TLS options it was entered for.'));
      return;
    }
    result.textContent = 'Testing…';
    const r = await call(() => api.testConnection(req), { reachesProxy: true });
    if (!r.ok) return fail(r.error);
    const probe = r.value;
    if (probe.error) {
      noteProxyOutcome(probe.error, serverNow());
      return fail(probe.error);
    }
    if (probe.db_connected === false) {
      return fail({ kind: 'no-database', message: 'The proxy answers and accepts your LiteLLM key, but it runs without a database, so it cannot create virtual keys.', hint: 'Start the proxy with DATABASE_URL set.' });
    }
    const works = probe.admin_ok ? 'Connection works: the proxy answers, accepts your LiteLLM key and has a database.' : 'The proxy answers.';
    const message = probe.identity ? `${works} ${identitySentence(probe.identity)}` : works;
    result.textContent = message;
    announce(message);
  }

  async function connect(): Promise<void> {
    errors.clear();
    const req = request();
    const key = req.adminKey ?? '';
    // Write-only: the field is emptied the moment the key leaves it, whatever main answers.
    adminKey.control.value = '';
    if (!req.url) {
      focusElement(errors.showLocal('url', 'Enter the proxy’s URL.'));
      return;
    }
    if (!key) {
      focusElement(errors.showLocal('adminKey', 'Enter your LiteLLM key.'));
      return;
    }
    result.textContent = 'Connecting…';
    const r = await call(() => api.connect({ url: req.url ?? '', adminKey: key, caFile: req.caFile ?? null, allowInsecureTls: req.allowInsecureTls ?? false }), { reachesProxy: true });
    if (!r.ok) return fail(r.error);
    sessionChoice.hidden = true;
    const done = `Connected to ${r.value.url ?? req.url}. Your LiteLLM key is stored in ${r.value.keychain_backend}.`;
    const who = r.value.identity ? `${done} ${identitySentence(r.value.identity)}` : done;
    const message = r.value.identity?.role === 'master-key' ? `${who} This is the proxy’s master key: a personal or team key is safer.` : who;
    result.textContent = message;
    announce(message);
    const fresh = await call(() => api.getSnapshot());
    if (fresh.ok) applySnapshot(fresh.value);
  }

  async function forgetKey(): Promise<void> {
    const ok = await confirmAction({
      title: 'Forget your LiteLLM key?',
      body: 'Keyfob deletes it from the keychain. Until you enter it again, Keyfob cannot issue, renew or revoke keys; live keys still expire on the proxy at their TTL.',
      confirm: 'Forget LiteLLM key',
      danger: true,
    });
    if (!ok) return;
    errors.clear();
    const r = await call(() => api.forgetAdminKey());
    if (!r.ok) return fail(r.error);
    result.textContent = 'Your LiteLLM key is forgotten.';
    announce('Your LiteLLM key is forgotten.');
    const fresh = await call(() => api.getSnapshot());
    if (fresh.ok) applySnapshot(fresh.value);
  }

  function offerSessionOnly(): void {
    const choose = h('button', { type: 'button', class: 'secondary', 'data-action': 'session-only' }, 'Keep secrets for this session only');
    replaceChildren(
      sessionChoice,
      h('p', null, 'No keychain works on this computer. Keyfob can keep your LiteLLM key and the keys it issues in memory instead: they are gone when Keyfob quits, and every key it issued is revoked or expires.'),
      choose,
    );
    sessionChoice.hidden = false;
    choose.addEventListener('click', async () => {
      const r = await call(() => api.useSessionOnlyStore());
      if (!r.ok) return fail(r.error);
      errors.clear();
      replaceChildren(sessionChoice, h('p', null, 'Session only: secrets stay in memory until Keyfob quits. Enter your LiteLLM key again and connect.'));
      focusElement(adminKey.control);
    });
  }

  let lastUrl: string | null | undefined;
  /** What the stored admin key was saved with, as far as the window knows (null: no key stored). */
  let stored: { url: string; caFile: string | null; insecure: boolean } | null = null;
  function update(s: AppSnapshot): void {
    const c = s.connection;
    const savedUrl = s.settings.litellm_url ?? c.url;
    stored = c.admin_key_stored && savedUrl ? { url: savedUrl, caFile: s.settings.ca_file, insecure: s.settings.allow_insecure_tls } : null;
    replaceChildren(storage, ...storageLine(c, mode));
    forget.disabled = !c.admin_key_stored;
    forget.hidden = mode === 'first-run' || Boolean(c.sso) || Boolean(c.vault);
    sso.update(s);
    vault.update(s);
    identityLine.hidden = mode !== 'settings' || !c.identity;
    identityLine.textContent = c.identity ? identitySentence(c.identity) : '';
    // Fill the URL from main once, and again only when main's URL changes: never over what the person is typing.
    const current = s.settings.litellm_url ?? c.url;
    if (current !== lastUrl) {
      lastUrl = current;
      if (current) url.control.value = current;
      caFile.control.value = s.settings.ca_file ?? '';
      insecure.control.checked = s.settings.allow_insecure_tls;
    }
  }

  return { el: form, update, focusFirst: () => focusElement(url.control.value ? adminKey.control : url.control) };
}
