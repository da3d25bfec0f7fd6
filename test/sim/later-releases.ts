// LiteLLM after v1.83, as far as a key client meets it (the last section of ../shared/litellm-admin-api.md): the
// release played on top of the era (`sim.later.release`, null = the era's own), and the two ways a key now ends on
// the proxy without Keyfob's doing (SCIM deprovisioning, removal from a team).
import { proxyError, pythonDictRepr, SimHttpError } from './responses.js';
import type { SimResponse } from './responses.js';
import type { RouteHandler, SimState } from './state.js';
import { addDuration, DurationError } from './duration.js';

export class LaterReleases {
  /** A release from 1.83.3 on (e.g. '1.83.3', '1.101.0'), or null: only the era's rules. Settable at runtime. */
  release: string | null = null;
}

/** `/v1/messages`'s handler, its errors in Anthropic's envelope from 1.101.0. */
export function withAnthropicEnvelope(handler: RouteHandler): RouteHandler {
  return (req, state) => {
    if (!anthropicEnvelopeOnMessages(state)) return handler(req, state);
    try {
      return inAnthropicEnvelope(handler(req, state));
    } catch (e) {
      if (e instanceof SimHttpError) return inAnthropicEnvelope(e.response);
      throw e;
    }
  };
}

function atLeast(release: string | null, wanted: string): boolean {
  if (release === null) return false;
  const a = release.split('.').map(Number);
  const b = wanted.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** v1.83.3 (PRs #25103/#25110): `upperbound_key_generate_params` is enforced on `/key/update` too. */
export function boundsOnUpdate(state: SimState): boolean {
  return atLeast(state.later.release, '1.83.3');
}

/** v1.101.0: errors on `/v1/messages` use Anthropic's envelope. */
export function anthropicEnvelopeOnMessages(state: SimState): boolean {
  return atLeast(state.later.release, '1.101.0');
}

const BOUNDED = ['max_budget', 'budget_duration', 'duration', 'max_parallel_requests', 'tpm_limit', 'rpm_limit'] as const;

function seconds(value: string, state: SimState): number {
  const nowUs = state.nowUs();
  try {
    return (addDuration(nowUs, value) - nowUs) / 1_000_000;
  } catch (e) {
    if (e instanceof DurationError) return NaN;
    throw e;
  }
}

/** An update that sends a field above its bound: the same 400 as generate. (Update never fills missing fields.) */
export function checkUpdateBounds(data: Record<string, unknown>, state: SimState): void {
  const bounds = state.config.upperboundKeyGenerateParams;
  if (!bounds || !boundsOnUpdate(state)) return;
  for (const name of BOUNDED) {
    const bound = bounds[name];
    const sent = data[name];
    if (bound === undefined || sent === undefined || sent === null) continue;
    const over = name === 'duration' || name === 'budget_duration'
      ? seconds(String(sent), state) > seconds(String(bound), state)
      : Number(sent) > Number(bound);
    if (over) {
      throw proxyError(state.era, 400, 'internal_server_error', pythonDictRepr({
        error: `${name} is over max limit set in config - user_value=${String(sent)}; max_value=${String(bound)}`,
      }));
    }
  }
}

function anthropicType(status: number): string {
  if (status === 400 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return 'api_error';
}

/** An OpenAI-envelope error answer rewritten in Anthropic's `{"type":"error","error":{"type","message"}}`. */
export function inAnthropicEnvelope(response: SimResponse): SimResponse {
  const body = response.body as { error?: { message?: unknown } } | undefined;
  if (response.status < 400 || typeof body?.error?.message !== 'string') return response;
  return { ...response, body: { type: 'error', error: { type: anthropicType(response.status), message: body.error.message } } };
}

/** PR #26861: SCIM deprovisioning blocks every key of the user, marked `metadata.scim_blocked`. Answers how many. */
export function scimDeprovision(state: SimState, userId: string): number {
  let count = 0;
  // Rows are changed in place, as the database is; a replica's cached copy keeps serving for its TTL.
  for (const row of state.store.all()) {
    if (row.user_id !== userId) continue;
    row.blocked = true;
    row.metadata = { ...row.metadata, scim_blocked: true };
    count += 1;
  }
  return count;
}

/** PR #17057: removing a user from a team deletes that user's keys for the team. Answers how many. */
export function removeTeamMember(state: SimState, teamId: string, userId: string): number {
  const team = state.directory.team(teamId);
  if (team) state.directory.addTeam({ ...team, members: team.members.filter((m) => m.user_id !== userId) });
  let count = 0;
  for (const row of state.store.all()) {
    if (row.user_id === userId && row.team_id === teamId && state.store.delete(row.token)) count += 1;
  }
  return count;
}
