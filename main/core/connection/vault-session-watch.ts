// The Vault session on the core's one timer. Vault revokes a token's leases when the token ends, so while leases
// live Keyfob renews the token (renew-self at ⅔ of its granted TTL, as Vault Agent does), warns before a session that
// can no longer be extended ends (a non-renewable token, or one capped at its max TTL), and when it has ended says so
// and closes the session's leases locally: Vault has already revoked them, so that sends no request.
import type { Clock, Notifier } from '../ports.js';
import type { DeadlineSource } from '../single-timer.js';
import type { Notice } from '../types.js';
import type { VaultConnection } from './vault-connection.js';

/** How long before a session's hard end the person is warned. */
export const SESSION_WARN_MS = 15 * 60_000;
/** A failed renewal is tried again after this long (the token usually has far longer left). */
export const SESSION_RENEW_RETRY_MS = 30_000;

export interface VaultSessionWatchDeps {
  vault: VaultConnection;
  clock: Clock;
  notifier: Notifier;
  hasLiveLeases: () => boolean;
  /** Closes every live lease (revoke-all; each is found already gone with the session). */
  closeLeases: () => Promise<void>;
}

export class VaultSessionWatch implements DeadlineSource {
  private notices: Notice[] = [];
  /** The end (ISO) that renewals no longer move: warned about, never renewed past. */
  private hardEnd: string | null = null;
  private warnedFor: string | null = null;
  private endedFor: string | null = null;
  private retryAt = 0;

  constructor(private readonly deps: VaultSessionWatchDeps) {}

  takeNotices(): Notice[] {
    const taken = this.notices;
    this.notices = [];
    return taken;
  }

  nextDeadline(): number | null {
    const credential = this.deps.vault.knownCredential();
    const ends = credential?.endsAt() ?? null;
    if (!credential || ends === null || !this.deps.hasLiveLeases()) return null;
    const endMs = Date.parse(ends);
    const due: number[] = [];
    if (this.endedFor !== ends) due.push(endMs);
    if (this.isHardEnd(ends)) {
      if (this.warnedFor !== ends) due.push(endMs - SESSION_WARN_MS);
    } else {
      const renewAt = credential.renewDueAt();
      if (renewAt !== null) due.push(Math.max(renewAt, this.retryAt));
    }
    return due.length ? Math.min(...due) : null;
  }

  async run(now: number): Promise<void> {
    const credential = this.deps.vault.knownCredential();
    const ends = credential?.endsAt() ?? null;
    if (!credential || ends === null) return;
    if (now >= Date.parse(ends)) {
      if (this.endedFor === ends) return;
      this.endedFor = ends;
      this.tell(`Your Vault session ended at ${ends}, and every key issued in it ended with it. Sign in again: keyfob connect --vault …`, 'critical');
      await this.deps.closeLeases();
      return;
    }
    if (!this.isHardEnd(ends)) {
      const renewed = await this.deps.vault.renewIfDue(credential);
      if (renewed === null && (credential.renewDueAt() ?? Infinity) <= now) this.retryAt = now + SESSION_RENEW_RETRY_MS;
      if (renewed?.capped) this.hardEnd = credential.endsAt();
    }
    const end = credential.endsAt();
    if (end !== null && this.isHardEnd(end) && this.warnedFor !== end && now >= Date.parse(end) - SESSION_WARN_MS) {
      this.warnedFor = end;
      const minutes = Math.max(1, Math.round((Date.parse(end) - now) / 60_000));
      this.tell(`Your Vault session ends at ${end} (in ${minutes} min) and cannot be extended: your keys end with it. Sign in again before then to keep working.`, 'normal');
    }
  }

  private isHardEnd(ends: string): boolean {
    const credential = this.deps.vault.knownCredential();
    return this.hardEnd === ends || (credential !== null && !credential.renewable);
  }

  private tell(text: string, urgency: 'normal' | 'critical'): void {
    this.notices.push({ kind: 'vault-session', text });
    this.deps.notifier.notify({ title: 'Vault session', body: text, urgency });
  }
}
