// Everything that differs between LiteLLM releases, in one table, so the mapping from the contract page
// (../shared/litellm-admin-api.md) to each flavor is explicit and testable.
import type { SimFlavor } from './types.js';

export interface FlavorRules {
  /** The envelope's `code`: "401" (current) or 401 (older). */
  codeAsString: boolean;
  /** `/key/update` on a key the database does not hold. */
  updateUnknownKey: { status: number; type: string; message: (token: string) => string };
  /** `/key/info` on a key the database does not hold. */
  infoUnknownKey: { status: number; type: string };
  /** `/chat/completions` with an expired key (`type: expired_key`). */
  expiredKeyStatus: number;
  /** `/chat/completions` with `spend >= max_budget` (`type: budget_exceeded`). */
  budgetExceededStatus: number;
  /** `/chat/completions` for a model outside the key's `models` (`type: key_model_access_denied`). */
  modelAccessDeniedStatus: number;
  /**
   * An invalid `duration` on `/key/generate` and `/key/update`. The page: "500 in current releases, 400 in proposed
   * ones" — no released flavor answers 400, so both play 500; `Simulator.invalidDurationStatus` plays the proposal.
   */
  invalidDurationStatus: number;
  /** Reported by `/health/readiness` and the `x-litellm-version` header. */
  version: string;
}

export const FLAVOR_RULES: Readonly<Record<SimFlavor, FlavorRules>> = {
  current: {
    codeAsString: true,
    updateUnknownKey: { status: 404, type: 'not_found_error', message: (token) => `Key not found in database. Key=${token}` },
    infoUnknownKey: { status: 404, type: 'not_found_error' },
    expiredKeyStatus: 401,
    budgetExceededStatus: 429,
    modelAccessDeniedStatus: 403,
    invalidDurationStatus: 500,
    version: '1.81.0',
  },
  older: {
    codeAsString: false,
    updateUnknownKey: { status: 401, type: 'auth_error', message: (token) => `Key=${token} does not exist in db` },
    infoUnknownKey: { status: 401, type: 'auth_error' },
    expiredKeyStatus: 400,
    budgetExceededStatus: 400,
    modelAccessDeniedStatus: 401,
    invalidDurationStatus: 500,
    version: '1.61.0',
  },
};

export const FLAVORS: readonly SimFlavor[] = ['current', 'older'];

export function isFlavor(value: unknown): value is SimFlavor {
  return value === 'current' || value === 'older';
}
