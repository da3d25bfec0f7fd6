// Keys, the home screen: every live lease with its countdown, and the actions on them.
import type { AppSnapshot, LeaseView, SerializedError } from '../../../preload/api.js';
import { announce } from '../announcer.js';
import { noteProxyOutcome } from '../connection.js';
import { confirmAction } from '../confirm.js';
import { h, replaceChildren } from '../dom.js';
import { call, errorSlot, errorText, showError } from '../errors.js';
import { focusElement } from '../forms.js';
import { isLive, needsAttention, spokenName } from '../lease-rules.js';
import type { ScreenView, ShellContext } from '../screen.js';
import { applySnapshot, liveLeases, patchLease, serverNow, snapshot } from '../store.js';
import { onTick } from '../ticker.js';
import { formatDuration, formatInstant, formatRemaining, MINUTE, spokenDuration } from '../time.js';
import type { LeaseAction, SpendInfo } from './lease-row.js';
import { LeaseRow, MESSAGE_MS } from './lease-row.js';

const SPEND_REFRESH_MS = MINUTE;
const SPEND_CONCURRENCY = 4;
const REVEAL_MS = MINUTE;
const URGENCY_WORDS = ['', '5 minutes left', '1 minute left', 'expired'] as const;
/** A few words for why spend cannot be read; the header's connection indicator says the rest. */
const SPEND_PROBLEM: Record<string, string> = { unreachable: 'proxy unreachable', dns: 'proxy unreachable', tls: 'proxy unreachable', timeout: 'proxy not answering', 'admin-key-rejected': 'LiteLLM key rejected' };

export interface KeysScreen extends ScreenView {
  focusLease(leaseId: string): void;
}

export function createKeysScreen(ctx: ShellContext): KeysScreen {
  const { api } = ctx;
  const rows = new Map<string, LeaseRow>();
  const spendCache = new Map<string, SpendInfo & { fetchedAt: number }>();
  let spendInFlight = false;
  let nextSpendScan = 0;

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
    const count = liveLeases().length;
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
      await runAction(row, action);
    } finally {
      row.busy = false;
      row.el.removeAttribute('aria-busy');
    }
  }

  async function runAction(row: LeaseRow, action: LeaseAction): Promise<void> {
    const id = row.lease.lease_id;
    const name = spokenName(row.lease);
    const failed = (error: SerializedError): void => row.say(errorText(error), 'error', { untilMs: serverNow() + MESSAGE_MS.error, errorKind: error.kind });
    switch (action) {
      case 'copy': {
        const r = await call(() => api.copyLeaseKey(id));
        if (!r.ok) return failed(r.error);
        patchLease(r.value);
        const clear = snapshot().settings.clipboard_clear_seconds;
        // The message lives as long as it is true: until the clipboard is cleared.
        row.say(clear > 0 ? `Copied. The clipboard is cleared in ${formatDuration(clear)}.` : 'Copied.', 'ok', { untilMs: serverNow() + (clear > 0 ? clear * 1000 : MESSAGE_MS.ok) });
        announce(`Copied ${name}.${clear > 0 ? ` The clipboard is cleared in ${spokenDuration(clear * 1000)}.` : ''}`);
        return;
      }
      case 'reveal': {
        if (row.revealed) {
          hideRevealed(row);
          return;
        }
        const r = await call(() => api.revealKey(id));
        if (!r.ok) return failed(r.error);
        row.showSecret(r.value, serverNow() + REVEAL_MS);
        row.say(`Shown for ${formatDuration(REVEAL_MS / 1000)}. Escape hides it.`, 'ok', { untilMs: serverNow() + REVEAL_MS, about: 'reveal' });
        announce(`${name} shown for ${spokenDuration(REVEAL_MS)}. Escape hides it.`);
        return;
      }
      case 'renew': {
        const r = await call(() => api.renew(id), { reachesProxy: true });
        if (!r.ok) return failed(r.error);
        patchLease(r.value);
        const now = serverNow();
        const expires = r.value.expires_at ? Date.parse(r.value.expires_at) : null;
        const capped = expires !== null && r.value.max_expires_at !== null && expires >= Date.parse(r.value.max_expires_at) - 500;
        const limit = capped ? ' That is its max TTL: it cannot be renewed further.' : '';
        const message = expires === null ? 'Renewed.' : `Renewed: expires ${formatInstant(expires, now)} (${formatRemaining(expires - now)} left).${limit}`;
        row.say(message, 'ok', { untilMs: now + MESSAGE_MS.ok });
        announce(expires === null ? `Renewed ${name}.` : `Renewed ${name}: ${spokenDuration(expires - now)} left.${limit}`);
        return;
      }
      case 'revoke': {
        const r = await call(() => api.revoke(id), { reachesProxy: true });
        if (!r.ok) return failed(r.error);
        if (r.value.last_error) noteLeaseError(r.value.last_error);
        if (r.value.state === 'revoked' || r.value.state === 'expired') announce(`Revoked ${name}.`);
        // A failure shows in the row's state note (once); only a pending revocation needs a word here.
        else if (!r.value.last_error && rows.has(id)) row.say('Revocation pending.', 'ok', { untilMs: serverNow() + MESSAGE_MS.ok });
        patchLease(r.value);
        return;
      }
    }
  }

  function noteLeaseError(error: SerializedError): void {
    noteProxyOutcome(error, serverNow());
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
    const leases = liveLeases(s).sort((a, b) => b.issued_at.localeCompare(a.issued_at) || a.lease_id.localeCompare(b.lease_id));
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
      spendCache.delete(id);
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
        const cached = spendCache.get(lease.lease_id);
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
    const live = leases.filter(isLive).length;
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
    if (ctx.isVisible('keys')) refreshSpend(true);
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

  // Spend comes from the proxy: fetched for visible leases, each at most once a minute.
  function refreshSpend(force = false): void {
    if (spendInFlight || document.hidden || (!force && Date.now() < nextSpendScan)) return;
    nextSpendScan = Date.now() + 5000;
    const cutoff = Date.now() - SPEND_REFRESH_MS;
    const due = [...rows.values()].filter((r) => r.lease.state === 'active' && (spendCache.get(r.lease.lease_id)?.fetchedAt ?? -Infinity) <= cutoff);
    if (!due.length) return;
    spendInFlight = true;
    const worker = async (): Promise<void> => {
      for (let row = due.shift(); row; row = due.shift()) {
        const id = row.lease.lease_id;
        const r = await call(() => api.keyInfo(id), { reachesProxy: true });
        const info: SpendInfo = r.ok ? { spend: r.value.spend, max_budget: r.value.max_budget, error: null } : { spend: 0, max_budget: null, error: SPEND_PROBLEM[r.error.kind] ?? r.error.message };
        spendCache.set(id, { ...info, fetchedAt: Date.now() });
        rows.get(id)?.showSpend(info);
      }
    };
    void Promise.all(Array.from({ length: SPEND_CONCURRENCY }, worker)).finally(() => {
      spendInFlight = false;
    });
  }

  onTick((now) => {
    for (const row of rows.values()) {
      if (row.revealedUntil !== null && now >= row.revealedUntil) hideRevealed(row, true);
      const before = row.urgency;
      const after = row.tick(now);
      if (after > before) announce(`${spokenName(row.lease)}: ${URGENCY_WORDS[after]}.`);
    }
    if (ctx.isVisible('keys')) refreshSpend();
  });

  return { id: 'keys', title: 'Keys', panel, heading, update, focusLease, shown: () => refreshSpend(true) };
}
