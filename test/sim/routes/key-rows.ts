// The JSON forms of a key row: the generate answer (plaintext once, `Z` datetimes) and the database row
// (update, info, list, block), whose datetime form depends on where the proxy got the value from.
import type { KeyRecord } from '../key-store.js';
import { isoGenerate } from '../time-format.js';

type DateFormat = (epochUs: number) => string;

const orNull = (us: number | null, format: DateFormat) => (us === null ? null : format(us));

/** LiteLLM_VerificationToken as the proxy serialises it. */
export function rowJson(row: KeyRecord, format: DateFormat): Record<string, unknown> {
  return structuredClone({
    token: row.token,
    key_name: row.key_name,
    key_alias: row.key_alias,
    soft_budget_cooldown: false,
    spend: row.spend,
    expires: orNull(row.expiresUs, format),
    models: row.models,
    aliases: row.aliases,
    config: row.config,
    user_id: row.user_id,
    team_id: row.team_id,
    permissions: row.permissions,
    max_parallel_requests: row.max_parallel_requests,
    metadata: row.metadata,
    blocked: row.blocked,
    tpm_limit: row.tpm_limit,
    rpm_limit: row.rpm_limit,
    max_budget: row.max_budget,
    budget_duration: row.budget_duration,
    budget_reset_at: orNull(row.budgetResetAtUs, format),
    allowed_cache_controls: row.allowed_cache_controls,
    allowed_routes: [],
    model_spend: {},
    model_max_budget: {},
    budget_id: row.budget_id,
    organization_id: null,
    object_permission_id: null,
    created_at: format(row.createdAtUs),
    created_by: row.created_by,
    updated_at: format(row.updatedAtUs),
    updated_by: row.updated_by,
    litellm_budget_table: null,
  });
}

/**
 * GenerateKeyResponse: every field of the model present, unset ones null; `duration` is always null (the proxy pops
 * it). `token` is the hash here; era L swaps in the plaintext. `formatExpires` gives `expires` its zone (era C).
 */
export function generateResponseJson(row: KeyRecord, plaintext: string, sent: Record<string, unknown>, formatExpires: DateFormat): Record<string, unknown> {
  const echo = (name: string) => (sent[name] === undefined ? null : sent[name]);
  return structuredClone({
    key_alias: row.key_alias,
    duration: null,
    models: row.models,
    spend: row.spend,
    max_budget: row.max_budget,
    user_id: row.user_id,
    team_id: row.team_id,
    max_parallel_requests: row.max_parallel_requests,
    metadata: row.metadata,
    tpm_limit: row.tpm_limit,
    rpm_limit: row.rpm_limit,
    budget_duration: row.budget_duration,
    allowed_cache_controls: row.allowed_cache_controls,
    config: row.config,
    permissions: row.permissions,
    model_max_budget: {},
    model_rpm_limit: null,
    model_tpm_limit: null,
    guardrails: null,
    blocked: row.blocked,
    aliases: row.aliases,
    object_permission: null,
    key: plaintext,
    budget_id: row.budget_id,
    tags: null,
    enforced_params: null,
    allowed_routes: [],
    soft_budget: echo('soft_budget'),
    send_invite_email: echo('send_invite_email'),
    key_type: echo('key_type') ?? 'default',
    key_name: row.key_name,
    expires: orNull(row.expiresUs, formatExpires),
    token_id: row.token,
    organization_id: null,
    litellm_budget_table: null,
    token: row.token,
    created_by: row.created_by,
    updated_by: row.updated_by,
    created_at: isoGenerate(row.createdAtUs),
    updated_at: isoGenerate(row.updatedAtUs),
  });
}
