// The window's entry: fetch main's state, mount the shell, follow pushed snapshots and navigation requests.
import type { KeyfobApi } from '../../preload/api.js';
import { byId, h, replaceChildren } from './dom.js';
import { call, errorText } from './errors.js';
import { mountShell } from './shell.js';
import { applySnapshot, hasSnapshot, snapshot } from './store.js';
import { startTicker } from './ticker.js';

function start(): void {
  const root = byId('app');
  const api = (window as Partial<Window>).keyfob;
  if (!api) {
    fatal(root, 'Keyfob’s window could not reach the app (no window.keyfob).');
    return;
  }
  api.onSnapshot((next) => {
    // A push can overtake the answer to getSnapshot: never step back to an older state.
    if (hasSnapshot() && next.now < snapshot().now) return;
    applySnapshot(next);
  });
  void boot(root, api);
}

async function boot(root: HTMLElement, api: KeyfobApi): Promise<void> {
  const first = await call(() => api.getSnapshot());
  if (!first.ok) {
    fatal(root, errorText(first.error), () => void boot(root, api));
    return;
  }
  if (!hasSnapshot() || first.value.now >= snapshot().now) applySnapshot(first.value);
  const shell = mountShell(root, api);
  api.onNavigate((screen) => shell.navigate(screen));
  startTicker();
}

function fatal(root: HTMLElement, message: string, retry?: () => void): void {
  replaceChildren(
    root,
    h(
      'main',
      { class: 'first-run' },
      h(
        'div',
        { class: 'card' },
        h('h1', null, 'Keyfob cannot show its window'),
        h('p', { class: 'error', role: 'alert' }, message),
        retry ? h('button', { type: 'button', class: 'primary', onclick: retry }, 'Try again') : null,
      ),
    ),
  );
}

start();
