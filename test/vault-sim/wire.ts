// The Vault wire format the simulator answers in: the `{"errors":[…]}` envelope (with go-multierror's wrapping for
// core errors), the secret/auth reply shape, Go-style durations in warnings, and Vault's random ids.
import { randomBytes } from 'node:crypto';

export interface VaultReply {
  status: number;
  /** Undefined = no body (204). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A reply thrown from deep inside a handler. */
export class VaultHttpError extends Error {
  constructor(readonly status: number, readonly errors: string[]) {
    super(errors.join('; ') || `HTTP ${status}`);
  }

  toReply(): VaultReply {
    return { status: this.status, body: { errors: this.errors } };
  }
}

/** A core error as go-multierror prints it: `1 error occurred:\n\t* permission denied\n\n`. */
export function multierror(message: string): string {
  return `1 error occurred:\n\t* ${message}\n\n`;
}

export const permissionDenied = (): VaultHttpError => new VaultHttpError(403, [multierror('permission denied')]);
export const badRequest = (message: string): VaultHttpError => new VaultHttpError(400, [message]);
export const emptyNotFound = (): VaultHttpError => new VaultHttpError(404, []);
export const noRoute = (path: string): VaultHttpError =>
  new VaultHttpError(404, [multierror(`no handler for route "${path}". route entry not found.`)]);
export const unsupportedOperation = (): VaultHttpError => new VaultHttpError(405, [multierror('unsupported operation')]);
export const sealedError = (): VaultHttpError => new VaultHttpError(503, ['Vault is sealed']);

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function base62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b < 248) out += BASE62[b % 62];
  }
  return out.length === length ? out : out + base62(length - out.length);
}

/** Go's time.Duration.String() for whole seconds, as Vault's `humanDuration` writes it: 1h, 4m50s, 45s, 1h0m5s → 1h5s. */
export function goDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s === 0) return '0s';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${sec ? `${sec}s` : ''}`;
}

/** The warning Vault adds when it shortens a TTL to what is left below the max TTL. */
export function capWarning(askedSeconds: number, leftSeconds: number): string {
  return `TTL of "${goDuration(askedSeconds)}" exceeded the effective max_ttl of "${goDuration(leftSeconds)}"; TTL value is capped accordingly`;
}

/** Go's time.Time in JSON: RFC 3339 with the fraction, UTC. */
export function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** An increment in seconds or a Go duration string ("1h", "90s", "1h30m"); 0/null/absent = undefined. */
export function parseIncrement(raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === 0 || raw === '' || raw === '0') return undefined;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) return Math.floor(raw);
  if (typeof raw === 'string') {
    if (/^\d+$/.test(raw)) return Number(raw);
    const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(raw);
    if (m && raw !== '') return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  }
  throw badRequest(`error parsing increment: invalid duration ${JSON.stringify(raw)}`);
}

/** The common reply envelope; fields Vault always sends. */
export function envelope(fields: { data?: unknown; auth?: unknown; lease_id?: string; renewable?: boolean; lease_duration?: number; warnings?: string[] | null }): Record<string, unknown> {
  return {
    request_id: crypto.randomUUID(),
    lease_id: fields.lease_id ?? '',
    renewable: fields.renewable ?? false,
    lease_duration: fields.lease_duration ?? 0,
    data: fields.data ?? null,
    wrap_info: null,
    warnings: fields.warnings && fields.warnings.length > 0 ? fields.warnings : null,
    auth: fields.auth ?? null,
  };
}
