// "Connect to Vault" on the connect form: team mode, as `keyfob connect --vault`. Main signs in to Vault/OpenBao
// (a token, a user name and password, or OIDC in the browser, which main opens) and keeps the Vault token in the
// keychain; the window gets back only the connection status. The token or password field is write-only, as the LiteLLM
// key's is: emptied the moment its value leaves it. The keys are for the proxy in the connect form's own URL field.
import type { AppSnapshot, ConnectionStatus, FieldError, KeyfobApi, SerializedError, VaultConnectRequest, VaultMethod } from '../../../preload/api.js';
import { h } from '../dom.js';
import { call } from '../errors.js';
import { field, FormErrors, focusElement } from '../forms.js';
import { applySnapshot } from '../store.js';

const NETWORK_KINDS = ['unreachable', 'dns', 'tls', 'timeout', 'server-error'];
const KEYCHAIN_KINDS = new Set(['keychain-unavailable', 'keychain-locked', 'keychain-denied']);
const METHOD_LABELS: Record<VaultMethod, string> = { token: 'Token', userpass: 'Username & password', oidc: 'OIDC (in your browser)' };

export interface VaultPartHooks {
  /** The connect form's LiteLLM proxy URL: the proxy the keys are used with. */
  proxyUrl(): string;
  tls(): { caFile: string | null; allowInsecureTls: boolean };
  /** Clears the connect form's own errors and outcome line. */
  clear(): void;
  /** Shows a problem with the proxy URL on the connect form's URL field. */
  proxyUrlError(message: string): void;
  /** An error that is the connect form's to show (the keychain: it offers session-only storage). */
  fail(error: SerializedError): void;
  /** Shows and announces the outcome. */
  say(message: string): void;
}

function input(attrs: Record<string, string>): HTMLInputElement {
  return h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off', ...attrs });
}

/** "Connected to Vault at …: signed in with userpass as alice; your Vault token is kept in …". */
function connectedSentence(status: ConnectionStatus, req: VaultConnectRequest): string {
  const vault = status.vault;
  const where = vault ? `${vault.url}${vault.namespace ? ` (namespace ${vault.namespace})` : ''}` : req.vaultUrl;
  const how = req.method === 'userpass' ? `userpass as ${req.username ?? ''}` : req.method === 'token' ? 'a token' : 'OIDC';
  const roles = vault ? ` Roles from Vault: ${vault.roles.join(', ') || 'none'}.` : '';
  return `Connected to Vault at ${where}: signed in with ${how}; your Vault token is kept in ${status.keychain_backend}.${roles}`;
}

export function createVaultPart(api: KeyfobApi, hooks: VaultPartHooks): { el: HTMLElement; update(s: AppSnapshot): void } {
  const vaultUrl = field({ name: 'vaultUrl', label: 'Vault URL', control: input({ inputmode: 'url', placeholder: 'https://vault.example:8200' }), hint: 'Your team’s Vault or OpenBao server running the LiteLLM secrets engine.' });
  const namespace = field({ name: 'namespace', label: 'Vault namespace (optional)', control: input({}) });
  const mount = field({ name: 'mount', label: 'Engine mount', control: input({ value: 'litellm' }), hint: 'Where the LiteLLM engine is mounted in Vault.' });
  const methodSelect = h('select', null, ...(Object.keys(METHOD_LABELS) as VaultMethod[]).map((m) => h('option', { value: m }, METHOD_LABELS[m])));
  const method = field({ name: 'method', label: 'Sign-in method', control: methodSelect });
  const username = field({ name: 'username', label: 'Vault user name', control: input({ autocomplete: 'username' }) });
  const secret = field({ name: 'secret', label: 'Vault token', control: h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false' }), hint: 'Keyfob keeps only the Vault token it gets, in the keychain, and never shows it.' });
  const oidcRole = field({ name: 'oidcRole', label: 'OIDC role (optional)', control: input({}), hint: 'Empty: the default role of Vault’s OIDC sign-in. Keyfob opens the sign-in page in your browser.' });
  const oidcPort = field({
    name: 'oidcPort', label: 'Callback port', control: input({ inputmode: 'numeric', placeholder: '8250' }),
    hint: 'Optional. Empty: 8250, Vault’s usual port. Another one only if 8250 is taken; the OIDC role must allow http://localhost:PORT/oidc/callback.',
  });
  const errors = new FormErrors([vaultUrl, namespace, mount, method, username, secret, oidcRole, oidcPort], {
    ...Object.fromEntries(NETWORK_KINDS.map((k) => [k, 'vaultUrl'])),
    'admin-key-rejected': 'secret',
  }, 'vault-error');
  const submit = h('button', { type: 'button', class: 'primary', 'data-action': 'connect-vault' }, 'Connect to Vault');
  const el = h('details', { class: 'advanced vault', 'data-part': 'vault' },
    h('summary', null, 'Team Vault'),
    h('p', { class: 'muted' }, 'Your team issues keys through Vault or OpenBao? Sign in to it instead of entering a LiteLLM key: roles and keys then come from Vault. The LiteLLM proxy URL above is where the keys are used.'),
    vaultUrl.wrapper, namespace.wrapper, mount.wrapper, method.wrapper, username.wrapper, secret.wrapper, oidcRole.wrapper, oidcPort.wrapper,
    errors.formError,
    h('div', { class: 'actions' }, submit));

  /** Only the fields the chosen method uses are shown; the secret's label says which secret it is. */
  function showMethodFields(): void {
    const m = methodSelect.value as VaultMethod;
    username.wrapper.hidden = m !== 'userpass';
    secret.wrapper.hidden = m === 'oidc';
    oidcRole.wrapper.hidden = m !== 'oidc';
    oidcPort.wrapper.hidden = m !== 'oidc';
    const label = secret.wrapper.querySelector('label');
    if (label) label.textContent = m === 'userpass' ? 'Vault password' : 'Vault token';
  }
  showMethodFields();
  methodSelect.addEventListener('change', showMethodFields);

  function fail(error: SerializedError): void {
    if (KEYCHAIN_KINDS.has(error.kind)) return hooks.fail(error);
    // The proxy URL is the connect form's field: its problems are shown there, the rest here.
    const onProxy = (error.fields ?? []).filter((f) => f.field === 'proxyUrl');
    const rest: FieldError[] = (error.fields ?? []).filter((f) => f.field !== 'proxyUrl');
    for (const f of onProxy) hooks.proxyUrlError(/^[a-z]/.test(f.message) ? `LiteLLM proxy URL ${f.message}` : f.message);
    if (onProxy.length > 0 && rest.length === 0) return;
    focusElement(errors.show({ ...error, fields: rest }));
  }

  function request(): VaultConnectRequest {
    const m = methodSelect.value as VaultMethod;
    const req: VaultConnectRequest = {
      vaultUrl: vaultUrl.control.value.trim(), proxyUrl: hooks.proxyUrl(), mount: mount.control.value.trim() || 'litellm',
      namespace: namespace.control.value.trim() || null, method: m, ...hooks.tls(),
    };
    if (m === 'userpass') req.username = username.control.value.trim();
    if (m !== 'oidc' && secret.control.value) req.secret = secret.control.value;
    if (m === 'oidc' && oidcRole.control.value.trim()) req.oidcRole = oidcRole.control.value.trim();
    if (m === 'oidc' && oidcPort.control.value.trim()) req.oidcPort = Number(oidcPort.control.value.trim());
    return req;
  }

  async function connect(): Promise<void> {
    errors.clear();
    hooks.clear();
    const req = request();
    // Write-only: the field is emptied the moment the secret leaves it, whatever main answers.
    secret.control.value = '';
    if (!req.vaultUrl) return focusElement(errors.showLocal('vaultUrl', 'Enter your Vault server’s URL.'));
    if (!req.proxyUrl) return hooks.proxyUrlError('Enter the LiteLLM proxy URL: the proxy your keys are used with.');
    if (req.method === 'userpass' && !req.username) return focusElement(errors.showLocal('username', 'Enter your Vault user name.'));
    if (req.method !== 'oidc' && !req.secret) return focusElement(errors.showLocal('secret', req.method === 'userpass' ? 'Enter your Vault password.' : 'Enter your Vault token.'));
    if (req.oidcPort !== undefined && !/^\d{1,5}$/.test(oidcPort.control.value.trim())) {
      return focusElement(errors.showLocal('oidcPort', 'Enter a port number from 1 to 65535, or leave it empty for 8250.'));
    }
    hooks.say(req.method === 'oidc' ? 'Finish signing in to Vault in your browser…' : 'Signing in to Vault…');
    const r = await call(() => api.connectVault(req));
    if (!r.ok) {
      hooks.clear();
      return fail(r.error);
    }
    hooks.say(connectedSentence(r.value, req));
    const fresh = await call(() => api.getSnapshot());
    if (fresh.ok) applySnapshot(fresh.value);
  }

  submit.addEventListener('click', () => void connect());
  // Enter in a Vault field connects to Vault, not the LiteLLM form this part sits in.
  el.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || !(event.target instanceof HTMLInputElement)) return;
    event.preventDefault();
    void connect();
  });

  let shownVault: string | null = null;
  return {
    el,
    update(s: AppSnapshot): void {
      const v = s.connection.vault;
      submit.textContent = v ? 'Sign in to Vault again' : 'Connect to Vault';
      // Fill the fields from main once per Vault connection: never over what the person is typing.
      const key = v ? `${v.url} ${v.namespace ?? ''} ${v.mount} ${v.method}` : null;
      if (!v || key === shownVault) return;
      shownVault = key;
      el.open = true;
      vaultUrl.control.value = v.url;
      namespace.control.value = v.namespace ?? '';
      mount.control.value = v.mount;
      methodSelect.value = v.method;
      showMethodFields();
    },
  };
}
