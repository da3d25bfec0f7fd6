// "Connect to Vault" from the window, as `keyfob connect --vault`: both URLs checked with the core's own rules before
// anything is sent (every bad field at once), and every field error named as the request names it, so the window's
// form shows each on its own field. The token or password goes to the core once and is in no error, log or audit entry.
import type { VaultConnectInput } from '../core/core-api.js';
import { KeyfobError, toKeyfobError, type FieldError } from '../core/errors.js';
import { normalizeProxyUrl } from '../core/litellm/index.js';
import { normalizeVaultUrl } from '../core/vault/index.js';
import type { VaultConnectRequest } from '../../preload/api.js';

/** The core names fields as the CLI's flags do; the window's request names them its own way. */
const REQUEST_FIELD: Readonly<Record<string, keyof VaultConnectRequest>> = {
  vault: 'vaultUrl', proxy: 'proxyUrl', token: 'secret', password: 'secret', mount: 'mount', username: 'username',
  'oidc-port': 'oidcPort',
};

/** A core error with its field errors renamed to the request's fields (other errors pass as they are). */
export function inRequestTerms(e: unknown): KeyfobError {
  const error = toKeyfobError(e);
  if (error.fields.length === 0) return error;
  const fields = error.fields.map((f) => ({ ...f, field: REQUEST_FIELD[f.field] ?? f.field }));
  return new KeyfobError(error.kind, error.message, {
    fields, cause: error,
    ...(error.hint === undefined ? {} : { hint: error.hint }), ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.networkCode === undefined ? {} : { networkCode: error.networkCode }), ...(error.detail === undefined ? {} : { detail: error.detail }),
  });
}

/** Runs a normaliser; its field errors are collected instead of thrown, so the person sees every bad URL at once. */
function take(problems: FieldError[], normalize: () => string): string {
  try {
    return normalize();
  } catch (e) {
    const error = inRequestTerms(e);
    if (error.kind !== 'validation' || error.fields.length === 0) throw error;
    problems.push(...error.fields);
    return '';
  }
}

/** The core's input for a window request (without the OIDC opener), or a validation error naming the request's fields. */
export function vaultConnectInput(req: VaultConnectRequest): Omit<VaultConnectInput, 'openBrowser' | 'print'> {
  const problems: FieldError[] = [];
  const url = take(problems, () => normalizeVaultUrl(req.vaultUrl));
  const proxyUrl = take(problems, () => normalizeProxyUrl(req.proxyUrl, 'proxyUrl'));
  const username = req.username?.trim() ?? '';
  if (req.method === 'userpass' && !username) problems.push({ field: 'username', message: 'is required to sign in with a user name and password' });
  if (req.method !== 'oidc' && !req.secret) {
    problems.push({ field: 'secret', message: req.method === 'token' ? 'is required: your Vault token' : 'is required: your Vault password' });
  }
  const oidcPort = req.method === 'oidc' ? req.oidcPort ?? undefined : undefined;
  if (oidcPort !== undefined && !(Number.isInteger(oidcPort) && oidcPort >= 1 && oidcPort <= 65535)) {
    problems.push({ field: 'oidcPort', message: 'must be a port number from 1 to 65535' });
  }
  if (problems.length > 0) {
    throw new KeyfobError('validation', `Cannot connect to Vault: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`, { fields: problems });
  }
  const oidcRole = req.oidcRole?.trim();
  return {
    url, proxyUrl, mount: req.mount?.trim() || 'litellm', namespace: req.namespace?.trim() || null, method: req.method,
    ...(req.method === 'userpass' ? { username } : {}),
    ...(req.method !== 'oidc' && req.secret ? { secret: req.secret } : {}),
    ...(req.method === 'oidc' && oidcRole ? { oidcRole } : {}),
    ...(oidcPort === undefined ? {} : { oidcPort }),
    caFile: req.caFile?.trim() || null, allowInsecureTls: req.allowInsecureTls === true,
  };
}
