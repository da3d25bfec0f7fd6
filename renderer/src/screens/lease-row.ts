// One lease on the Keys screen. The row is built once and then only patched: its <li> (id, data-lease-id) and its
// buttons survive every snapshot, so focus stays put; the per-second tick touches only the countdown's text node,
// the bar, and the row's class when it actually changes.
import type { LeaseView } from '../../../preload/api.js';
import { h, replaceChildren, text } from '../dom.js';
import { needsAttention, willAutoRenew } from '../lease-rules.js';
import { formatInstant, formatRemaining, formatUsd, MINUTE } from '../time.js';

export type Urgency = 0 | 1 | 2 | 3; // fine, under 5 minutes, under 1 minute, expired
export type LeaseAction = 'copy' | 'reveal' | 'renew' | 'revoke';

const URGENCY_CLASS = ['lvl-ok', 'lvl-warn', 'lvl-crit', 'lvl-expired'] as const;
const BAR_STEPS = 1000;

/** How long a row's message stays: long enough to read, never stale ("Copied …" 50 minutes later). */
export const MESSAGE_MS = { ok: 10_000, error: 60_000 } as const;

export interface SpendInfo {
  spend: number;
  max_budget: number | null;
  /** Why the spend could not be read (the kind in a few words); the header's indicator says the rest. */
  error: string | null;
}

export class LeaseRow {
  readonly el: HTMLLIElement;
  readonly buttons: Record<LeaseAction, HTMLButtonElement>;
  lease: LeaseView;
  urgency: Urgency = 0;
  busy = false;
  revealedUntil: number | null = null;
  /** When the row's message goes away (main's clock); null when none is shown. */
  messageUntil: number | null = null;

  private signature = '';
  private expiresMs: number | null = null;
  private periodMs = 1;
  private maxMs: number | null = null;
  private issuedMs = 0;
  private warns = false;
  private readonly countdown: Text;
  private lastCountdown = '';
  private lastFill = -1;
  private lastMaxFill = -1;
  private readonly barFill: HTMLElement;
  private readonly maxFill: HTMLElement;
  private readonly maxBar: HTMLElement;
  private readonly alias: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly badges: HTMLElement;
  private readonly when: HTMLElement;
  private readonly helper: HTMLElement;
  private readonly spend: HTMLElement;
  private readonly stateNote: HTMLElement;
  readonly message: HTMLElement;
  private readonly secret: HTMLElement;

  constructor(lease: LeaseView, nowMs: number, onAction: (row: LeaseRow, action: LeaseAction) => void) {
    this.lease = lease;
    const id = lease.lease_id;
    const aliasId = `lease-${id}-alias`;
    this.countdown = text('');
    this.alias = h('h2', { class: 'lease-alias', id: aliasId });
    this.meta = h('p', { class: 'lease-meta' });
    this.badges = h('p', { class: 'badges' });
    // The bar is the time left of the current TTL; the thin line under it, quieter, the time left of the max TTL.
    this.barFill = h('div', { class: 'bar-fill' });
    this.maxFill = h('div', { class: 'bar-fill' });
    this.maxBar = h('div', { class: 'bar bar-max' }, this.maxFill);
    const bars = h('div', { class: 'bars', 'aria-hidden': 'true' }, h('div', { class: 'bar bar-ttl' }, this.barFill), this.maxBar);
    this.when = h('p', { class: 'lease-when' });
    this.helper = h('p', { class: 'lease-helper' });
    this.helper.hidden = true;
    this.spend = h('p', { class: 'lease-spend' }, 'Spend: loading…');
    this.stateNote = h('p', { class: 'lease-note' });
    this.stateNote.hidden = true;
    this.message = h('p', { class: 'lease-msg' });
    this.message.hidden = true;
    this.secret = h('div', { class: 'secret', id: `lease-${id}-secret` });
    this.secret.hidden = true;
    const button = (action: LeaseAction, label: string, cls = 'secondary'): HTMLButtonElement => {
      const b = h('button', { type: 'button', class: cls, 'data-action': action, 'aria-describedby': aliasId }, label);
      b.addEventListener('click', () => onAction(this, action));
      return b;
    };
    this.buttons = {
      copy: button('copy', 'Copy', 'primary'),
      reveal: button('reveal', 'Reveal'),
      renew: button('renew', 'Renew'),
      revoke: button('revoke', 'Revoke', 'danger-quiet'),
    };
    this.buttons.reveal.setAttribute('aria-expanded', 'false');
    this.buttons.reveal.setAttribute('aria-controls', this.secret.id);
    this.el = h(
      'li',
      { class: 'lease lvl-ok', id: `lease-${id}`, 'data-lease-id': id, 'aria-labelledby': aliasId },
      h('div', { class: 'lease-id' }, this.alias, this.meta, this.badges, this.helper),
      h(
        'div',
        { class: 'lease-time' },
        h('p', { class: 'countdown-line' }, h('span', { class: 'countdown' }, this.countdown), h('span', { class: 'countdown-label' }, ' left')),
        bars,
        this.when,
      ),
      this.spend,
      h('div', { class: 'lease-actions' }, this.buttons.copy, this.buttons.reveal, this.buttons.renew, this.buttons.revoke),
      this.stateNote,
      this.secret,
      this.message,
    );
    this.update(lease, nowMs);
  }

  /** Applies a newer view of the lease; a no-op when nothing shown has changed. */
  update(lease: LeaseView, nowMs: number): void {
    const signature = JSON.stringify(lease);
    if (signature === this.signature) return;
    this.signature = signature;
    this.lease = lease;
    this.expiresMs = lease.expires_at ? Date.parse(lease.expires_at) : null;
    this.issuedMs = Date.parse(lease.issued_at);
    this.maxMs = lease.max_expires_at ? Date.parse(lease.max_expires_at) : null;
    // The current TTL: what an issue or a renewal grants (a capped renewal grants less, and the bar starts short).
    this.periodMs = Math.max(lease.ttl_seconds * 1000, 1);
    this.warns = lease.state === 'active' && !willAutoRenew(lease);

    this.el.dataset.state = lease.state;
    this.el.dataset.willRenew = String(!this.warns);
    this.alias.textContent = lease.key_alias;
    replaceChildren(
      this.meta,
      h('span', { class: 'role-tag' }, lease.role),
      lease.key_hint ? h('span', { class: 'hint-key' }, lease.key_hint) : null,
      h('span', { class: 'models' }, lease.models.length ? lease.models.join(', ') : 'all models'),
    );
    replaceChildren(this.badges, ...badgesFor(lease, this.expiresMs, this.maxMs).map(([cls, label]) => h('span', { class: `badge ${cls}` }, label)));
    const renewableUntil = this.maxMs && this.expiresMs !== null && this.maxMs > this.expiresMs + 500 && lease.renewable && lease.state === 'active';
    replaceChildren(
      this.when,
      h('span', { class: 'nowrap' }, this.expiresMs === null ? 'No expiry' : `Expires ${formatInstant(this.expiresMs, nowMs)}`),
      renewableUntil ? h('span', { class: 'nowrap' }, `Renewable until ${formatInstant(this.maxMs!, nowMs)}`) : null,
    );
    this.maxBar.hidden = !renewableUntil;
    this.lastFill = this.lastMaxFill = -1;

    const helperAt = lease.helper_last_used_at ? Date.parse(lease.helper_last_used_at) : null;
    this.helper.hidden = helperAt === null && !lease.helper_tool;
    replaceChildren(
      this.helper,
      this.helper.hidden ? null : h('span', { class: 'badge b-helper' }, lease.helper_tool ? `kept alive by ${lease.helper_tool}` : 'kept alive by a tool'),
      helperAt !== null ? h('span', { class: 'nowrap' }, ` last asked ${formatInstant(helperAt, nowMs)}`) : null,
    );

    // A key being revoked (or past saving) offers one thing: trying the revocation again.
    const live = lease.state === 'active';
    this.buttons.copy.hidden = this.buttons.reveal.hidden = this.buttons.renew.hidden = !live && lease.state !== 'pending';
    this.buttons.copy.disabled = !live;
    this.buttons.reveal.disabled = !live;
    this.buttons.renew.disabled = !live || !lease.renewable;
    this.buttons.revoke.disabled = lease.state === 'pending';
    this.spend.hidden = !live;
    this.buttons.revoke.textContent = lease.state === 'revoking' || lease.state === 'irrevocable' ? 'Retry revoke' : 'Revoke';
    if (!live) this.hideSecret();

    const note = stateNote(lease);
    this.stateNote.textContent = note ?? '';
    this.stateNote.hidden = note === null;
    // The state note now carries the failure: a row shows an error once, not twice in two colours.
    if (note !== null && this.message.classList.contains('error')) this.clearMessage();
    this.tick(nowMs);
  }

  /** The per-second work. Returns the urgency so the screen can announce crossings. */
  tick(nowMs: number): Urgency {
    if (this.messageUntil !== null && nowMs >= this.messageUntil) this.clearMessage();
    if (this.expiresMs === null) {
      if (this.lastCountdown !== '∞') this.countdown.data = this.lastCountdown = '∞';
      return this.setUrgency(0);
    }
    const left = this.expiresMs - nowMs;
    const label = formatRemaining(left);
    if (label !== this.lastCountdown) this.countdown.data = this.lastCountdown = label;
    const fill = Math.round(clamp(left / this.periodMs) * BAR_STEPS);
    if (fill !== this.lastFill) {
      this.lastFill = fill;
      this.barFill.style.transform = `scaleX(${fill / BAR_STEPS})`;
    }
    if (this.maxMs !== null && !this.maxBar.hidden) {
      const maxFill = Math.round(clamp((this.maxMs - nowMs) / Math.max(this.maxMs - this.issuedMs, 1)) * BAR_STEPS);
      if (maxFill !== this.lastMaxFill) {
        this.lastMaxFill = maxFill;
        this.maxFill.style.transform = `scaleX(${maxFill / BAR_STEPS})`;
      }
    }
    // Amber and red only for a key that will not be renewed: a renewing key crosses 5 minutes harmlessly.
    return this.setUrgency(left <= 0 ? 3 : !this.warns ? 0 : left <= MINUTE ? 2 : left <= 5 * MINUTE ? 1 : 0);
  }

  showSpend(info: SpendInfo): void {
    if (info.error) {
      replaceChildren(this.spend, h('span', { class: 'muted nowrap' }, 'Spend unavailable'), h('span', { class: 'muted nowrap' }, info.error));
      return;
    }
    const budget = info.max_budget && info.max_budget > 0 ? info.max_budget : null;
    replaceChildren(
      this.spend,
      budget === null
        ? h('span', { class: 'spend-line' }, h('span', { class: 'nowrap' }, `${formatUsd(info.spend)} spent`), ' · ', h('span', { class: 'nowrap' }, 'no budget'))
        : h('span', { class: 'spend-line' }, h('span', { class: 'nowrap' }, `${formatUsd(info.spend)} of ${formatUsd(budget)}`)),
      budget === null ? null : h('meter', { min: 0, max: budget, low: budget * 0.75, high: budget * 0.9, optimum: 0, value: Math.min(info.spend, budget), 'aria-label': 'Spend against budget' }),
    );
  }

  showSecret(key: string, untilMs: number): void {
    this.revealedUntil = untilMs;
    replaceChildren(this.secret, h('label', { for: `${this.secret.id}-value` }, 'Key'), h('input', { id: `${this.secret.id}-value`, class: 'secret-value', readonly: true, value: key, spellcheck: 'false', autocomplete: 'off' }));
    this.secret.hidden = false;
    this.buttons.reveal.textContent = 'Hide';
    this.buttons.reveal.setAttribute('aria-expanded', 'true');
  }

  /** Hides a shown key. Focus that was on the key moves to the Reveal button, never to the page's body. */
  hideSecret(): void {
    if (this.revealedUntil === null) return;
    const hadFocus = this.secret.contains(document.activeElement);
    this.revealedUntil = null;
    replaceChildren(this.secret);
    this.secret.hidden = true;
    this.buttons.reveal.textContent = 'Reveal';
    this.buttons.reveal.setAttribute('aria-expanded', 'false');
    if (this.message.dataset.about === 'reveal') this.clearMessage();
    if (hadFocus && !this.buttons.reveal.hidden) this.buttons.reveal.focus();
  }

  get revealed(): boolean {
    return this.revealedUntil !== null;
  }

  /**
   * Shows a message under the row until `untilMs` (main's clock). An error is an alert (heard once, as it appears);
   * other messages are not live: the screen's one announcer speaks for them. `about` ties it to what it describes.
   */
  say(message: string, kind: 'ok' | 'error', opts: { untilMs: number; errorKind?: string; about?: string }): void {
    this.message.hidden = false;
    this.message.className = `lease-msg ${kind}`;
    if (kind === 'error') {
      this.message.setAttribute('role', 'alert');
      this.message.dataset.errorKind = opts.errorKind ?? 'internal';
    } else {
      this.message.removeAttribute('role');
      delete this.message.dataset.errorKind;
    }
    if (opts.about) this.message.dataset.about = opts.about;
    else delete this.message.dataset.about;
    this.message.textContent = message;
    this.messageUntil = opts.untilMs;
  }

  clearMessage(): void {
    this.message.hidden = true;
    this.message.textContent = '';
    this.message.className = 'lease-msg';
    this.message.removeAttribute('role');
    delete this.message.dataset.errorKind;
    delete this.message.dataset.about;
    this.messageUntil = null;
  }

  private setUrgency(urgency: Urgency): Urgency {
    if (urgency !== this.urgency) {
      this.el.classList.replace(URGENCY_CLASS[this.urgency], URGENCY_CLASS[urgency]);
      this.urgency = urgency;
    }
    return urgency;
  }
}

function badgesFor(lease: LeaseView, expiresMs: number | null, maxMs: number | null): Array<[string, string]> {
  switch (lease.state) {
    case 'pending':
      return [['b-pending', 'issuing']];
    case 'revoking':
      return needsAttention(lease) ? [['b-irrevocable', lease.ended_reason === 'expired' ? 'expired — not deleted' : 'revoke failing']] : [['b-revoking', 'revoking']];
    case 'irrevocable':
      return [['b-irrevocable', lease.ended_reason === 'expired' ? 'expired — not deleted' : 'not revoked']];
    default:
      break;
  }
  if (lease.idle_will_expire) return [['b-idle', 'idle — will expire']];
  if (!lease.renewable || expiresMs === null) return [['b-fixed', 'not renewable']];
  if (maxMs !== null && expiresMs >= maxMs - 500) return [['b-max', 'at max TTL']];
  if (!willAutoRenew(lease)) return [['b-max', 'renewal failing']];
  return [['b-renewing', 'renewing']];
}

function stateNote(lease: LeaseView): string | null {
  const why = lease.last_error ? ` ${lease.last_error.message}` : '';
  if (lease.state === 'revoking' && needsAttention(lease)) {
    const tries = lease.revoke_attempts;
    return `Revoke failing (${tries} attempt${tries === 1 ? '' : 's'}); Keyfob keeps retrying.${why}`;
  }
  if (lease.state === 'irrevocable')
    return `Keyfob could not revoke this key.${why} Delete ${lease.key_hint ?? 'it'} (alias ${lease.key_alias}) in the LiteLLM admin UI; the proxy still expires it at its TTL.`;
  return null;
}

function clamp(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
