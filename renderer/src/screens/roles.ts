// Roles: the templates keys are issued from. List, create, edit, delete, and issue or copy a key per role.
import type { AppSnapshot, Role } from '../../../preload/api.js';
import { announce } from '../announcer.js';
import { confirmAction } from '../confirm.js';
import { h, replaceChildren } from '../dom.js';
import { call, showError, errorSlot } from '../errors.js';
import { focusElement } from '../forms.js';
import { countsAsLive, spokenName } from '../lease-rules.js';
import type { ScreenView, ShellContext } from '../screen.js';
import { applySnapshot, unendedLeases, patchLease, snapshot } from '../store.js';
import { formatDuration, formatUsd, spokenDuration } from '../time.js';
import { createRoleForm } from './role-form.js';
import { createUseWithPanel } from './use-with.js';

export function createRolesScreen(ctx: ShellContext): ScreenView {
  const heading = h('h1', { id: 'roles-heading', tabindex: -1 }, 'Roles');
  const newButton = h('button', { type: 'button', class: 'primary', id: 'new-role' }, 'New role');
  const formHost = h('div', { class: 'form-host' });
  // Not a live region: the announcer says it (once).
  const status = h('p', { class: 'status' });
  // Vault mode: why the roles cannot be changed here.
  const readOnly = h('p', { class: 'muted', id: 'roles-read-only', hidden: true });
  const list = h('ul', { class: 'roles', 'aria-labelledby': 'roles-heading' });
  const empty = h(
    'div',
    { class: 'empty' },
    h('p', null, 'No roles yet.'),
    h('p', { class: 'muted' }, 'A role is a template for keys: which models they may use, their budget, and how long they live. Create one to start issuing keys.'),
  );
  const panel = h('section', { class: 'screen roles-screen' }, h('div', { class: 'toolbar' }, heading, h('div', { class: 'toolbar-actions' }, newButton)), readOnly, status, formHost, list, empty);
  const messages = new Map<string, HTMLElement>();
  let editing: string | null | undefined; // undefined: no form open; null: a new role
  let signature = '';
  let pendingFocus: string | null = null;

  newButton.addEventListener('click', () => openForm(null, newButton));

  function openForm(role: Role | null, opener: HTMLElement): void {
    editing = role?.name ?? null;
    status.textContent = '';
    const s = snapshot();
    const form = createRoleForm(
      ctx,
      role,
      (saved) => {
        replaceChildren(formHost);
        editing = undefined;
        newButton.hidden = false;
        empty.hidden = list.childElementCount !== 0;
        if (saved) {
          const message = `${role ? 'Saved' : 'Created'} role ${saved.name}.`;
          status.textContent = message;
          announce(message);
          // The role reaches the list with main's next snapshot: focus its first action as soon as it is there.
          pendingFocus = saved.name;
          render(snapshot(), true);
          if (pendingFocus) focusElement(heading);
        } else if (opener.isConnected) opener.focus();
        else focusElement(heading);
      },
      { ttl: s.settings.default_lease_ttl_seconds, maxTtl: s.settings.max_lease_ttl_seconds },
    );
    newButton.hidden = true;
    empty.hidden = true;
    replaceChildren(formHost, form.el);
    form.focusFirst();
  }

  function roleItem(role: Role, liveCount: number, s: AppSnapshot): HTMLLIElement {
    const msg = errorSlot('role-msg');
    messages.set(role.name, msg);
    const act = (action: string, label: string, cls: string, run: (button: HTMLButtonElement) => void): HTMLButtonElement => {
      const b = h('button', { type: 'button', class: cls, 'data-action': action, 'aria-describedby': `role-${role.name}-name` }, label);
      b.addEventListener('click', () => run(b));
      return b;
    };
    // The values that apply, also when they come from Settings: "TTL 1h (default)", never "max default".
    const ttl = role.ttl || s.settings.default_lease_ttl_seconds;
    const maxTtl = role.max_ttl || s.settings.max_lease_ttl_seconds;
    const limits = [
      `TTL ${formatDuration(Math.min(ttl, maxTtl))}${role.ttl ? '' : ' (default)'}`,
      `max TTL ${formatDuration(maxTtl)}${role.max_ttl ? '' : ' (default)'}`,
      role.max_budget ? `budget ${formatUsd(role.max_budget)}${role.budget_duration ? ` per ${role.budget_duration}` : ''}` : 'no budget',
      role.rpm_limit ? `${role.rpm_limit} rpm` : null,
      role.tpm_limit ? `${role.tpm_limit} tpm` : null,
      role.max_parallel_requests ? `${role.max_parallel_requests} parallel` : null,
      role.team_id ? `team ${role.team_id}` : null,
      role.user_id ? `user ${role.user_id}` : null,
    ].filter(Boolean);
    return h(
      'li',
      { class: 'role card', id: `role-${role.name}`, 'data-role': role.name },
      h(
        'div',
        { class: 'role-info' },
        h('h2', { id: `role-${role.name}-name`, class: 'role-name' }, role.name, liveCount ? h('span', { class: 'badge b-renewing' }, `${liveCount} live`) : null),
        h('p', { class: 'models' }, role.models.length ? role.models.join(', ') : 'All models'),
        h('p', { class: 'muted' }, limits.join(' · ')),
      ),
      h(
        'div',
        { class: 'role-actions' },
        act('issue', 'Issue key', 'primary', () => void issue(role.name)),
        act('copy', 'Copy key', 'secondary', () => void copy(role.name)),
        ...(s.features?.roles_read_only ? [] : [
          act('edit', 'Edit', 'secondary', (b) => openForm(role, b)),
          act('delete', 'Delete', 'danger-quiet', () => void remove(role.name)),
        ]),
      ),
      msg,
      createUseWithPanel(ctx, role.name, s),
    );
  }

  async function issue(name: string): Promise<void> {
    showError(messages.get(name)!, null);
    const r = await call(() => ctx.api.issue(name), { reachesProxy: true });
    if (!r.ok) return showError(messages.get(name)!, r.error);
    patchLease(r.value);
    announce(`Issued ${spokenName(r.value)}.`);
    ctx.showLease(r.value.lease_id);
  }

  async function copy(name: string): Promise<void> {
    showError(messages.get(name)!, null);
    const r = await call(() => ctx.api.copyRoleKey(name));
    if (!r.ok) return showError(messages.get(name)!, r.error);
    patchLease(r.value);
    const clear = snapshot().settings.clipboard_clear_seconds;
    status.textContent = `Copied ${r.value.key_alias}.${clear > 0 ? ` The clipboard is cleared in ${formatDuration(clear)}.` : ''}`;
    announce(`Copied ${spokenName(r.value)}.${clear > 0 ? ` The clipboard is cleared in ${spokenDuration(clear * 1000)}.` : ''}`);
  }

  async function remove(name: string): Promise<void> {
    const live = unendedLeases().filter((l) => l.role === name && countsAsLive(l)).length;
    const ok = await confirmAction({
      title: `Delete role ${name}?`,
      body:
        live === 0 ? 'No key of this role is live.'
        : live === 1 ? 'Its live key stays until it expires or you revoke it.'
        : `Its ${live} live keys stay until they expire or you revoke them.`,
      confirm: 'Delete role',
      danger: true,
    });
    if (!ok) return;
    const r = await call(() => ctx.api.deleteRole(name));
    if (!r.ok) return showError(messages.get(name)!, r.error);
    const next = list.querySelector<HTMLElement>(`[data-role="${CSS.escape(name)}"]`);
    const neighbour = (next?.nextElementSibling ?? next?.previousElementSibling) as HTMLElement | null;
    const message = `Deleted role ${name}.`;
    status.textContent = message;
    announce(message);
    const fresh = await call(() => ctx.api.getSnapshot());
    if (fresh.ok) applySnapshot(fresh.value);
    const focusTarget = neighbour?.isConnected ? neighbour.querySelector<HTMLElement>('[data-action="delete"]') : null;
    focusElement(focusTarget ?? newButton);
  }

  function render(s: AppSnapshot, force = false): void {
    const live = unendedLeases(s).filter(countsAsLive);
    const counts = new Map<string, number>();
    for (const l of live) counts.set(l.role, (counts.get(l.role) ?? 0) + 1);
    const roles = [...s.roles].sort((a, b) => a.name.localeCompare(b.name));
    const st = s.settings;
    const next = JSON.stringify([roles, [...counts], st.default_lease_ttl_seconds, st.max_lease_ttl_seconds, s.connection.url, s.features ?? null]);
    if (next === signature && !force) return;
    signature = next;
    // Keep focus on the same button of the same role across a re-render.
    const active = document.activeElement as HTMLElement | null;
    const focusedRole = active?.closest<HTMLElement>('[data-role]')?.dataset.role;
    const focusedAction = active?.dataset.action;
    const keptMessages = new Map(messages);
    messages.clear();
    // A re-render keeps each open "Use with…" panel open.
    const open = new Set([...list.querySelectorAll<HTMLDetailsElement>('details.use-with[open]')].map((d) => d.closest<HTMLElement>('[data-role]')?.dataset.role));
    replaceChildren(list, ...roles.map((r) => roleItem(r, counts.get(r.name) ?? 0, s)));
    for (const d of list.querySelectorAll<HTMLDetailsElement>('details.use-with')) if (open.has(d.closest<HTMLElement>('[data-role]')?.dataset.role)) d.open = true;
    for (const [name, old] of keptMessages) {
      const fresh = messages.get(name);
      if (fresh && !old.hidden) {
        fresh.replaceWith(old);
        messages.set(name, old);
      }
    }
    if (focusedRole && focusedAction && !active?.isConnected) {
      list.querySelector<HTMLElement>(`[data-role="${CSS.escape(focusedRole)}"] [data-action="${focusedAction}"]`)?.focus();
    }
    const lockedBecause = s.features?.roles_read_only;
    readOnly.hidden = !lockedBecause;
    readOnly.textContent = lockedBecause ? `These roles are read-only: ${lockedBecause}.` : '';
    if (lockedBecause && editing === undefined) newButton.hidden = true;
    else if (editing === undefined) newButton.hidden = false;
    list.hidden = roles.length === 0;
    empty.hidden = roles.length !== 0 || editing !== undefined;
    const wanted = pendingFocus ? list.querySelector<HTMLElement>(`[data-role="${CSS.escape(pendingFocus)}"] [data-action="issue"]`) : null;
    if (wanted) {
      pendingFocus = null;
      wanted.focus();
    }
  }

  return { id: 'roles', title: 'Roles', panel, heading, update: (s) => render(s) };
}
