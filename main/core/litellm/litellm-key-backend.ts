// The LiteLLM proxy as a KeyBackend (main/core/backend/): the lease operations' requests in the admin API's terms.
// The key is created under the alias Keyfob chose, stamped with the lease, role and ledger ids in its metadata (so a
// lost ledger can be rebuilt from `/key/list`); it is renewed by `/key/update` and deleted by its token hash, or by
// its alias while the issue that created it is unfinished. LiteLLM has no handle of its own: `backendRef` is null.
import { KeyfobError, toKeyfobError } from '../errors.js';
import { IssueNotSent } from '../backend/index.js';
import { parseDuration, toLiteLLMDuration } from '../roles/index.js';
import { overMaxLimit } from './litellm-errors.js';
import type { GenerateKeyRequest, LiteLLMAdmin } from './litellm-api.js';
import type { CallerIdentity, IssuedKey, KeyBackend, KeyIssueRequest, LeaseHandle, OwnedKey, RenewedKey } from '../backend/index.js';

/** /key/list pages read at most while looking for this ledger's keys (100 keys a page). */
export const MAX_RECOVERY_PAGES = 200;

/** What LiteLLM issues: `sk-` and URL-safe base64 (secrets.token_urlsafe). */
export const LITELLM_KEY_SHAPE = /^sk-[A-Za-z0-9_-]{1,500}$/;

export class LiteLLMKeyBackend implements KeyBackend {
  readonly kind = 'litellm' as const;

  constructor(private readonly client: LiteLLMAdmin) {}

  async issue(req: KeyIssueRequest): Promise<IssuedKey> {
    if (!req.role.user_id) {
      // The generate names the caller's user as the key's owner, so who the caller is is asked first (once per
      // credential, then remembered). When that goes unanswered (a hung proxy), the generate would too: give up
      // now, with nothing sent that could create a key — one request timeout, not two plus a clean-up.
      try {
        await this.client.identity();
      } catch (e) {
        const err = toKeyfobError(e);
        if (err.status === undefined) throw new IssueNotSent(err);
        // The proxy answered (an error): the generate goes ahead without an owner, as it always has.
      }
    }
    const generated = await this.client.generateKey(generateRequest(req));
    if (!LITELLM_KEY_SHAPE.test(generated.key)) {
      // Only a broken or hostile proxy answers this: such a key cannot be written safely into a shell line or a
      // .env file, so it is not kept. The answer came (status), so the issue's clean-up deletes it by its alias.
      throw new KeyfobError('server-error', 'The proxy answered with a key that is not of LiteLLM\'s shape ("sk-" and URL-safe characters); Keyfob does not keep it.', {
        status: 200,
        hint: 'Check that the URL is your LiteLLM proxy and not something in front of it that rewrites answers.',
      });
    }
    return {
      key: generated.key,
      tokenHash: generated.token,
      alias: req.alias,
      expiresAt: generated.expires,
      backendRef: null,
      notes: generated.expiry_note ? [generated.expiry_note] : [],
    };
  }

  /**
   * From 1.83.3 the proxy holds a renewal to `upperbound_key_generate_params` as it holds a new key: a duration over
   * the bound is refused. The renewal is then asked again at the bound, once, and reported as capped.
   */
  async renew(lease: LeaseHandle, seconds: number): Promise<RenewedKey> {
    const token = lease.token_hash;
    if (!token) throw new KeyfobError('internal', `Lease ${lease.key_alias} has no token hash to renew it by.`);
    let answer: Awaited<ReturnType<LiteLLMAdmin['renewKey']>>;
    let notes: string[] = [];
    try {
      answer = await this.client.renewKey(token, seconds);
    } catch (e) {
      const bound = durationBound(e);
      if (bound === null || bound <= 0 || bound >= seconds) throw e;
      answer = await this.client.renewKey(token, bound);
      notes = [`the proxy limits a key's life to ${bound}s (upperbound_key_generate_params.duration): renewed for that`];
    }
    // A blocked key answers every model call with 401: the lease ends, with why (SCIM: the account was deprovisioned).
    if (answer.blocked) throw blockedKey(lease.key_alias, answer.scimBlocked === true);
    return { expiresAt: answer.expires, capped: notes.length > 0, notes };
  }

  revoke(lease: LeaseHandle): Promise<{ alreadyGone: boolean }> {
    return this.client.deleteKeys(lease.token_hash ? { keys: [lease.token_hash] } : { key_aliases: [lease.key_alias] });
  }

  async cleanUpInterrupted(lease: LeaseHandle): Promise<{ found: boolean }> {
    const { alreadyGone } = await this.client.deleteKeys({ key_aliases: [lease.key_alias] });
    return { found: !alreadyGone };
  }

  /** Every Keyfob-stamped key, each with its ledger id: the caller decides which ones are its own (see the port). */
  async listOwned(_ledgerId: string): Promise<OwnedKey[]> {
    const owned: OwnedKey[] = [];
    for (let page = 1; page <= MAX_RECOVERY_PAGES; page++) {
      const answer = await this.client.listKeys({ page, size: 100, return_full_object: true });
      for (const row of answer.keys) {
        const key = isRecord(row) ? ownedKey(row) : null;
        if (key) owned.push(key);
      }
      if (answer.keys.length === 0 || page >= answer.total_pages) return owned;
    }
    throw new KeyfobError('server-error', `The proxy lists more than ${MAX_RECOVERY_PAGES * 100} keys; recovery stopped.`);
  }

  describeCaller(): Promise<CallerIdentity> {
    return this.client.identity();
  }
}

function blockedKey(alias: string, scim: boolean): KeyfobError {
  const why = scim
    ? 'your account was deprovisioned (SCIM), which blocks all of your keys: ask your identity or proxy admin to restore it, then sign in again'
    : 'an admin blocked it: ask the proxy admin, or issue a new key';
  return new KeyfobError('not-found', `The key ${alias} is blocked on the proxy: ${why}.`, { detail: scim ? 'scim_blocked' : 'blocked' });
}

/** Seconds of the duration bound a refusal names, or null when it is no duration bound (or unreadable). */
function durationBound(error: unknown): number | null {
  const over = overMaxLimit(error);
  if (over?.param !== 'duration') return null;
  try {
    return parseDuration(over.max, 'duration');
  } catch {
    return null;
  }
}

function generateRequest(r: KeyIssueRequest): GenerateKeyRequest {
  const { role } = r;
  const req: GenerateKeyRequest = {
    models: [...role.models],
    key_alias: r.alias,
    metadata: { ...role.metadata, keyfob_role: role.name, keyfob_lease_id: r.leaseId, keyfob_ledger: r.ledgerId },
  };
  if (r.ttlSeconds > 0) req.duration = toLiteLLMDuration(r.ttlSeconds);
  if (role.max_budget > 0) req.max_budget = role.max_budget;
  if (role.budget_duration) req.budget_duration = role.budget_duration;
  if (role.tpm_limit !== null) req.tpm_limit = role.tpm_limit;
  if (role.rpm_limit !== null) req.rpm_limit = role.rpm_limit;
  if (role.max_parallel_requests !== null) req.max_parallel_requests = role.max_parallel_requests;
  if (role.team_id) req.team_id = role.team_id;
  if (role.user_id) req.user_id = role.user_id;
  return req;
}

/** A `/key/list` row stamped by Keyfob (metadata `keyfob_lease_id`), or null for any other key. */
function ownedKey(row: Record<string, unknown>): OwnedKey | null {
  const metadata = isRecord(row.metadata) ? row.metadata : {};
  const leaseId = metadata.keyfob_lease_id;
  if (typeof leaseId !== 'string' || typeof row.token !== 'string') return null;
  const keyName = typeof row.key_name === 'string' ? row.key_name : null;
  return {
    leaseId,
    role: typeof metadata.keyfob_role === 'string' ? metadata.keyfob_role : null,
    alias: typeof row.key_alias === 'string' ? row.key_alias : '',
    tokenHash: row.token,
    backendRef: null,
    expiresAt: typeof row.expires === 'string' ? row.expires : null,
    createdAt: typeof row.created_at === 'string' ? row.created_at : null,
    ledgerId: typeof metadata.keyfob_ledger === 'string' ? metadata.keyfob_ledger : null,
    models: Array.isArray(row.models) ? row.models.filter((m): m is string => typeof m === 'string') : [],
    maxBudget: typeof row.max_budget === 'number' ? row.max_budget : 0,
    keyHint: keyName && keyName.startsWith('sk-...') ? keyName : null,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
