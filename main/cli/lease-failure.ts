// One line per failed lease, saying what to do by the error's kind: the proxy's raw text (often ~250 characters of
// "Received API Key = …, Key Hash (Token) = …") is for --verbose and the audit log, redacted.
import { redactText, withDetail, type ErrorKind, type SerializedError } from '../core/errors.js';

/** What to do, for kinds where the proxy's words do not help a person. */
const WHAT_TO_DO: Partial<Record<ErrorKind, string>> = {
  'admin-key-rejected': 'your LiteLLM key was rejected: run `keyfob connect` with the current key',
  'no-database': 'the proxy has no database, so it cannot delete keys: start it with a DATABASE_URL',
  unreachable: 'the proxy did not answer: check that it is running (`keyfob status`)',
  dns: 'the proxy\'s host name does not resolve: check the URL (`keyfob status`) and your network',
  timeout: 'the proxy did not answer in time: raise the timeout with `keyfob config set request-timeout 30s`',
  tls: 'the TLS connection to the proxy failed: see `keyfob status`',
  'keychain-unavailable': 'the keychain cannot be reached: see `keyfob status`',
  'keychain-locked': 'the keychain is locked: unlock it and try again',
};

/** The short form of a failure; `verbose` adds the full (redacted) message and the proxy's own words. */
export function describeFailure(error: SerializedError | null | undefined, verbose: boolean, fallback: string): string {
  if (!error) return fallback;
  // Vault's errors (team mode) already say what to do, and a LiteLLM key is not what was refused there.
  const short = /\bVault\b/.test(error.message) ? undefined : WHAT_TO_DO[error.kind];
  const message = error.message.replace(/\s*\n\s*/g, ' ').trim();
  const full = redactText(withDetail({ message, detail: error.detail }));
  if (!short) return (verbose ? full : redactText(message)) || fallback;
  return verbose && full ? `${short} (${full})` : short;
}

