// The window's frame: header, notices, the first-run page or the tabbed screens, and navigation between them.
import type { AppSnapshot, KeyfobApi, Screen } from '../../preload/api.js';
import type { Health } from './connection.js';
import { health, onHealth } from './connection.js';
import { h, replaceChildren } from './dom.js';
import { focusElement } from './forms.js';
import { countsAsLive } from './lease-rules.js';
import type { ScreenView, ShellContext } from './screen.js';
import { createActivityScreen } from './screens/activity.js';
import { createConnectForm, identitySentence } from './screens/connect.js';
import { createKeysScreen } from './screens/keys.js';
import { createRolesScreen } from './screens/roles.js';
import { createSettingsScreen } from './screens/settings.js';
import { unendedLeases, serverNow, snapshot, subscribe } from './store.js';
import { tickNow } from './ticker.js';
import { formatInstant } from './time.js';

type TabScreen = Exclude<Screen, 'connect'>;
const TAB_ORDER: TabScreen[] = ['keys', 'roles', 'settings', 'activity'];

export function mountShell(root: HTMLElement, api: KeyfobApi): { navigate(screen: Screen): void } {
  let mode: 'first-run' | 'app' | null = null;
  let current: TabScreen = 'keys';
  const dismissed = new Set<string>();

  const ctx: ShellContext = {
    api,
    navigate: (screen, opts) => navigate(screen, opts?.focus ?? true),
    isVisible: (screen) => mode === 'app' && screen === current && !document.hidden,
    showLease: (leaseId) => {
      navigate('keys', false);
      keys.focusLease(leaseId);
    },
  };

  const keys = createKeysScreen(ctx);
  const screens: Record<TabScreen, ScreenView> = {
    keys,
    roles: createRolesScreen(ctx),
    settings: createSettingsScreen(ctx),
    activity: createActivityScreen(ctx),
  };
  const firstRunForm = createConnectForm(ctx, 'first-run');

  // The connection indicator: connected / unreachable since … / your LiteLLM key rejected (not a live region: the row or
  // form that failed already says so, once).
  const connDot = h('span', { class: 'conn-dot', 'aria-hidden': 'true' });
  const connText = h('span', { class: 'conn-text' });
  const connFix = h('button', { type: 'button', class: 'link conn-fix', onclick: () => navigate('connect', true) }, 'Enter your LiteLLM key');
  const connLine = h('p', { class: 'conn', 'data-health': 'unknown' }, connDot, connText, connFix);
  const header = h('header', { class: 'top' }, h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), h('span', null, 'Keyfob')), connLine);
  const notices = h('div', { class: 'notices' });
  const tabs = new Map<TabScreen, HTMLButtonElement>();
  const counts = new Map<TabScreen, Text>();
  const tablist = h('div', { role: 'tablist', 'aria-label': 'Screens', class: 'tabs' });
  const panels = h('main', { class: 'panels' });
  for (const id of TAB_ORDER) {
    const count = document.createTextNode('');
    counts.set(id, count);
    const tab = h(
      'button',
      { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}`, 'aria-selected': 'false', tabindex: -1, 'data-screen': id },
      screens[id].title,
      h('span', { class: 'tab-count' }, count),
    );
    tab.addEventListener('click', () => navigate(id, false));
    tab.addEventListener('keydown', (event) => onTabKey(event, id));
    tabs.set(id, tab);
    tablist.append(tab);
    const panel = h('div', { role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`, class: 'panel' }, screens[id].panel);
    panel.hidden = true;
    panels.append(panel);
  }
  const appView = h('div', { class: 'app-view' }, h('nav', { class: 'nav', 'aria-label': 'Keyfob' }, tablist), panels);
  const firstRun = h(
    'main',
    { class: 'first-run' },
    h('div', { class: 'card welcome' }, h('h1', { id: 'first-run-heading', tabindex: -1 }, 'Connect to your LiteLLM proxy'), h('p', { class: 'muted' }, 'Keyfob issues short-lived LiteLLM keys on demand, renews them while you work and revokes them when you stop. It needs the proxy’s address and your LiteLLM key: a personal or team key, or the proxy’s master key.'), firstRunForm.el),
  );
  replaceChildren(root, header, notices);

  function onTabKey(event: KeyboardEvent, id: TabScreen): void {
    const i = TAB_ORDER.indexOf(id);
    const target =
      event.key === 'ArrowRight' ? TAB_ORDER[(i + 1) % TAB_ORDER.length]
      : event.key === 'ArrowLeft' ? TAB_ORDER[(i - 1 + TAB_ORDER.length) % TAB_ORDER.length]
      : event.key === 'Home' ? TAB_ORDER[0]
      : event.key === 'End' ? TAB_ORDER[TAB_ORDER.length - 1]
      : undefined;
    if (!target) return;
    event.preventDefault();
    navigate(target, false);
    tabs.get(target)?.focus();
  }

  function navigate(screen: Screen, focusHeading: boolean): void {
    if (screen === 'connect') {
      if (mode === 'first-run') return firstRunForm.focusFirst();
      navigate('settings', false);
      return focusElement(document.getElementById('connection-heading') ?? screens.settings.heading);
    }
    if (mode !== 'app') return;
    const changed = screen !== current;
    current = screen;
    for (const id of TAB_ORDER) {
      const selected = id === screen;
      const tab = tabs.get(id)!;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(`panel-${id}`)!.hidden = !selected;
    }
    if (changed || focusHeading) screens[screen].shown?.();
    if (focusHeading) focusElement(screens[screen].heading);
  }

  function setMode(next: 'first-run' | 'app'): void {
    if (next === mode) return;
    // On the first render focus stays where the page put it; on a switch it moves to the new page's heading.
    const switching = mode !== null;
    mode = next;
    if (next === 'first-run') {
      appView.remove();
      root.append(firstRun);
      if (switching) focusElement(document.getElementById('first-run-heading')!);
    } else {
      firstRun.remove();
      root.append(appView);
      navigate('keys', switching);
    }
  }

  function render(s: AppSnapshot): void {
    const live = unendedLeases(s);
    const c = s.connection;
    setMode(!c.url || (!c.admin_key_stored && live.length === 0) ? 'first-run' : 'app');
    renderConnection(s, health());
    renderNotices(s);
    // The tab counts what the tray's "Live keys (n)" counts.
    const liveCount = live.filter(countsAsLive).length;
    counts.get('keys')!.data = liveCount ? ` ${liveCount}` : '';
    firstRunForm.update(s);
    for (const id of TAB_ORDER) screens[id].update(s);
    tickNow();
  }

  function renderNotices(s: AppSnapshot): void {
    const items: HTMLElement[] = [];
    if (mode === 'app' && !s.connection.admin_key_stored) {
      items.push(
        h('div', { class: 'callout warn', role: 'status' }, h('p', null, 'No LiteLLM key is stored: Keyfob cannot issue, renew or revoke keys. '), h('button', { type: 'button', class: 'link', onclick: () => navigate('connect', true) }, 'Enter your LiteLLM key')),
      );
    }
    for (const notice of s.notices) {
      if (dismissed.has(notice)) continue;
      const close = h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss notice' }, 'Dismiss');
      const item = h('div', { class: 'callout', role: 'status' }, h('p', null, notice), close);
      close.addEventListener('click', () => {
        dismissed.add(notice);
        item.remove();
        focusElement(screens[current].heading);
      });
      items.push(item);
    }
    replaceChildren(notices, ...items);
  }

  function renderConnection(s: AppSnapshot, state: Health): void {
    const c = s.connection;
    const storage = c.session_only ? 'session only' : c.keychain_backend;
    let host = c.url ?? '';
    try {
      host = c.url ? new URL(c.url).host : '';
    } catch {
      // keep the URL as it is
    }
    const shown: Health['state'] | 'none' = !c.url ? 'none' : !c.admin_key_stored ? 'unknown' : state.state;
    connLine.dataset.health = shown;
    connFix.hidden = shown !== 'admin-key-rejected' && shown !== 'signed-out';
    connFix.textContent = shown === 'signed-out' ? 'Sign in with SSO' : 'Enter your LiteLLM key';
    // Who the credential is, once main has asked the proxy: the user in the line, the whole summary on hover.
    const who = c.sso ? ` · signed in with SSO as ${c.sso.user}` : c.identity?.userId ? ` as ${c.identity.userId}` : '';
    // Vault mode: said whether or not the proxy has answered yet (signing in to Vault does not ask it).
    const via = c.vault ? ` · keys from Vault at ${c.vault.url}` : '';
    connText.textContent =
      shown === 'none' ? 'Not connected'
      : shown === 'ok' ? `Connected to ${host}${who}${via} · ${storage}`
      : shown === 'unreachable' ? `${host} unreachable${state.since !== null ? ` since ${formatInstant(state.since, serverNow())}` : ''}`
      : shown === 'admin-key-rejected' ? `LiteLLM key rejected by ${host}`
      : shown === 'signed-out' ? `${host}: signed out: run \`keyfob connect --sso\` again`
      : `${host}${via} · ${storage}`;
    connLine.title = [c.url, c.identity ? identitySentence(c.identity) : null].filter(Boolean).join('\n');
  }

  onHealth((state) => renderConnection(snapshot(), state));
  subscribe(render);
  render(snapshot());
  return { navigate: (screen) => navigate(screen, true) };
}
