// How the proxy answered the app lately: the outcome of the last call that reached it (or tried to) from the
// window, the tray or the lease manager's events. Only what was seen: no polling. A network failure or a rejected
// admin key is a problem until a later call succeeds; other errors (a bad role, a budget) say nothing about it.
import { KeyfobError } from '../core/errors.js';
import type { ErrorKind, SerializedError } from '../core/errors.js';
import { localTime } from '../core/local-time.js';
import { SIGNED_OUT_MESSAGE } from '../core/sso/index.js';
import type { ProxyHealth } from '../../preload/api.js';

const NETWORK_KINDS = new Set(['unreachable', 'dns', 'tls', 'timeout']);

type Bad = { state: 'unreachable' | 'admin-key-rejected' | 'signed-out'; since: number };

export class ProxyHealthTracker {
  private bad: Bad | null = null;

  constructor(
    private readonly now: () => number,
    /** Called when the state changed (the tray and the window show it). */
    private readonly onChange: () => void = () => {},
  ) {}

  /** A call reached the proxy and it answered as it should. */
  succeeded(): void {
    if (this.bad === null) return;
    this.bad = null;
    this.onChange();
  }

  /** A call that went to the proxy failed with `error` (thrown, or serialised in a lease event). */
  failed(error: unknown): void {
    const kind: ErrorKind | null = error instanceof KeyfobError ? error.kind : isSerialized(error) ? error.kind : null;
    const message = error instanceof KeyfobError || isSerialized(error) ? error.message : '';
    // A sign-in session that can no longer be refreshed: the person must sign in again (live keys keep working).
    const state = kind === null ? null : message === SIGNED_OUT_MESSAGE ? 'signed-out'
      : NETWORK_KINDS.has(kind) ? 'unreachable' : kind === 'admin-key-rejected' ? 'admin-key-rejected' : null;
    if (state === null || this.bad?.state === state) return;
    this.bad = { state, since: this.now() };
    this.onChange();
  }

  /** The connection changed (another URL or admin key): what was wrong may be fixed. */
  reset(): void {
    this.succeeded();
  }

  /** For the snapshot; null while nothing is known to be wrong. */
  health(): ProxyHealth | null {
    return this.bad ? { state: this.bad.state, since: new Date(this.bad.since).toISOString() } : null;
  }

  /** For the tray's status line ("<host>: unreachable since 10:02"); null when nothing is known to be wrong. */
  problem(formatTime: (ms: number) => string = localTime): string | null {
    if (!this.bad) return null;
    if (this.bad.state === 'signed-out') return SIGNED_OUT_MESSAGE;
    return this.bad.state === 'unreachable' ? `unreachable since ${formatTime(this.bad.since)}` : 'your LiteLLM key was rejected';
  }
}

function isSerialized(e: unknown): e is SerializedError {
  return typeof e === 'object' && e !== null && typeof (e as { kind?: unknown }).kind === 'string';
}
