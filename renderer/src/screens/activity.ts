// Activity: Keyfob's audit log, newest first. Fetched when the screen opens and whenever main reports a change
// while it is open.
import type { AuditEntry } from '../../../preload/api.js';
import { h, replaceChildren } from '../dom.js';
import { call, errorSlot, showError } from '../errors.js';
import type { ScreenView, ShellContext } from '../screen.js';
import { formatDateTime } from '../time.js';

const LIMIT = 200;

export function createActivityScreen(ctx: ShellContext): ScreenView {
  const heading = h('h1', { id: 'activity-heading', tabindex: -1 }, 'Activity');
  const refresh = h('button', { type: 'button', class: 'secondary', 'data-action': 'refresh' }, 'Refresh');
  const error = errorSlot();
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'audit' },
    h('caption', { class: 'sr-only' }, 'Audit log, newest first'),
    h('thead', null, h('tr', null, ...['Time', 'Action', 'Outcome', 'Role', 'Key', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
    body,
  );
  const empty = h('p', { class: 'empty muted' }, 'Nothing yet. Issuing, renewing and revoking keys shows up here.');
  const reconcile = h('p', { class: 'muted reconcile' });
  const panel = h(
    'section',
    { class: 'screen activity-screen' },
    h('div', { class: 'toolbar' }, heading, h('div', { class: 'toolbar-actions' }, refresh)),
    reconcile,
    error,
    h('div', { class: 'table-wrap' }, table),
    empty,
  );
  refresh.addEventListener('click', () => void load());

  let loading = false;
  let again = false;
  async function load(): Promise<void> {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    const r = await call(() => ctx.api.auditLog(LIMIT));
    loading = false;
    if (!r.ok) showError(error, r.error);
    else {
      showError(error, null);
      render(r.value);
    }
    if (again) {
      again = false;
      void load();
    }
  }

  function render(entries: AuditEntry[]): void {
    const sorted = [...entries].sort((a, b) => b.time.localeCompare(a.time));
    replaceChildren(
      body,
      ...sorted.map((e) =>
        h(
          'tr',
          { class: `outcome-${e.outcome}` },
          h('td', { class: 'nowrap' }, h('time', { datetime: e.time }, formatDateTime(Date.parse(e.time)))),
          h('td', null, e.action),
          h('td', null, h('span', { class: `badge o-${e.outcome}` }, e.outcome)),
          h('td', null, e.role ?? ''),
          h('td', { class: 'mono' }, e.key_alias ?? ''),
          h('td', null, e.detail ?? ''),
        ),
      ),
    );
    table.hidden = sorted.length === 0;
    empty.hidden = sorted.length !== 0;
  }

  return {
    id: 'activity',
    title: 'Activity',
    panel,
    heading,
    update: (s) => {
      const rep = s.last_reconcile;
      reconcile.textContent = rep
        ? `Last check with the proxy: ${rep.revoked} revoked, ${rep.expired} expired, ${rep.resumed} resumed, ${rep.still_revoking} still revoking, ${rep.irrevocable} irrevocable.`
        : '';
      if (ctx.isVisible('activity')) void load();
    },
    shown: () => void load(),
  };
}
