// What the admin client sends with, checked before the first request: the credential's header and the request
// timeout. (How it reaches the proxy — TLS, the outbound proxy, the deadline — is ../http/http-transport.ts.)
import { KeyfobError } from '../errors.js';

/** The request timeout when none is set. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** `Authorization: Bearer <key>`, or the key in the named header (LiteLLM reads `Bearer ` there too). */
export function authHeaders(header: string | null, key: string): Record<string, string> {
  if (header === null || header.toLowerCase() === 'authorization') return { Authorization: `Bearer ${key}` };
  return { [header]: `Bearer ${key}` };
}

export function checkAdminKey(key: unknown): string {
  if (typeof key !== 'string' || key.trim() === '') {
    throw new KeyfobError('validation', 'adminKey: the admin key is required', {
      fields: [{ field: 'adminKey', message: 'is required: your LiteLLM key (a personal or team key), or the master key' }],
    });
  }
  const trimmed = key.trim();
  if (!/^[\x21-\x7e]+$/.test(trimmed)) {
    throw new KeyfobError('validation', 'adminKey: the admin key must not contain spaces, line breaks or non-ASCII characters', {
      fields: [{ field: 'adminKey', message: 'must not contain spaces, line breaks or non-ASCII characters' }],
    });
  }
  return trimmed;
}

export function checkTimeout(timeoutMs: unknown): number {
  if (timeoutMs === undefined || timeoutMs === null) return DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new KeyfobError('internal', `The request timeout must be a positive number of milliseconds, not ${String(timeoutMs)}.`);
  }
  return Math.ceil(timeoutMs);
}

