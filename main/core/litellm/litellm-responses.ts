// Reading the proxy's successful answers into the client contract's shapes. Releases differ in details (datetimes
// with `Z` and microseconds or `+00:00` and milliseconds, `blocked: null`), so every reader is lenient about form
// and strict about meaning: a field Keyfob depends on that is missing is a server error, not a silent default.
import { createHash } from 'node:crypto';
import { KeyfobError } from '../errors.js';
import type { GeneratedKey, KeyInfo, KeyListPage } from './litellm-api.js';
import { cleanRemoteText, cleanRemoteValue } from './remote-text.js';

const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

function unexpected(what: string): KeyfobError {
  return new KeyfobError('server-error', `The proxy's answer is not what LiteLLM sends: ${what}.`, {
    hint: 'Check that the URL points at a LiteLLM proxy (and that its version is supported).',
  });
}

/** `2026-04-12T04:23:03.213899Z`, `…+00:00`, or a naive UTC datetime → `2026-04-12T04:23:03.213Z`; null stays null. */
export function normalizeExpires(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw unexpected(`"expires" is ${typeof value}, not a date`);
  const match = ISO_DATETIME.exec(value.trim());
  if (!match) throw unexpected(`"expires" is not an ISO-8601 date (${JSON.stringify(value.slice(0, 40))})`);
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const millis = (fraction + '000').slice(0, 3);
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const epoch = Date.parse(`${date}T${time}.${millis}${offset}`);
  if (Number.isNaN(epoch)) throw unexpected(`"expires" is not a valid date (${JSON.stringify(value.slice(0, 40))})`);
  return new Date(epoch).toISOString();
}

/** The JSON object of a 2xx answer (axios hands us the raw text). */
export function parseJsonObject(data: unknown, endpoint: string): Record<string, unknown> {
  let value = data;
  if (typeof data === 'string') {
    try {
      value = JSON.parse(data);
    } catch {
      const looksHtml = /^\s*</.test(data);
      throw unexpected(`${endpoint} answered with ${looksHtml ? 'an HTML page' : 'text'} instead of JSON`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw unexpected(`${endpoint} did not answer with a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * True when an `expires` has no fraction of a second: what calendar alignment (1.76.3–1.80.14) produces. An exact
 * `now + duration` carries microseconds, so an exact expiry reads as aligned about once in a million keys — and
 * then costs one harmless `/key/update`.
 */
export function looksCalendarAligned(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = ISO_DATETIME.exec(value.trim());
  return match !== null && /^0*$/.test(match[3] ?? '');
}

/**
 * The generate answer. The token hash is computed here: up to 1.67.0 the answer's `token` is the plaintext key, and
 * a proxy (or anyone on a plain-http path) could name another key's hash, which revoking would then delete.
 */
export function readGeneratedKey(body: Record<string, unknown>): GeneratedKey {
  const key = body.key;
  if (typeof key !== 'string' || key === '') throw unexpected('/key/generate returned no key');
  if (!/^[\x21-\x7e]+$/.test(key) || key.length > 4096) throw unexpected('/key/generate returned a key that is not printable ASCII');
  const token = createHash('sha256').update(key).digest('hex');
  return {
    key,
    token,
    key_alias: typeof body.key_alias === 'string' ? cleanRemoteText(body.key_alias) : null,
    expires: normalizeExpires(body.expires),
    expiry_note: null,
  };
}

export function readKeyInfo(body: Record<string, unknown>): KeyInfo {
  const info = body.info;
  if (!info || typeof info !== 'object' || Array.isArray(info)) throw unexpected('/key/info returned no "info" object');
  const i = info as Record<string, unknown>;
  return {
    key_alias: typeof i.key_alias === 'string' ? cleanRemoteText(i.key_alias) : null,
    spend: typeof i.spend === 'number' ? i.spend : 0,
    max_budget: typeof i.max_budget === 'number' ? i.max_budget : null,
    expires: normalizeExpires(i.expires),
    models: Array.isArray(i.models) ? i.models.filter((m): m is string => typeof m === 'string').map(cleanRemoteText) : [],
    blocked: i.blocked === true,
    metadata: i.metadata && typeof i.metadata === 'object' && !Array.isArray(i.metadata) ? (cleanRemoteValue(i.metadata) as Record<string, unknown>) : {},
  };
}

export function readKeyListPage(body: Record<string, unknown>): KeyListPage {
  if (!Array.isArray(body.keys)) throw unexpected('/key/list returned no "keys" list');
  const keys = body.keys
    .filter((k): k is string | Record<string, unknown> => typeof k === 'string' || (typeof k === 'object' && k !== null && !Array.isArray(k)))
    .map((k) => cleanRemoteValue(k) as string | Record<string, unknown>);
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  return {
    keys,
    total_count: num(body.total_count, keys.length),
    current_page: num(body.current_page, 1),
    total_pages: num(body.total_pages, 1),
  };
}

export function readModelIds(body: Record<string, unknown>): string[] {
  if (!Array.isArray(body.data)) throw unexpected('/v1/models returned no "data" list');
  return body.data
    .map((m: unknown) => (m && typeof m === 'object' ? (m as Record<string, unknown>).id : undefined))
    .filter((id): id is string => typeof id === 'string' && id !== '')
    .map(cleanRemoteText)
    .filter((id) => id !== '');
}
