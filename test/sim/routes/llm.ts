// What an issued key meets: the model routes the way LiteLLM serves them — OpenAI's /chat/completions (streamed or
// not) and /responses (what Codex calls), Anthropic's /v1/messages (what Claude Code calls), and the model lists.
// Every model route authenticates the key as user_api_key_auth does (deleted, expired, blocked, model not allowed,
// over budget), adds the call's cost to the key's spend and records which key was used (llmCalls).
import { authenticate, presentedKey } from '../auth.js';
import type { Caller } from '../auth.js';
import { FLAVOR_RULES } from '../flavors.js';
import { hashKey } from '../key-store.js';
import { chargeSpend } from '../spend-flush.js';
import { SimHttpError, json, proxyError, validationError } from '../responses.js';
import type { SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';
import { validateBody } from '../validation.js';

/** The date the OpenAI-compatible model list reports as `created` (a fixed value, as the proxy's is). */
const MODEL_CREATED = 1_677_610_602;
/** The canned answer, streamed in these pieces. */
export const SIM_REPLY_PARTS = ['Hello', ' from the', ' LiteLLM', ' simulator.'] as const;
export const SIM_REPLY = SIM_REPLY_PARTS.join('');
const USAGE = { input: 9, output: 7 };

/** One model call as the proxy saw it: which key (its hash), on which route, for which model, and the answer. */
export interface LlmCall {
  time: number;
  route: string;
  /** SHA-256 of the presented virtual key (LiteLLM's `token`); null for the master key or no key. */
  token: string | null;
  model: string | null;
  stream: boolean;
  status: number;
  /** The error type when refused. */
  error: string | null;
}

const calls = new WeakMap<SimState, LlmCall[]>();

/** Every model call this simulator answered, oldest first. */
export function llmCalls(state: SimState): LlmCall[] {
  let list = calls.get(state);
  if (!list) calls.set(state, (list = []));
  return list;
}

function visibleModels(caller: Caller, state: SimState): readonly string[] {
  if (caller.kind === 'master' || caller.row.models.length === 0) return state.models;
  return state.models.filter((model) => caller.row.models.includes(model));
}

/** Python's repr of a list of str, as the proxy prints `models=[...]`. */
function pythonList(items: readonly string[]): string {
  return `[${items.map((item) => `'${item}'`).join(', ')}]`;
}

export function listModels(req: RouteRequest, state: SimState): SimResponse {
  const caller = authenticate(req, state);
  return json({
    object: 'list',
    data: visibleModels(caller, state).map((id) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'openai' })),
  });
}

export function modelInfo(req: RouteRequest, state: SimState): SimResponse {
  const caller = authenticate(req, state);
  return json({
    data: visibleModels(caller, state).map((name, index) => ({
      model_name: name,
      litellm_params: { model: name.startsWith('claude') ? `anthropic/${name}` : `openai/${name}` },
      model_info: { id: `deployment-${index + 1}`, db_model: false, mode: 'chat', key: name },
    })),
  });
}

/** `GET /` (and the `HEAD /` Claude Code sends first): the proxy's landing page, no key needed. */
export function home(): SimResponse {
  return { status: 200, text: '<!doctype html><title>LiteLLM API</title>', contentType: 'text/html; charset=utf-8' };
}

/** The checks /chat/completions has always made after authenticating, shared by every model route; charges the call. */
function authorizeModelCall(caller: Caller, state: SimState, model: string | null): void {
  const rules = FLAVOR_RULES[state.flavor];
  if (caller.kind === 'virtual') {
    const row = caller.row;
    if (model !== null && row.models.length > 0 && !row.models.includes(model)) {
      throw proxyError(state.flavor, rules.modelAccessDeniedStatus, 'key_model_access_denied',
        `key not allowed to access model. This key can only access models=${pythonList(row.models)}. Tried to access ${model}`, 'model');
    }
    if (row.max_budget !== null && row.spend >= row.max_budget) {
      throw proxyError(state.flavor, rules.budgetExceededStatus, 'budget_exceeded',
        `Budget has been exceeded! Current cost: ${row.spend}, Max budget: ${row.max_budget}`);
    }
  }
  if (model === null || !state.models.includes(model)) {
    throw proxyError(state.flavor, 400, 'bad_request_error',
      `Invalid model name passed in model=${model ?? 'None'}. Call \`/v1/models\` to view available models for your key.`, 'model');
  }
  if (caller.kind === 'virtual') chargeSpend(state, caller.row, state.completionCost);
}

interface ModelRequest {
  model: string | null;
  stream: boolean;
}

/**
 * Runs a model route the proxy's way — authenticate, read the body, check the key may call the model, answer — and
 * records the call, answered or refused.
 */
function modelRoute(req: RouteRequest, state: SimState, parse: () => ModelRequest, answer: (call: ModelRequest) => SimResponse): SimResponse {
  const presented = presentedKey(req, state);
  const token = presented.kind === 'key' && presented.key !== state.masterKey && presented.key.startsWith('sk-') ? hashKey(presented.key) : null;
  let call: ModelRequest = { model: null, stream: false };
  const record = (status: number, error: string | null): void => {
    llmCalls(state).push({ time: state.clock.now(), route: req.path, token, model: call.model, stream: call.stream, status, error });
  };
  let response: SimResponse;
  try {
    const caller = authenticate(req, state);
    call = parse();
    authorizeModelCall(caller, state, call.model);
    response = answer(call);
  } catch (e) {
    if (e instanceof SimHttpError) {
      const body = e.response.body as { error?: { type?: string } } | undefined;
      record(e.response.status, body?.error?.type ?? null);
    }
    throw e;
  }
  record(response.status, null);
  return response;
}

/** `text/event-stream`: each event as `event:` (when named) and `data:` lines, then a blank line. */
function sse(events: ReadonlyArray<{ event?: string; data: unknown }>): SimResponse {
  const text = events.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`).join('');
  return { status: 200, text, contentType: 'text/event-stream; charset=utf-8', headers: { 'cache-control': 'no-cache' } };
}

function modelAndStream(req: RouteRequest): ModelRequest {
  const { value, issues } = validateBody(req.body, { model: { kind: 'str', nullable: true }, stream: { kind: 'bool', nullable: true } });
  if (issues.length) throw validationError(issues);
  return { model: (value.model as string | null | undefined) ?? null, stream: value.stream === true };
}

function chatRequest(req: RouteRequest): ModelRequest {
  const { value, issues } = validateBody(req.body, { model: { kind: 'str', nullable: true }, messages: { kind: 'list', nullable: true } });
  if (issues.length) throw validationError(issues);
  return { model: (value.model as string | null | undefined) ?? null, stream: (req.body as { stream?: unknown } | undefined)?.stream === true };
}

export function chatCompletion(req: RouteRequest, state: SimState): SimResponse {
  return modelRoute(req, state, () => chatRequest(req), ({ model, stream }) => {
    const created = Math.floor(state.clock.now() / 1000);
    const id = `chatcmpl-sim-${created}`;
    const usage = { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output };
    if (!stream) {
      return json({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: SIM_REPLY }, finish_reason: 'stop' }],
        usage,
      });
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) => ({
      id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra,
    });
    return sse([
      { data: chunk({ role: 'assistant', content: '' }, null) },
      ...SIM_REPLY_PARTS.map((content) => ({ data: chunk({ content }, null) })),
      { data: chunk({}, 'stop', { usage }) },
      { data: '[DONE]' },
    ]);
  });
}

/** Anthropic's Messages API, as LiteLLM serves it at /v1/messages (errors in the proxy's OpenAI-style envelope). */
export function anthropicMessages(req: RouteRequest, state: SimState): SimResponse {
  // x-api-key (Anthropic clients) is one of the key headers the shared auth reads.
  return modelRoute(req, state, () => modelAndStream(req), ({ model, stream }) => {
    const id = `msg_sim_${Math.floor(state.clock.now() / 1000)}`;
    const message = { id, type: 'message', role: 'assistant', model, stop_sequence: null };
    if (!stream) {
      return json({ ...message, content: [{ type: 'text', text: SIM_REPLY }], stop_reason: 'end_turn', usage: { input_tokens: USAGE.input, output_tokens: USAGE.output } });
    }
    return sse([
      { event: 'message_start', data: { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { input_tokens: USAGE.input, output_tokens: 1 } } } },
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
      { event: 'ping', data: { type: 'ping' } },
      ...SIM_REPLY_PARTS.map((text) => ({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } } })),
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: USAGE.output } } },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]);
  });
}

/** OpenAI's Responses API (/v1/responses), streamed the way Codex reads it, or answered whole. */
export function responses(req: RouteRequest, state: SimState): SimResponse {
  return modelRoute(req, state, () => modelAndStream(req), ({ model, stream }) => {
    const createdAt = Math.floor(state.clock.now() / 1000);
    const id = `resp_sim_${createdAt}`;
    const itemId = `msg_sim_${createdAt}`;
    const usage = {
      input_tokens: USAGE.input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: USAGE.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: USAGE.input + USAGE.output,
    };
    const part = { type: 'output_text', text: SIM_REPLY, annotations: [] };
    const item = { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [part] };
    const base = { id, object: 'response', created_at: createdAt, model, error: null, incomplete_details: null, parallel_tool_calls: true, tools: [] };
    const done = { ...base, status: 'completed', output: [item], output_text: SIM_REPLY, usage };
    if (!stream) return json(done);
    let seq = 0;
    const ev = (type: string, data: Record<string, unknown>) => ({ event: type, data: { type, sequence_number: seq++, ...data } });
    const pending = { ...base, status: 'in_progress', output: [], usage: null };
    return sse([
      ev('response.created', { response: pending }),
      ev('response.in_progress', { response: pending }),
      ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }),
      ev('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { ...part, text: '' } }),
      ...SIM_REPLY_PARTS.map((delta) => ev('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta })),
      ev('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text: SIM_REPLY }),
      ev('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part }),
      ev('response.output_item.done', { output_index: 0, item }),
      ev('response.completed', { response: done }),
    ]);
  });
}
