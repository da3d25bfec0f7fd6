// A modal confirmation on the native <dialog>: it traps focus, closes on Escape, and the window puts focus back
// on whatever opened it. The safe choice (Cancel) has focus first; Tab cycles inside it.
import { h } from './dom.js';

export function confirmAction(opts: { title: string; body: string; confirm: string; danger?: boolean }): Promise<boolean> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  return new Promise((resolve) => {
    let answer = false;
    const cancel = h('button', { type: 'button', class: 'secondary', 'data-action': 'cancel' }, 'Cancel');
    const ok = h('button', { type: 'button', class: opts.danger ? 'danger' : 'primary', 'data-action': 'confirm' }, opts.confirm);
    const titleId = 'confirm-title';
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': titleId, 'aria-describedby': 'confirm-body' },
      h('h2', { id: titleId }, opts.title),
      h('p', { id: 'confirm-body' }, opts.body),
      h('div', { class: 'actions' }, cancel, ok),
    );
    cancel.addEventListener('click', () => dialog.close());
    // A modal dialog lets Tab leave its last button for the page once (to the browser's own stops): keep the cycle.
    dialog.addEventListener('keydown', (event) => {
      if (event.key !== 'Tab') return;
      const first = cancel;
      const last = ok;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    ok.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
