// Reading an error answer's body, whatever its shape (../shared/litellm-admin-api.md): the proxy's `{"error": {...}}`
// envelope with `code` as a string or an integer, FastAPI's 422 `{"detail": [...]}`, Python-repr messages,
// text/plain 500s, HTML pages from gateways. The reason comes out as one clean line of text.
import { cleanRemoteText } from './remote-text.js';

/** What could be read from an error answer's body. */
export interface ProxyErrorBody {
  /** The server's reason, as one line of text. */
  reason: string;
  type: string | null;
  param: string | null;
  /** `code` of the envelope, as a string whether it came as "401" or 401. */
  code: string | null;
  shape: 'envelope' | 'fastapi' | 'json' | 'text' | 'html' | 'empty';
  /** FastAPI/Starlette's own `{"detail": "Not Found"}`: the route does not exist (wrong URL or path prefix). */
  routeNotFound: boolean;
}

const MAX_REASON = 400;

/** Reads the reason (and the envelope's type/param/code) out of any error body shape. */
export function parseErrorBody(data: unknown, contentType = ''): ProxyErrorBody {
  const result: ProxyErrorBody = { reason: '', type: null, param: null, code: null, shape: 'empty', routeNotFound: false };
  let value: unknown = data;
  if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return result;
    if (/text\/html/i.test(contentType) || /^<(!doctype|html|head|body)/i.test(text)) {
      const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1]?.trim();
      return { ...result, shape: 'html', reason: title ? `an HTML page ("${oneLine(title)}")` : 'an HTML page' };
    }
    try {
      value = JSON.parse(text);
    } catch {
      return { ...result, shape: 'text', reason: oneLine(text) };
    }
  }
  if (typeof value === 'string') return { ...result, shape: 'json', reason: oneLine(unwrapPythonRepr(value)) };
  if (value === null || typeof value !== 'object') {
    return value === null || value === undefined ? result : { ...result, shape: 'json', reason: oneLine(String(value)) };
  }
  const obj = value as Record<string, unknown>;
  if ('error' in obj && obj.error !== null && obj.error !== undefined) {
    const error = obj.error;
    if (typeof error === 'object' && !Array.isArray(error)) {
      const e = error as Record<string, unknown>;
      return {
        ...result,
        shape: 'envelope',
        reason: oneLine(unwrapPythonRepr(textOf(e.message ?? e.detail ?? e.error ?? JSON.stringify(e)))),
        type: typeof e.type === 'string' ? e.type : null,
        param: typeof e.param === 'string' && e.param !== 'None' ? e.param : null,
        code: e.code === undefined || e.code === null ? null : String(e.code),
      };
    }
    return { ...result, shape: 'envelope', reason: oneLine(unwrapPythonRepr(textOf(error))) };
  }
  if ('detail' in obj) {
    const detail = obj.detail;
    if (Array.isArray(detail)) {
      const issues = detail.map((d) => describeValidationIssue(d)).filter(Boolean);
      return { ...result, shape: 'fastapi', reason: oneLine(issues.join('; ') || 'the request body was not accepted') };
    }
    if (typeof detail === 'string') {
      const routeNotFound = detail === 'Not Found' || detail === 'Method Not Allowed';
      return { ...result, shape: 'fastapi', reason: oneLine(unwrapPythonRepr(detail)), routeNotFound };
    }
    if (detail && typeof detail === 'object') {
      const d = detail as Record<string, unknown>;
      return { ...result, shape: 'fastapi', reason: oneLine(unwrapPythonRepr(textOf(d.error ?? d.message ?? JSON.stringify(d)))) };
    }
  }
  if (typeof obj.message === 'string') return { ...result, shape: 'json', reason: oneLine(unwrapPythonRepr(obj.message)) };
  return { ...result, shape: 'json', reason: oneLine(JSON.stringify(obj)) };
}

function describeValidationIssue(issue: unknown): string {
  if (!issue || typeof issue !== 'object') return textOf(issue);
  const d = issue as { loc?: unknown; msg?: unknown };
  const loc = Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body').join('.') : '';
  const msg = typeof d.msg === 'string' ? d.msg : JSON.stringify(issue);
  return loc ? `${loc}: ${msg}` : msg;
}

/** `"{'error': 'No keys found'}"` (a Python dict printed as text) → `No keys found`. */
export function unwrapPythonRepr(text: string): string {
  const match = /^\s*\{\s*['"](?:error|message|detail)['"]\s*:\s*(['"])([\s\S]*)\1\s*\}\s*$/.exec(text);
  if (!match) return text;
  const quote = match[1] as string;
  return (match[2] as string).replaceAll(`\\${quote}`, quote).replaceAll('\\n', ' ').replaceAll('\\\\', '\\');
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function oneLine(text: string): string {
  const line = cleanRemoteText(text).replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON)}…` : line;
}
