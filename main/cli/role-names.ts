// A role name that does not exist: say so, suggest the nearest one, and list the roles there are.
import type { KeyfobCore } from '../core/core-api.js';
import { KeyfobError } from '../core/errors.js';
import { didYouMean } from './suggest.js';

export function roleNotFound(core: KeyfobCore, raw: string, field = 'ROLE'): KeyfobError {
  const names = core.listRoles().map((r) => r.name);
  const typed = raw.trim().toLowerCase();
  const guess = didYouMean(typed, names);
  return new KeyfobError('role-not-found', `${field}: there is no role ${JSON.stringify(typed)}${guess ? `: ${guess}` : ''}`, {
    hint: names.length ? `roles: ${names.join(', ')} (\`keyfob role list\`)` : 'there are no roles yet: create one with `keyfob role set NAME --ttl 1h`',
  });
}

/** Throws roleNotFound unless `raw` names a role. */
export function requireRole(core: KeyfobCore, raw: string, field = 'ROLE'): void {
  const name = raw.trim().toLowerCase();
  if (!core.listRoles().some((r) => r.name === name)) throw roleNotFound(core, raw, field);
}
