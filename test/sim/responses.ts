// The shapes the proxy answers with: LiteLLM's error envelope, FastAPI's 422, Starlette's plain 404/405/500.
import type { SimFlavor } from './types.js';

export interface SimResponse {
  status: number;
  /** Serialised as JSON unless `text` is set. */
  body?: unknown;
  /** A raw text body (text/plain unless `contentType` says otherwise). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Thrown by handlers: the answer is the error. */
export class SimHttpError extends Error {
  readonly response: SimResponse;

  constructor(response: SimResponse) {
    super(`simulated HTTP ${response.status}`);
    this.name = 'SimHttpError';
    this.response = response;
  }
}

export function json(body: unknown, status = 200): SimResponse {
  return { status, body };
}

/**
 * `{"error": {"message", "type", "param", "code"}}`; `code` is the status as a string in every era (since 1.42.6).
 * The first argument is the era (or flavor) for handlers that pass one; the envelope no longer depends on it.
 */
export function proxyErrorBody(_era: SimFlavor, status: number, type: string, message: string, param: string | null = 'None') {
  return { error: { message, type, param, code: String(status) } };
}

export function proxyError(era: SimFlavor, status: number, type: string, message: string, param: string | null = 'None'): SimHttpError {
  return new SimHttpError({ status, body: proxyErrorBody(era, status, type, message, param) });
}

/** One item of FastAPI's 422 `detail` list (pydantic v2 wording). */
export interface ValidationIssue {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

export function validationError(detail: ValidationIssue[]): SimHttpError {
  return new SimHttpError({ status: 422, body: { detail } });
}

export const NOT_FOUND: SimResponse = { status: 404, body: { detail: 'Not Found' } };

export function methodNotAllowed(allowed: string): SimResponse {
  return { status: 405, body: { detail: 'Method Not Allowed' }, headers: { allow: allowed } };
}

/** Python's `repr()` of a str: single quotes, unless the text holds a single quote and no double quote. */
export function pythonStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}

/** `str(HTTPException.detail)` for a dict detail: the proxy's `"{'error': 'No keys found'}"` messages. */
export function pythonDictRepr(entries: Record<string, string>): string {
  return `{${Object.entries(entries).map(([k, v]) => `${pythonStrRepr(k)}: ${pythonStrRepr(v)}`).join(', ')}}`;
}

/** The `type` the proxy pairs with a bare status, for injected failures. */
export function errorTypeForStatus(status: number): string {
  if (status === 400) return 'bad_request_error';
  if (status === 401 || status === 403) return 'auth_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return 'internal_server_error';
}
