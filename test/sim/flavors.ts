// @deprecated: the two flavors that predate the eras. `current` plays era N3, `older` plays era N (see eras.ts).
// Kept so suites written against flavors keep working; new code uses `era` and ERA_RULES.
import { ERA_RULES, eraOf } from './eras.js';
import type { EraRules } from './eras.js';
import type { SimFlavor } from './types.js';

export type FlavorRules = EraRules;

/** Rules by era name or by deprecated flavor name. */
export const FLAVOR_RULES: Readonly<Record<SimFlavor, EraRules>> = {
  ...ERA_RULES,
  current: ERA_RULES[eraOf('current')],
  older: ERA_RULES[eraOf('older')],
};

export const FLAVORS: ReadonlyArray<'current' | 'older'> = ['current', 'older'];

export function isFlavor(value: unknown): value is 'current' | 'older' {
  return value === 'current' || value === 'older';
}
