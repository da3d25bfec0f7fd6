// Small fetch wrappers for the simulator's own tests: real sockets, no client library in between.
import type { Simulator } from './simulator.js';

export interface CallOptions {
  /** Sent as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  /** Sent as `Authorization: Bearer <key>`; null sends no key. Default: the simulator's master key. */
  key?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export async function call(sim: Simulator, method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  const key = opts.key === undefined ? sim.masterKey : opts.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  // fetch refuses a body on GET: table-driven tests pass one regardless of the method.
  let body: string | undefined;
  if (method === 'GET' || method === 'HEAD') body = undefined;
  else if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${sim.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }), ...(opts.signal ? { signal: opts.signal } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The `error` object of LiteLLM's envelope, asserting the shape on the way. */
export function envelope(result: CallResult): { message: string; type: string; param: string | null; code: string | number } {
  const body = result.json as { error?: { message: string; type: string; param: string | null; code: string | number } };
  if (!body?.error) throw new Error(`expected an error envelope, got HTTP ${result.status}: ${result.text}`);
  return body.error;
}

export interface GeneratedKeyJson {
  key: string;
  token: string;
  token_id: string;
  key_name: string;
  key_alias: string | null;
  expires: string | null;
  [field: string]: unknown;
}

export async function generate(sim: Simulator, body: Record<string, unknown> = {}): Promise<GeneratedKeyJson> {
  const res = await call(sim, 'POST', '/key/generate', { body });
  if (res.status !== 200) throw new Error(`generate failed: HTTP ${res.status}: ${res.text}`);
  return res.json as GeneratedKeyJson;
}

export function chat(sim: Simulator, key: string, model = 'gpt-4o'): Promise<CallResult> {
  return call(sim, 'POST', '/chat/completions', { key, body: { model, messages: [{ role: 'user', content: 'hi' }] } });
}

/** A fixed server start time, so expiries are exact and readable. */
export const START = Date.parse('2026-03-01T12:00:00.000Z');

/** Waits for something the simulator will do (a request arriving, a socket closing) by yielding to the event loop. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000; // a safety net: in-process events, but two suites side by side slow everything
  while (Date.now() < deadline) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}
