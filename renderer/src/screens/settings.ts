// Settings: the connection (URL, admin key replace / test / forget) and the lease and app preferences.
import type { AppSnapshot, CommandLineToolAction, RevokeTrigger, Settings, SettingsPatch } from '../../../preload/api.js';
import { announce } from '../announcer.js';
import { h } from '../dom.js';
import { call, errorText } from '../errors.js';
import { checkbox, field, FormErrors, focusElement } from '../forms.js';
import type { Field } from '../forms.js';
import type { ScreenView, ShellContext } from '../screen.js';
import { applySnapshot } from '../store.js';
import { formatDuration } from '../time.js';
import { createConnectForm } from './connect.js';

type DurationKey = 'default_lease_ttl_seconds' | 'max_lease_ttl_seconds' | 'idle_threshold_seconds' | 'clipboard_clear_seconds' | 'request_timeout_seconds';

const TRIGGERS: Array<[RevokeTrigger, string]> = [
  ['quit', 'Keyfob quits'],
  ['logout', 'I log out or shut down'],
  ['lock', 'The screen locks'],
  ['suspend', 'The computer sleeps'],
];

export function createSettingsScreen(ctx: ShellContext): ScreenView {
  const heading = h('h1', { id: 'settings-heading', tabindex: -1 }, 'Settings');
  const connection = createConnectForm(ctx, 'settings');

  const duration = (name: DurationKey, label: string, hint: string): Field =>
    field({ name, label, control: h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off' }), hint });
  const durations: Record<DurationKey, Field> = {
    default_lease_ttl_seconds: duration('default_lease_ttl_seconds', 'Default lease TTL', 'For roles without their own TTL, e.g. 1h.'),
    max_lease_ttl_seconds: duration('max_lease_ttl_seconds', 'Max lease TTL', 'No key lives longer than this from issue, however often it is renewed.'),
    idle_threshold_seconds: duration('idle_threshold_seconds', 'Idle after', 'With no keyboard or mouse input this long, keys are not renewed and expire.'),
    clipboard_clear_seconds: duration('clipboard_clear_seconds', 'Clear copied keys after', 'Only if the clipboard still holds the key. 0: never.'),
    request_timeout_seconds: duration('request_timeout_seconds', 'Proxy request timeout', 'How long to wait for the LiteLLM proxy.'),
  };
  const triggers = TRIGGERS.map(([key, label]) => ({ key, ...checkbox(`revoke_on.${key}`, label, false) }));
  const launch = checkbox('launch_at_login', 'Start Keyfob when I log in', false, 'Starts hidden, in the tray.');
  const notify = checkbox('notifications', 'Notifications', false, 'Expiring soon, renewal skipped while idle, revocation failed.');
  const errors = new FormErrors(Object.values(durations));
  // Not a live region: the announcer says it (once).
  const status = h('p', { class: 'status' });
  const save = h('button', { type: 'submit', class: 'primary', 'data-action': 'save-settings' }, 'Save settings');
  const prefs = h(
    'form',
    { class: 'prefs-form', novalidate: true, 'aria-labelledby': 'prefs-heading' },
    h('h2', { id: 'prefs-heading' }, 'Leases'),
    h('div', { class: 'grid' }, ...Object.values(durations).map((f) => f.wrapper)),
    h('fieldset', null, h('legend', null, 'Revoke every key when'), h('div', { class: 'checks' }, ...triggers.map((t) => t.wrapper))),
    h('fieldset', null, h('legend', null, 'App'), h('div', { class: 'checks' }, launch.wrapper, notify.wrapper)),
    errors.formError,
    h('div', { class: 'actions' }, save),
    status,
  );
  const cli = createCommandLineToolCard(ctx);
  const panel = h(
    'section',
    { class: 'screen settings-screen' },
    h('div', { class: 'toolbar' }, heading),
    h('section', { class: 'card', 'aria-labelledby': 'connection-heading' }, h('h2', { id: 'connection-heading', tabindex: -1 }, 'Connection'), connection.el),
    h('section', { class: 'card' }, prefs),
    cli,
  );

  let dirty = false;
  prefs.addEventListener('input', () => {
    dirty = true;
    status.textContent = '';
  });
  prefs.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });

  async function submit(): Promise<void> {
    errors.clear();
    // Durations go as typed ("90s", "5min", "1h30m", "1.5h"): the core reads them, with the CLI's rules, and names a
    // field it cannot read.
    const patch: SettingsPatch = {};
    for (const [key, f] of Object.entries(durations) as Array<[DurationKey, Field]>) patch[key] = f.control.value;
    patch.revoke_on = Object.fromEntries(triggers.map((t) => [t.key, t.control.checked])) as Record<RevokeTrigger, boolean>;
    patch.launch_at_login = launch.control.checked;
    patch.notifications = notify.control.checked;
    const r = await call(() => ctx.api.updateSettings(patch));
    if (!r.ok) return focusElement(errors.show(r.error));
    dirty = false;
    fill(r.value);
    status.textContent = 'Settings saved.';
    announce('Settings saved.');
    const fresh = await call(() => ctx.api.getSnapshot());
    if (fresh.ok) applySnapshot(fresh.value);
  }

  function fill(s: Settings): void {
    for (const [key, f] of Object.entries(durations) as Array<[DurationKey, Field]>) f.control.value = formatDuration(s[key]);
    for (const t of triggers) t.control.checked = s.revoke_on[t.key];
    launch.control.checked = s.launch_at_login;
    notify.control.checked = s.notifications;
  }

  function update(s: AppSnapshot): void {
    connection.update(s);
    if (!dirty) fill(s.settings);
  }

  return { id: 'settings', title: 'Settings', panel, heading, update };
}

/** "Install command-line tool": puts `keyfob` on the PATH (main/electron/command-line-tool.ts), says where, undoes it. */
function createCommandLineToolCard(ctx: ShellContext): HTMLElement {
  const status = h('p', { class: 'status', role: 'status', 'data-role': 'cli-tool-status' });
  const button = h('button', { type: 'button', 'data-action': 'cli-tool', hidden: true }, 'Install command-line tool');
  let installed = false;
  async function run(action: CommandLineToolAction): Promise<void> {
    button.disabled = true;
    const r = await call(() => ctx.api.commandLineTool(action));
    button.disabled = false;
    // What is not an outcome (nothing to install here, or a failure) reads as plain text, not as success.
    status.className = r.ok && action !== 'status' ? 'status' : 'muted';
    if (!r.ok) {
      status.textContent = errorText(r.error);
      // Where there is nothing to install (a checkout), there is no button to press.
      button.hidden = action === 'status';
      return;
    }
    installed = r.value.installed;
    status.textContent = r.value.message;
    button.hidden = false;
    // The status line is a live region: it is heard without a second announcement.
    button.textContent = installed ? 'Remove command-line tool' : 'Install command-line tool';
  }
  button.addEventListener('click', () => void run(installed ? 'uninstall' : 'install'));
  void run('status');
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'cli-tool-heading' },
    h('h3', { id: 'cli-tool-heading' }, 'Command-line tool'),
    h('p', null, 'The keyfob command works with the same roles and keys as this window.'),
    h('div', { class: 'actions' }, button),
    status,
  );
}
