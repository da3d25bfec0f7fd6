// How the proxy is doing, as far as the window can tell: connected, unreachable since …, or your LiteLLM key rejected.
// Main's word (snapshot.proxy_health) wins when it sends one; otherwise every answer the window gets from a call
// that reaches the proxy (issue, renew, revoke, spend, test) moves the state, so the header never shows the URL
// "as if all were well" while every row is failing.
import type { AppSnapshot, SerializedError } from '../../preload/api.js';

export type ProxyState = 'unknown' | 'ok' | 'unreachable' | 'admin-key-rejected' | 'signed-out';

export interface Health {
  state: ProxyState;
  /** When the current bad state began (main's clock, ms). */
  since: number | null;
}

const NETWORK_KINDS = new Set(['unreachable', 'dns', 'tls', 'timeout']);

type Listener = (health: Health) => void;

let observed: Health = { state: 'unknown', since: null };
let fromMain: Health | null = null;
const listeners = new Set<Listener>();

export function health(): Health {
  return fromMain ?? observed;
}

export function onHealth(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The outcome of a call that went to the proxy: null for success. Errors of other kinds say nothing about it. */
export function noteProxyOutcome(error: SerializedError | null, nowMs: number): void {
  const before = health();
  if (error === null) observed = { state: 'ok', since: null };
  else if (NETWORK_KINDS.has(error.kind)) observed = observed.state === 'unreachable' ? observed : { state: 'unreachable', since: nowMs };
  else if (error.kind === 'admin-key-rejected') observed = observed.state === 'admin-key-rejected' ? observed : { state: 'admin-key-rejected', since: nowMs };
  else return;
  emitIfChanged(before);
}

/** A snapshot may carry main's view. A new URL or admin key may fix what was wrong: a bad state starts over. */
export function noteSnapshot(s: AppSnapshot, previous: AppSnapshot | null): void {
  const before = health();
  const changed = previous && (previous.connection.url !== s.connection.url || previous.connection.admin_key_stored !== s.connection.admin_key_stored);
  if (changed && observed.state !== 'ok') observed = { state: 'unknown', since: null };
  const h = s.proxy_health;
  fromMain = h ? { state: h.state, since: h.since ? Date.parse(h.since) : null } : null;
  emitIfChanged(before);
}

function emitIfChanged(before: Health): void {
  const after = health();
  if (after.state === before.state && after.since === before.since) return;
  for (const listener of listeners) listener(after);
}

/** Tests of the module only. */
export function resetHealth(): void {
  observed = { state: 'unknown', since: null };
  fromMain = null;
}
