// What a row's buttons do (copy, reveal, renew, revoke): one IPC call each, then what the row says and what a
// screen reader hears. The Keys screen runs them one at a time per row.
import type { KeyfobApi, SerializedError } from '../../../preload/api.js';
import { announce } from '../announcer.js';
import { noteProxyOutcome } from '../connection.js';
import { call, errorText } from '../errors.js';
import { spokenName } from '../lease-rules.js';
import { patchLease, serverNow, snapshot } from '../store.js';
import { formatDuration, formatInstant, formatRemaining, MINUTE, spokenDuration } from '../time.js';
import type { LeaseAction, LeaseRow } from './lease-row.js';
import { MESSAGE_MS } from './lease-row.js';

/** How long a revealed key stays shown. */
export const REVEAL_MS = MINUTE;

export interface LeaseActionDeps {
  api: KeyfobApi;
  /** Hides a shown key (Hide, Escape, or its time is up). */
  hideRevealed(row: LeaseRow): void;
  /** Whether the row is still on screen. */
  hasRow(leaseId: string): boolean;
}

export async function runLeaseAction(row: LeaseRow, action: LeaseAction, deps: LeaseActionDeps): Promise<void> {
  switch (action) {
    case 'copy':
      return copy(row, deps.api);
    case 'reveal':
      if (row.revealed) return deps.hideRevealed(row);
      return reveal(row, deps.api);
    case 'renew':
      return renew(row, deps.api);
    case 'revoke':
      return revoke(row, deps);
  }
}

function failed(row: LeaseRow, error: SerializedError): void {
  row.say(errorText(error), 'error', { untilMs: serverNow() + MESSAGE_MS.error, errorKind: error.kind });
}

async function copy(row: LeaseRow, api: KeyfobApi): Promise<void> {
  const name = spokenName(row.lease);
  const r = await call(() => api.copyLeaseKey(row.lease.lease_id));
  if (!r.ok) return failed(row, r.error);
  patchLease(r.value);
  const clear = snapshot().settings.clipboard_clear_seconds;
  // The message lives as long as it is true: until the clipboard is cleared.
  row.say(clear > 0 ? `Copied. The clipboard is cleared in ${formatDuration(clear)}.` : 'Copied.', 'ok', { untilMs: serverNow() + (clear > 0 ? clear * 1000 : MESSAGE_MS.ok) });
  announce(`Copied ${name}.${clear > 0 ? ` The clipboard is cleared in ${spokenDuration(clear * 1000)}.` : ''}`);
}

async function reveal(row: LeaseRow, api: KeyfobApi): Promise<void> {
  const name = spokenName(row.lease);
  const r = await call(() => api.revealKey(row.lease.lease_id));
  if (!r.ok) return failed(row, r.error);
  row.showSecret(r.value, serverNow() + REVEAL_MS);
  row.say(`Shown for ${formatDuration(REVEAL_MS / 1000)}. Escape hides it.`, 'ok', { untilMs: serverNow() + REVEAL_MS, about: 'reveal' });
  announce(`${name} shown for ${spokenDuration(REVEAL_MS)}. Escape hides it.`);
}

async function renew(row: LeaseRow, api: KeyfobApi): Promise<void> {
  const name = spokenName(row.lease);
  const r = await call(() => api.renew(row.lease.lease_id), { reachesProxy: true });
  if (!r.ok) return failed(row, r.error);
  patchLease(r.value);
  const now = serverNow();
  const expires = r.value.expires_at ? Date.parse(r.value.expires_at) : null;
  const capped = expires !== null && r.value.max_expires_at !== null && expires >= Date.parse(r.value.max_expires_at) - 500;
  const limit = capped ? ' That is its max TTL: it cannot be renewed further.' : '';
  const message = expires === null ? 'Renewed.' : `Renewed: expires ${formatInstant(expires, now)} (${formatRemaining(expires - now)} left).${limit}`;
  row.say(message, 'ok', { untilMs: now + MESSAGE_MS.ok });
  announce(expires === null ? `Renewed ${name}.` : `Renewed ${name}: ${spokenDuration(expires - now)} left.${limit}`);
}

async function revoke(row: LeaseRow, deps: LeaseActionDeps): Promise<void> {
  const id = row.lease.lease_id;
  const name = spokenName(row.lease);
  const r = await call(() => deps.api.revoke(id), { reachesProxy: true });
  if (!r.ok) return failed(row, r.error);
  if (r.value.last_error) noteProxyOutcome(r.value.last_error, serverNow());
  if (r.value.state === 'revoked' || r.value.state === 'expired') announce(`Revoked ${name}.`);
  // A failure shows in the row's state note (once); only a pending revocation needs a word here.
  else if (!r.value.last_error && deps.hasRow(id)) row.say('Revocation pending.', 'ok', { untilMs: serverNow() + MESSAGE_MS.ok });
  patchLease(r.value);
}
