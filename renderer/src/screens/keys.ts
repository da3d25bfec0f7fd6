// Keys, the home screen: every live lease with its countdown, and the actions on them.
import type { AppSnapshot, LeaseView } from '../../../preload/api.js';
import { announce } from '../announcer.js';
import { confirmAction } from '../confirm.js';
import { h, replaceChildren } from '../dom.js';
import { call, errorSlot, showError } from '../errors.js';
import { focusElement } from '../forms.js';
import { countsAsLive, needsAttention, spokenName } from '../lease-rules.js';
import type { ScreenView, ShellContext } from '../screen.js';
import { applySnapshot, unendedLeases, patchLease, serverNow } from '../store.js';
import { onTick } from '../ticker.js';
import { spokenDuration } from '../time.js';
import { KeySpend } from './key-spend.js';
import { runLeaseAction } from './lease-actions.js';
import type { LeaseAction } from './lease-row.js';
import { LeaseRow } from './lease-row.js';

const URGENCY_WORDS = ['', '5 minutes left', '1 minute left', 'expired'] as const;

export interface KeysScreen extends ScreenView {
  focusLease(leaseId: string): void;
}

export function createKeysScreen(ctx: ShellContext): KeysScreen {
  const { api } = ctx;
  const rows = new Map<string, LeaseRow>();
  const spend = new KeySpend(api, rows);
  const { heading, roleSelect, issueButton, issueError, noRoles, issueForm, revokeAllButton, toolbarStatus, toolbarError, summary, list, emptyHint, emptyAction, empty, panel } = keysLayout(ctx);

  // Escape hides a shown key, wherever in its row the focus is.
  list.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    const id = (event.target as HTMLElement).closest<HTMLElement>('li.lease')?.dataset.leaseId;
    const row = id ? rows.get(id) : undefined;
    if (!row?.revealed) return;
    event.preventDefault();
    hideRevealed(row);
  });

  issueForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void issue(roleSelect.value);
  });
  revokeAllButton.addEventListener('click', () => void revokeAll());

  async function issue(role: string): Promise<void> {
    showError(issueError, null);
    if (!role) return;
    issueButton.setAttribute('aria-busy', 'true');
    const result = await call(() => api.issue(role), { reachesProxy: true });
    issueButton.removeAttribute('aria-busy');
    if (!result.ok) {
      showError(issueError, result.error);
      return;
    }
    patchLease(result.value);
    announceIssued(result.value);
    focusLease(result.value.lease_id);
  }

  async function revokeAll(): Promise<void> {
    const count = unendedLeases().length;
    const ok = await confirmAction({
      title: `Revoke all ${count} key${count === 1 ? '' : 's'}?`,
      body: 'Every live key is deleted on the LiteLLM proxy now. Programs using them stop working.',
      confirm: 'Revoke all',
      danger: true,
    });
    if (!ok) return;
    showError(toolbarError, null);
    toolbarStatus.textContent = 'Revoking…';
    const result = await call(() => api.revokeAll(), { reachesProxy: true });
    if (!result.ok) {
      toolbarStatus.textContent = '';
      showError(toolbarError, result.error);
      return;
    }
    const { revoked, failed, left } = result.value;
    const parts = [`Revoked ${revoked} key${revoked === 1 ? '' : 's'}.`];
    if (failed || left.length) parts.push(`${failed || left.length} could not be revoked yet; Keyfob keeps retrying (see below).`);
    toolbarStatus.textContent = parts.join(' ');
    announce(parts.join(' '));
    for (const lease of left) patchLease(lease);
    const fresh = await call(() => api.getSnapshot());
    if (fresh.ok) applySnapshot(fresh.value);
    focusElement(heading);
  }

  async function onAction(row: LeaseRow, action: LeaseAction): Promise<void> {
    if (row.busy) return;
    row.busy = true;
    row.el.setAttribute('aria-busy', 'true');
    try {
      await runLeaseAction(row, action, { api, hideRevealed: (r) => hideRevealed(r), hasRow: (id) => rows.has(id) });
    } finally {
      row.busy = false;
      row.el.removeAttribute('aria-busy');
    }
  }

  /** Hides a shown key on request (Hide, Escape) or when its time is up: focus to Reveal, and say so. */
  function hideRevealed(row: LeaseRow, auto = false): void {
    const focusWasInRow = row.el.contains(document.activeElement) || document.activeElement === document.body;
    row.hideSecret();
    if (focusWasInRow && !row.buttons.reveal.hidden) row.buttons.reveal.focus();
    announce(`${spokenName(row.lease)} hidden${auto ? ' again' : ''}.`);
  }

  function announceIssued(lease: LeaseView): void {
    const left = lease.expires_at ? ` It expires in ${spokenDuration(Date.parse(lease.expires_at) - serverNow())}.` : '';
    announce(`Issued ${spokenName(lease)}.${left}`);
  }

  function focusLease(leaseId: string): void {
    const row = rows.get(leaseId);
    if (!row) return;
    row.el.scrollIntoView({ block: 'nearest' });
    focusElement(row.buttons.copy.disabled ? row.el : row.buttons.copy);
  }

  function update(s: AppSnapshot): void {
    const now = serverNow();
    updateRoles(s);
    const leases = unendedLeases(s).sort((a, b) => b.issued_at.localeCompare(a.issued_at) || a.lease_id.localeCompare(b.lease_id));
    const wanted = new Set(leases.map((l) => l.lease_id));

    // Rows that leave: remember where focus was so it lands on the neighbour's same button.
    let refocus: { action: string | null; neighbour: LeaseRow | null } | null = null;
    for (const [id, row] of rows) {
      if (wanted.has(id)) continue;
      if (row.el.contains(document.activeElement)) {
        const action = (document.activeElement as HTMLElement).dataset.action ?? null;
        refocus = { action, neighbour: neighbourOf(row, wanted) };
      }
      row.hideSecret();
      row.el.remove();
      rows.delete(id);
      spend.forget(id);
    }

    // Newest first; existing rows never move (issued_at never changes), new ones slot in before their successor.
    let next: Node | null = null;
    for (let i = leases.length - 1; i >= 0; i--) {
      const lease = leases[i]!;
      let row = rows.get(lease.lease_id);
      if (row) {
        const before = row.urgency;
        row.update(lease, now);
        if (row.urgency > before) announce(`${spokenName(lease)}: ${URGENCY_WORDS[row.urgency]}.`);
      } else {
        row = new LeaseRow(lease, now, (r, a) => void onAction(r, a));
        const cached = spend.cached(lease.lease_id);
        if (cached) row.showSpend(cached);
        rows.set(lease.lease_id, row);
        list.insertBefore(row.el, next);
      }
      next = row.el;
    }

    if (refocus) {
      const target = refocus.neighbour;
      const button = target && refocus.action ? target.buttons[refocus.action as LeaseAction] : undefined;
      if (button && !button.disabled) button.focus();
      else if (target) focusElement(target.buttons.copy.disabled ? target.el : target.buttons.copy);
      else focusElement(heading);
    }

    const count = leases.length;
    const live = leases.filter(countsAsLive).length;
    const attention = leases.filter(needsAttention).length;
    list.hidden = count === 0;
    empty.hidden = count !== 0;
    const noRolesYet = s.roles.length === 0;
    emptyHint.textContent = noRolesYet
      ? 'Keys are issued from roles, and there are none yet: create one on the Roles screen.'
      : 'Issue one with the form above. Keys you issue appear here with the time they have left.';
    emptyAction.hidden = !noRolesYet;
    summary.textContent = count
      ? [`${live} live key${live === 1 ? '' : 's'}`, attention ? `${attention} need${attention === 1 ? 's' : ''} attention` : ''].filter(Boolean).join(' · ')
      : '';
    summary.hidden = count === 0;
    revokeAllButton.hidden = count === 0;
    if (ctx.isVisible('keys')) spend.refresh(true);
  }

  function neighbourOf(row: LeaseRow, wanted: Set<string>): LeaseRow | null {
    for (const dir of ['nextElementSibling', 'previousElementSibling'] as const) {
      let el = row.el[dir];
      while (el) {
        const id = (el as HTMLElement).dataset.leaseId;
        if (id && wanted.has(id)) return rows.get(id) ?? null;
        el = el[dir];
      }
    }
    return null;
  }

  let roleNames = '';
  function updateRoles(s: AppSnapshot): void {
    const names = s.roles.map((r) => r.name).sort();
    noRoles.hidden = names.length > 0;
    issueForm.hidden = names.length === 0;
    const joined = names.join('\n');
    if (joined === roleNames) return;
    roleNames = joined;
    const selected = roleSelect.value;
    replaceChildren(roleSelect, ...names.map((n) => h('option', { value: n }, n)));
    if (names.includes(selected)) roleSelect.value = selected;
  }

  onTick((now) => {
    for (const row of rows.values()) {
      if (row.revealedUntil !== null && now >= row.revealedUntil) hideRevealed(row, true);
      const before = row.urgency;
      const after = row.tick(now);
      if (after > before) announce(`${spokenName(row.lease)}: ${URGENCY_WORDS[after]}.`);
    }
    if (ctx.isVisible('keys')) spend.refresh();
  });

  return { id: 'keys', title: 'Keys', panel, heading, update, focusLease, shown: () => spend.refresh(true) };
}

/** The screen's elements: the issue form, the toolbar's status and errors, the list, its empty state, Revoke all. */
function keysLayout(ctx: ShellContext) {
  const heading = h('h1', { id: 'keys-heading', tabindex: -1 }, 'Keys');
  const roleSelect = h('select', { id: 'issue-role', name: 'role' });
  const issueButton = h('button', { type: 'submit', class: 'primary', id: 'issue-button' }, 'Issue key');
  const issueError = errorSlot();
  const noRoles = h('p', { class: 'muted no-roles' }, 'No roles yet. ', h('button', { type: 'button', class: 'link', onclick: () => ctx.navigate('roles', { focus: true }) }, 'Create a role'), ' to issue keys.');
  const issueForm = h(
    'form',
    { class: 'issue-form', 'aria-label': 'Issue a key' },
    h('label', { for: 'issue-role' }, 'Role'),
    roleSelect,
    issueButton,
  );
  // Secondary, and only with keys to revoke: it breaks every program using a key, so it also asks first.
  const revokeAllButton = h('button', { type: 'button', class: 'danger-quiet', id: 'revoke-all' }, 'Revoke all…');
  // Not a live region: the window's one announcer says what happened (a screen reader hears it once).
  const toolbarStatus = h('p', { class: 'status' });
  const toolbarError = errorSlot();
  const summary = h('p', { class: 'summary muted' });
  const list = h('ul', { class: 'leases', 'aria-labelledby': 'keys-heading' });
  const emptyHint = h('p', { class: 'muted' });
  const emptyAction = h('button', { type: 'button', class: 'secondary', 'data-action': 'go-roles', onclick: () => ctx.navigate('roles', { focus: true }) }, 'Go to Roles');
  const empty = h('div', { class: 'empty' }, h('p', null, 'No live keys.'), emptyHint, h('p', null, emptyAction));
  const panel = h(
    'section',
    { class: 'screen keys-screen' },
    h('div', { class: 'toolbar' }, heading, h('div', { class: 'toolbar-actions' }, issueForm)),
    noRoles,
    issueError,
    toolbarError,
    toolbarStatus,
    summary,
    list,
    empty,
    h('div', { class: 'danger-zone' }, revokeAllButton),
  );
  return { heading, roleSelect, issueButton, issueError, noRoles, issueForm, revokeAllButton, toolbarStatus, toolbarError, summary, list, emptyHint, emptyAction, empty, panel };
}
