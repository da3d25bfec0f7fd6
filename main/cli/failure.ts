// How the CLI fails: exit codes (0 ok, 1 the operation failed, 2 bad usage or input) and the two-line error report
// (`keyfob: <what happened>` / `hint: <what to do>`). Every line is passed through redactText (a server message that
// echoes a key must not reach a terminal's scrollback) and terminalSafe (nor may its escape sequences).
import { KeyfobError, redactText, toKeyfobError, withDetail } from '../core/errors.js';
import type { ErrorKind, FieldError } from '../core/errors.js';
import { SIGNED_OUT_MESSAGE } from '../core/sso/index.js';
import { terminalSafe } from './output.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Kinds that mean "what you typed is not acceptable" rather than "the operation did not work". */
const USAGE_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['validation', 'role-not-found', 'lease-not-found']);

export function exitCodeFor(error: unknown): number {
  return error instanceof KeyfobError && USAGE_KINDS.has(error.kind) ? EXIT_USAGE : EXIT_FAILED;
}

/** A usage error: exit 2. `fields` names each flag (or positional) and what it accepts. */
export function usageError(message: string, opts: { fields?: FieldError[]; hint?: string } = {}): KeyfobError {
  return new KeyfobError('validation', message, { fields: opts.fields ?? [], ...(opts.hint ? { hint: opts.hint } : {}) });
}

/** The lines written to stderr for a failure; `helpHint` is used when the error carries no hint of its own. */
export function renderError(error: unknown, helpHint?: string, opts: { verbose?: boolean } = {}): string[] {
  const e = toKeyfobError(error);
  const lines: string[] = [];
  const [only] = e.fields;
  // A session that can no longer be refreshed: the one line says all (no hint about keys).
  if (e.kind === 'not-connected' && e.message === SIGNED_OUT_MESSAGE) return [`keyfob: ${SIGNED_OUT_MESSAGE}`];
  // The proxy's own words for a refused admin key are ~250 characters of token dump; the audit log keeps them.
  if (e.kind === 'admin-key-rejected') {
    return [
      `keyfob: your LiteLLM key was rejected by the proxy${e.status ? ` (${e.status})` : ''}`,
      ...(opts.verbose ? [`  detail: ${oneLine(withDetail(e))}`] : []),
      "hint: run `keyfob connect` with the current key: your personal or team key, or the proxy's master key",
    ].map(redactText);
  }
  if (e.fields.length === 1 && only) {
    lines.push(`keyfob: ${only.field}: ${only.message}`);
  } else {
    lines.push(`keyfob: ${oneLine(e.message)}`);
    for (const f of e.fields) lines.push(`  ${f.field}: ${oneLine(f.message)}`);
  }
  // The core's not-connected hint is written for the app and the CLI alike; here the exact command helps more.
  const hint = (e.kind === 'not-connected' ? hintForKind(e.kind) : e.hint) ?? (exitCodeFor(e) === EXIT_USAGE ? helpHint : undefined) ?? hintForKind(e.kind);
  if (hint) lines.push(`hint: ${oneLine(forTheCli(hint))}`);
  return lines.map((line) => terminalSafe(redactText(line)));
}

/**
 * The core's keychain hints offer the desktop app's session-only storage; a CLI process cannot keep secrets across
 * invocations, so that choice does not exist here and is replaced by what the CLI needs.
 */
export function forTheCli(hint: string): string {
  // The window has a Settings screen; the CLI reaches the same settings through `keyfob config`.
  if (/request timeout can be raised in Settings/.test(hint)) {
    return hint.replace(/The request timeout can be raised in Settings\.?/, 'Raise the request timeout with `keyfob config set request-timeout 30s`.');
  }
  const trimmed = hint.replace(/,?\s*or choose session-only storage(?: \([^)]*\))?/i, '').replace(/\s+\./g, '.');
  return trimmed === hint ? hint : `${trimmed.replace(/\.?$/, '.')} The CLI needs a working keychain: it has no session-only mode.`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Fallback hints for errors raised without one (the core usually provides its own). */
function hintForKind(kind: ErrorKind): string | undefined {
  switch (kind) {
    case 'not-connected':
      return 'run `keyfob connect --url URL` (your LiteLLM key is read from stdin or a prompt)';
    case 'unreachable':
    case 'dns':
    case 'timeout':
      return 'check the proxy URL (`keyfob status`) and that the proxy is running';
    case 'admin-key-rejected':
      return 'your stored LiteLLM key was refused: run `keyfob connect --url URL` again with a valid one';
    case 'keychain-unavailable':
      return 'the CLI keeps keys in the OS keychain: on Linux install libsecret-1-0 and run a Secret Service (gnome-keyring, KWallet or KeePassXC) in this session';
    case 'keychain-locked':
      return 'unlock your keychain (log in to the desktop session, or `gnome-keyring-daemon --unlock`), then try again';
    case 'keychain-denied':
      return 'allow Keyfob to use the keychain when the system asks, then try again';
    case 'state-unavailable':
      return 'check that the Keyfob home directory (--home / KEYFOB_HOME) exists and is writable';
    default:
      return undefined;
  }
}
