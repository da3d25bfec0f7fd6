// What an issued key meets: /chat/completions (the proof that a key works, or does not) and the model lists.
import { authenticate } from '../auth.js';
import type { Caller } from '../auth.js';
import { FLAVOR_RULES } from '../flavors.js';
import { json, proxyError, validationError } from '../responses.js';
import type { SimResponse } from '../responses.js';
import type { RouteRequest, SimState } from '../state.js';
import { validateBody } from '../validation.js';

/** The date the OpenAI-compatible model list reports as `created` (a fixed value, as the proxy's is). */
const MODEL_CREATED = 1_677_610_602;

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

export function chatCompletion(req: RouteRequest, state: SimState): SimResponse {
  const caller = authenticate(req, state);
  const { value, issues } = validateBody(req.body, { model: { kind: 'str', nullable: true }, messages: { kind: 'list', nullable: true } });
  if (issues.length) throw validationError(issues);
  const model = (value.model as string | null | undefined) ?? null;
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
  if (caller.kind === 'virtual') caller.row.spend += state.completionCost;
  const created = Math.floor(state.clock.now() / 1000);
  return json({
    id: `chatcmpl-sim-${created}`,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the LiteLLM simulator.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 },
  });
}
