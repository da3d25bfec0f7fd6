// How main's errors reach the person: as words next to what caused them. Every message main sends is already
// written for a person (and free of key material); the window adds the hint and marks the element so a test
// (or a person inspecting it) can tell the kind.
import type { IpcResult, SerializedError } from '../../preload/api.js';
import { noteProxyOutcome } from './connection.js';
import { h, replaceChildren } from './dom.js';
import { serverNow } from './store.js';

/** What a broken bridge looks like: no `window.keyfob`, or an invoke that threw instead of answering. */
export function bridgeError(e: unknown): SerializedError {
  const message = e instanceof Error ? e.message : String(e);
  return { kind: 'internal', message: `Keyfob's window lost contact with the app: ${message}`, hint: 'Close the window and open it again from the tray.' };
}

/**
 * Calls the API and always resolves to an IpcResult, even when the bridge itself throws. `reachesProxy`: the call
 * talks to the proxy, so its outcome tells the connection indicator how the proxy is doing.
 */
export async function call<T>(invoke: () => Promise<IpcResult<T>>, opts: { reachesProxy?: boolean } = {}): Promise<IpcResult<T>> {
  let result: IpcResult<T>;
  try {
    result = await invoke();
  } catch (e) {
    return { ok: false, error: bridgeError(e) };
  }
  if (opts.reachesProxy) noteProxyOutcome(result.ok ? null : result.error, serverNow());
  else if (!result.ok) noteProxyOutcome(result.error, serverNow()); // a network failure or rejection is news anyway
  return result;
}

/**
 * One line for a person, without the proxy's raw text: "LiteLLM key rejected: …" rather than LiteLLM's 250-character
 * dump (which stays in the audit log). Other kinds keep main's message, already written for a person.
 */
export function personError(error: SerializedError): SerializedError {
  if (error.kind === 'admin-key-rejected') {
    return { ...error, message: 'LiteLLM key rejected: the proxy does not accept this key.', hint: 'Enter a LiteLLM key the proxy accepts (your personal or team key, or its master key) and connect again.' };
  }
  return error;
}

export function errorText(error: SerializedError): string {
  return error.hint ? `${error.message} ${error.hint}` : error.message;
}

/** Shows `error` in `slot` (cleared when null). role=alert so it is heard the moment it appears. */
export function showError(slot: HTMLElement, error: SerializedError | null): void {
  if (!error) {
    replaceChildren(slot);
    slot.removeAttribute('data-error-kind');
    slot.removeAttribute('role');
    slot.hidden = true;
    return;
  }
  slot.hidden = false;
  slot.setAttribute('role', 'alert');
  slot.dataset.errorKind = error.kind;
  replaceChildren(slot, h('span', { class: 'error-message' }, error.message), error.hint ? h('span', { class: 'error-hint' }, ` ${error.hint}`) : null);
}

export function errorSlot(extraClass = ''): HTMLElement {
  const slot = h('p', { class: `error ${extraClass}`.trim() });
  slot.hidden = true;
  return slot;
}
