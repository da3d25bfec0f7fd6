// Errors are values with a kind: views decide how to show them, and every message is written for a person
// (what happened, what to do). No message or field ever holds key material — use `redactKey` on anything key-like.

export type ErrorKind =
  // LiteLLM proxy and network
  | 'unreachable' // connection refused, host down
  | 'dns' // host name does not resolve
  | 'tls' // certificate or TLS handshake problem
  | 'timeout' // no answer within the request timeout
  | 'admin-key-rejected' // 401/403 on an admin call
  | 'not-found' // key unknown to the proxy (404, or 401 "does not exist in db")
  | 'alias-taken' // duplicate key_alias
  | 'invalid-request' // 400/422 from the proxy, with its reason
  | 'no-database' // proxy runs without a database: virtual keys impossible
  | 'server-error' // 5xx or an unparseable answer
  | 'not-connected' // no proxy URL or admin key configured yet
  // keychain
  | 'keychain-unavailable' // no Secret Service / D-Bus / keychain daemon
  | 'keychain-locked'
  | 'keychain-denied'
  // local input and state
  | 'validation' // user input rejected; `fields` says which
  | 'invalid' // a well-formed request that would do what was not asked for (a renewal that shortens a lease)
  | 'role-not-found'
  | 'lease-not-found'
  | 'not-renewable' // non-renewable lease, or nothing left below the max TTL
  | 'state-unavailable' // state directory unreadable/unwritable, lock not obtainable
  | 'internal';

export interface FieldError {
  field: string;
  message: string;
}

export class KeyfobError extends Error {
  readonly kind: ErrorKind;
  /** One short sentence on what the person can do about it. */
  readonly hint: string | undefined;
  /** For `validation`: every invalid field, not only the first. */
  readonly fields: FieldError[];
  /** HTTP status when the error came from the proxy. */
  readonly status: number | undefined;
  /** The system error code of a network failure (ECONNREFUSED, ECONNRESET …): never secret, and it tells a request
   * that cannot have reached the proxy from one whose fate is unknown. */
  readonly networkCode: string | undefined;
  /**
   * The proxy's own words (redacted, control characters removed), kept out of `message` so a person reads one short
   * line: for `--verbose` and the audit log.
   */
  readonly detail: string | undefined;

  constructor(kind: ErrorKind, message: string, opts: { hint?: string; fields?: FieldError[]; status?: number; networkCode?: string; detail?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'KeyfobError';
    this.kind = kind;
    this.hint = opts.hint;
    this.fields = opts.fields ?? [];
    this.status = opts.status;
    this.networkCode = opts.networkCode;
    this.detail = opts.detail;
  }

  /** A plain, serialisable form for IPC and `--json` output. */
  toJSON(): SerializedError {
    return {
      kind: this.kind, message: this.message, hint: this.hint, fields: this.fields, status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}

export interface SerializedError {
  kind: ErrorKind;
  message: string;
  hint?: string | undefined;
  fields?: FieldError[];
  status?: number | undefined;
  /** See KeyfobError.detail. */
  detail?: string | undefined;
}

export function isKeyfobError(e: unknown): e is KeyfobError {
  return e instanceof KeyfobError;
}

/** `sk-...abcd`: enough to recognise a key, never enough to use it. */
export function redactKey(key: string): string {
  return key.length <= 8 ? 'sk-...' : `sk-...${key.slice(-4)}`;
}

const KEY_PATTERN = /sk-[A-Za-z0-9_-]{4,}/g;
const TOKEN_HASH_PATTERN = /\b[0-9a-f]{64}\b/gi;

/** Replaces anything that looks like a LiteLLM key (`sk-…`) with its redacted form. */
export function redactKeys(text: string): string {
  return text.replace(KEY_PATTERN, (k) => redactKey(k));
}

/**
 * For text a person or a log will see: keys, and 64-hex token hashes too — LiteLLM echoes the hash of a presented
 * key in auth errors, and accepts a key's hash wherever the key goes.
 */
export function redactText(text: string): string {
  return redactKeys(text).replace(TOKEN_HASH_PATTERN, (hash) => `${hash.slice(0, 6)}…`);
}

/** Turns anything thrown into a KeyfobError whose message is safe to show and log. */
export function toKeyfobError(e: unknown): KeyfobError {
  if (e instanceof KeyfobError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new KeyfobError('internal', redactText(message), { cause: e });
}

/** The message with the proxy's own (redacted) words after it, for --verbose and the audit log. */
export function withDetail(e: { message: string; detail?: string | undefined }): string {
  return e.detail ? `${e.message.replace(/\.$/, '')}: ${e.detail}` : e.message;
}
