// Everything that differs between LiteLLM releases, in one table: each row of the contract page
// (../shared/litellm-admin-api.md) tagged to the era that plays it. Eras, oldest first:
//   L  ≤1.67.0 (plays 1.63.14), M 1.67.1–1.76.x (plays 1.74.9), C 1.76.3–1.80.14 (plays 1.80.9, the page's source),
//   N  ≥1.80.15 (2026-01), N2 2026-03-18, N3 2026-05-09 (their version labels are representative, only their order
//   is meant). A row whose boundary falls inside an era takes the value of the era's representative release:
//   - L at 1.63.14: auth messages of "≤1.63" (unknown sk- key: `Key doesn't exist in db`; no DB: sk- check first, then
//     401 `No connected db.`), no `x-litellm-api-key`, no team_member_permissions check (≥1.66), budget checked on every
//     route (<1.67.5), `/key/list` accepts `return_full_object` unless `listRejectsFullObject` plays ≤1.61.1, generate's
//     `token` is the plaintext unless `generateOmitsToken` plays ≤1.58 (no `token` field).
//   - M at 1.74.9: "≥1.71" auth messages and DB-first ordering (≥1.71.2), Malformed adds ` Passed in: …` (≤1.74),
//     delete of nothing 404 (≥1.68.2), internal users update any personal key (≤1.77.5), team 400 on update.
//   - C at 1.80.9: team missing on update 404 (≥1.80.5), `key` must start `sk-` (≥1.76).
//   - "newest 2026" wordings (not-sk masked, blocked "an admin", route denial 403) are N3's.
import type { SimEra, SimFlavor } from './types.js';

/**
 * How `user_api_key_auth` words an unknown `sk-` key: ≤1.63 or ≥1.71. (1.65–1.70's `…key=<hash>, not found in db…`
 * falls between the representative releases, so no era plays it.)
 */
export type UnknownKeyWording = 'le1.63' | 'ge1.71';
/**
 * No DB and a non-master key: ≤1.63 the sk- check runs first, then 401 `Authentication Error, No connected db.`;
 * ≥1.71.2 the DB check runs first, 400 no_db_connection. (1.65–1.71.1's 400-after-sk- is between representatives.)
 */
export type NoDatabaseOrdering = 'sk-first' | 'db-first';

export interface EraRules {
  era: SimEra;
  /** `x-litellm-version` and `/health/readiness`'s `litellm_version`. */
  version: string;
  /** `/key/generate`'s `token`: the plaintext key (L) or its SHA-256 (M+). */
  generateToken: 'plaintext' | 'hash';
  /** `/key/generate`'s `expires` from `get_next_standardized_reset_time` (C) instead of now + duration. */
  calendarExpires: boolean;
  /** generate's `budget_reset_at` by the calendar rules, and `Nmo` N≠1 there → 500 (≥1.76.3). */
  calendarBudgetResetOnGenerate: boolean;
  /** update's `budget_reset_at` by the calendar rules (≥1.68); `Nmo` N≠1 there → 400 (≥1.70). */
  calendarBudgetResetOnUpdate: boolean;
  /** update `duration: "-1"` removes the expiry (N+); otherwise 400 `Invalid duration format`. */
  updateMinusOneClears: boolean;
  /** update `duration: null` removes the expiry (N2+, `prepare_key_update_data`); otherwise a no-op. */
  updateNullClears: boolean;
  /** `/key/update` of a key the DB does not hold. */
  updateUnknownKey: { status: 401 | 404; type: string };
  /** `/key/block`, `/key/unblock` of an unknown key. */
  blockUnknownKeyStatus: 401 | 404;
  /** `/key/delete` when nothing matched: admin 200 / non-admin 500 (<1.68.2), else 404 `No keys found`. */
  deleteNothingFound: 'admin-200' | '404';
  /** A non-admin delete where only some keys matched: 500 (≤1.80.x) or 200 (N+). */
  partialDeleteNonAdminOk: boolean;
  expiredKeyStatus: 400 | 401;
  /** The expired-key `param`: the key as stored/sent (≤N2) or `sk-...wxyz` (N3). */
  expiredParamMasked: boolean;
  budgetExceededStatus: 400 | 429;
  /** Budget checked on every route (<1.67.5), not only LLM routes. */
  budgetOnAllRoutes: boolean;
  modelAccessDeniedStatus: 401 | 403;
  /** `x-litellm-api-key` read (≥1.67.5). */
  litellmHeader: boolean;
  /** Malformed-header message ends ` Passed in: <header>` (≤1.74). */
  malformedEchoesHeader: boolean;
  /** Not-`sk-` message: `Authentication Error, … Received=<full key>` (≤N2) or `Received=abcd****wxyz` (N3). */
  notSkMasked: boolean;
  unknownKeyWording: UnknownKeyWording;
  noDatabaseOrdering: NoDatabaseOrdering;
  /** Blocked key wording: `if you're admin.` or (2026) `if you're an admin.` */
  blockedSaysAnAdmin: boolean;
  /** Route not allowed for the caller's role: 401 (≤N2) or 403 (N3). */
  routeDeniedStatus: 401 | 403;
  /** generate's `key` must start `sk-` (≥1.76). */
  customKeyMustStartSk: boolean;
  /** `default_key_generate_params` also fills `duration` (2026 code, N+); before, a default duration is ignored. */
  defaultDuration: boolean;
  /** Negative `max_budget`/`soft_budget` → 400 (N+); accepted before. */
  rejectNegativeBudget: boolean;
  /** generate without DB: 500 `Connect Proxy to database to generate keys - …` (≤1.77.5) or `{'error': 'DB not connected…'}`. */
  generateNoDatabase: 'connect-proxy' | 'db-not-connected';
  /** Team missing on update: 400 `Authentication Error, Team doesn't exist…` (<1.80.5) or 404 (≥1.80.5). */
  teamMissingOnUpdateStatus: 400 | 404;
  /** A body `team_id` is checked only when it changes the key's team (≤1.77.5). */
  teamCheckOnlyWhenChanging: boolean;
  /** The key's own `team_id` is checked for admins too (later 2026 code: N2+), not only non-admins. */
  ownTeamCheckForAdmins: boolean;
  /** An internal user may update any personal key (≤1.77.5) or only its own (≥1.77.7). */
  internalUserUpdatesAnyPersonalKey: boolean;
  /** Non-admin team members need the route in `team_member_permissions` (≥1.66). */
  teamMemberPermissions: boolean;
  /** Who may delete a team key: team admin or a member allowed `/key/delete` (≤C), team admin or the key's owner (N+). */
  teamKeyDeleteByOwner: boolean;
}

const L: EraRules = {
  era: 'L',
  version: '1.63.14',
  generateToken: 'plaintext',
  calendarExpires: false,
  calendarBudgetResetOnGenerate: false,
  calendarBudgetResetOnUpdate: false,
  updateMinusOneClears: false,
  updateNullClears: false,
  updateUnknownKey: { status: 401, type: 'auth_error' },
  blockUnknownKeyStatus: 401,
  deleteNothingFound: 'admin-200',
  partialDeleteNonAdminOk: false,
  expiredKeyStatus: 400,
  expiredParamMasked: false,
  budgetExceededStatus: 400,
  budgetOnAllRoutes: true,
  modelAccessDeniedStatus: 401,
  litellmHeader: false,
  malformedEchoesHeader: true,
  notSkMasked: false,
  unknownKeyWording: 'le1.63',
  noDatabaseOrdering: 'sk-first',
  blockedSaysAnAdmin: false,
  routeDeniedStatus: 401,
  customKeyMustStartSk: false,
  defaultDuration: false,
  rejectNegativeBudget: false,
  generateNoDatabase: 'connect-proxy',
  teamMissingOnUpdateStatus: 400,
  teamCheckOnlyWhenChanging: true,
  ownTeamCheckForAdmins: false,
  internalUserUpdatesAnyPersonalKey: true,
  teamMemberPermissions: false,
  teamKeyDeleteByOwner: false,
};

const M: EraRules = {
  ...L,
  era: 'M',
  version: '1.74.9',
  generateToken: 'hash',
  calendarBudgetResetOnUpdate: true,
  deleteNothingFound: '404',
  budgetOnAllRoutes: false,
  litellmHeader: true,
  unknownKeyWording: 'ge1.71',
  noDatabaseOrdering: 'db-first',
  teamMemberPermissions: true,
};

const C: EraRules = {
  ...M,
  era: 'C',
  version: '1.80.9',
  calendarExpires: true,
  calendarBudgetResetOnGenerate: true,
  malformedEchoesHeader: false,
  customKeyMustStartSk: true,
  generateNoDatabase: 'db-not-connected',
  teamMissingOnUpdateStatus: 404,
  teamCheckOnlyWhenChanging: false,
  internalUserUpdatesAnyPersonalKey: false,
};

const N: EraRules = {
  ...C,
  era: 'N',
  version: '1.81.0',
  calendarExpires: false,
  updateMinusOneClears: true,
  partialDeleteNonAdminOk: true,
  defaultDuration: true,
  rejectNegativeBudget: true,
  teamKeyDeleteByOwner: true,
};

const N2: EraRules = {
  ...N,
  era: 'N2',
  version: '1.82.0',
  updateNullClears: true,
  updateUnknownKey: { status: 404, type: 'not_found_error' },
  blockUnknownKeyStatus: 404,
  ownTeamCheckForAdmins: true,
};

const N3: EraRules = {
  ...N2,
  era: 'N3',
  version: '1.83.0',
  expiredKeyStatus: 401,
  expiredParamMasked: true,
  budgetExceededStatus: 429,
  modelAccessDeniedStatus: 403,
  notSkMasked: true,
  blockedSaysAnAdmin: true,
  routeDeniedStatus: 403,
};

export const ERAS: readonly SimEra[] = ['L', 'M', 'C', 'N', 'N2', 'N3'];

export const ERA_RULES: Readonly<Record<SimEra, EraRules>> = { L, M, C, N, N2, N3 };

export function isEra(value: unknown): value is SimEra {
  return typeof value === 'string' && (ERAS as readonly string[]).includes(value);
}

/**
 * @deprecated flavors. `current` plays N3. `older` plays N, the newest era that still answers the old 400/401
 * refusals (expired and budget 400, model denial 401, unknown key on update 401) — and, like the `older` flavor did,
 * a hashed `token`, exact expiries, 404 on deleting nothing and 400 for a negative budget.
 */
export const FLAVOR_ERAS: Readonly<Record<'current' | 'older', SimEra>> = { current: 'N3', older: 'N' };

/** An era, or a deprecated flavor name, to the era it plays. */
export function eraOf(value: SimFlavor): SimEra {
  return value === 'current' || value === 'older' ? FLAVOR_ERAS[value] : value;
}

export function isFlavorOrEra(value: unknown): value is SimFlavor {
  return value === 'current' || value === 'older' || isEra(value);
}
