// One live lease on the Keys screen. The row is built once and then only patched: its <li> (id, data-lease-id)
// and its buttons survive every snapshot, so focus stays put; the per-second tick touches only the countdown's
// text node, and the row's class and bar only when they actually change.
import type { LeaseView } from '../../../preload/api.js';
import { h, replaceChildren, text } from '../dom.js';
import { formatInstant, formatRemaining, formatUsd, MINUTE } from '../time.js';

export type Urgency = 0 | 1 | 2 | 3; // fine, under 5 minutes, under 1 minute, expired
export type LeaseAction = 'copy' | 'reveal' | 'renew' | 'revoke';

const URGENCY_CLASS = ['lvl-ok', 'lvl-warn', 'lvl-crit', 'lvl-expired'] as const;
const BAR_STEPS = 1000;

export interface SpendInfo {
  spend: number;
  max_budget: number | null;
  error: string | null;
}

export class LeaseRow {
  readonly el: HTMLLIElement;
  readonly buttons: Record<LeaseAction, HTMLButtonElement>;
  lease: LeaseView;
  urgency: Urgency = 0;
  busy = false;
  revealedUntil: number | null = null;

  private signature = '';
  private expiresMs: number | null = null;
  private issuedMs = 0;
  private horizonMs = 0;
  private readonly countdown: Text;
  private lastCountdown = '';
  private lastElapsed = -1;
  private readonly barElapsed: HTMLElement;
  private readonly barLease: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly alias: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly badges: HTMLElement;
  private readonly when: HTMLElement;
  private readonly spend: HTMLElement;
  private readonly stateNote: HTMLElement;
  readonly message: HTMLElement;
  private readonly secret: HTMLElement;

  constructor(lease: LeaseView, nowMs: number, onAction: (row: LeaseRow, action: LeaseAction) => void) {
    this.lease = lease;
    const id = lease.lease_id;
    const aliasId = `lease-${id}-alias`;
    this.countdown = text('');
    this.alias = h('h3', { class: 'lease-alias', id: aliasId });
    this.meta = h('p', { class: 'lease-meta' });
    this.badges = h('p', { class: 'badges' });
    this.barLease = h('div', { class: 'bar-lease' });
    this.barElapsed = h('div', { class: 'bar-elapsed' });
    this.bar = h('div', { class: 'bar', 'aria-hidden': 'true' }, this.barLease, this.barElapsed);
    this.when = h('p', { class: 'lease-when' });
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
      h('div', { class: 'lease-id' }, this.alias, this.meta, this.badges),
      h(
        'div',
        { class: 'lease-time' },
        h('p', { class: 'countdown-line' }, h('span', { class: 'countdown' }, this.countdown), h('span', { class: 'countdown-label' }, ' left')),
        this.bar,
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
    const maxMs = lease.max_expires_at ? Date.parse(lease.max_expires_at) : null;
    this.horizonMs = Math.max((maxMs ?? this.expiresMs ?? this.issuedMs) - this.issuedMs, 1);

    this.el.dataset.state = lease.state;
    this.alias.textContent = lease.key_alias;
    replaceChildren(
      this.meta,
      h('span', { class: 'role-tag' }, lease.role),
      ' ',
      h('span', { class: 'models' }, lease.models.length ? lease.models.join(', ') : 'all models'),
      lease.key_hint ? h('span', { class: 'hint-key' }, ` · ${lease.key_hint}`) : null,
    );
    replaceChildren(this.badges, ...badgesFor(lease, this.expiresMs, maxMs).map(([cls, label]) => h('span', { class: `badge ${cls}` }, label)));
    replaceChildren(
      this.when,
      h('span', null, this.expiresMs === null ? 'No expiry' : `Expires ${formatInstant(this.expiresMs, nowMs)}`),
      maxMs && this.expiresMs !== null && maxMs > this.expiresMs + 500 && lease.renewable && lease.state === 'active' ? h('span', null, `Renewable until ${formatInstant(maxMs, nowMs)}`) : null,
    );
    this.barLease.style.transform = `scaleX(${this.expiresMs === null ? 1 : clamp((this.expiresMs - this.issuedMs) / this.horizonMs)})`;
    this.lastElapsed = -1;

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
    this.tick(nowMs);
  }

  /** The per-second work. Returns the urgency so the screen can announce crossings. */
  tick(nowMs: number): Urgency {
    if (this.expiresMs === null) {
      if (this.lastCountdown !== '∞') this.countdown.data = this.lastCountdown = '∞';
      return this.setUrgency(0);
    }
    const left = this.expiresMs - nowMs;
    const label = formatRemaining(left);
    if (label !== this.lastCountdown) this.countdown.data = this.lastCountdown = label;
    const elapsed = Math.round(clamp((nowMs - this.issuedMs) / this.horizonMs) * BAR_STEPS);
    if (elapsed !== this.lastElapsed) {
      this.lastElapsed = elapsed;
      this.barElapsed.style.transform = `scaleX(${elapsed / BAR_STEPS})`;
    }
    if (this.revealedUntil !== null && nowMs >= this.revealedUntil) this.hideSecret();
    return this.setUrgency(left <= 0 ? 3 : left <= MINUTE ? 2 : left <= 5 * MINUTE ? 1 : 0);
  }

  showSpend(info: SpendInfo): void {
    if (info.error) {
      replaceChildren(this.spend, h('span', { class: 'muted' }, `Spend unavailable: ${info.error}`));
      return;
    }
    const budget = info.max_budget && info.max_budget > 0 ? info.max_budget : null;
    replaceChildren(
      this.spend,
      budget === null ? `${formatUsd(info.spend)} spent · no budget` : `${formatUsd(info.spend)} of ${formatUsd(budget)}`,
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

  hideSecret(): void {
    if (this.revealedUntil === null) return;
    this.revealedUntil = null;
    replaceChildren(this.secret);
    this.secret.hidden = true;
    this.buttons.reveal.textContent = 'Reveal';
    this.buttons.reveal.setAttribute('aria-expanded', 'false');
  }

  get revealed(): boolean {
    return this.revealedUntil !== null;
  }

  say(message: string, kind: 'ok' | 'error', errorKind?: string): void {
    this.message.hidden = false;
    this.message.className = `lease-msg ${kind}`;
    if (kind === 'error') {
      this.message.setAttribute('role', 'alert');
      this.message.dataset.errorKind = errorKind ?? 'internal';
    } else {
      this.message.removeAttribute('role');
      delete this.message.dataset.errorKind;
    }
    this.message.textContent = message;
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
      return [['b-revoking', 'revoking']];
    case 'irrevocable':
      return [['b-irrevocable', 'irrevocable']];
    default:
      break;
  }
  if (lease.idle_will_expire) return [['b-idle', 'idle — will expire']];
  if (!lease.renewable || expiresMs === null) return [['b-fixed', 'not renewable']];
  if (maxMs !== null && expiresMs >= maxMs - 500) return [['b-max', 'at max TTL']];
  return [['b-renewing', 'renewing']];
}

function stateNote(lease: LeaseView): string | null {
  const why = lease.last_error ? ` ${lease.last_error.message}` : '';
  if (lease.state === 'revoking') return `Revocation failed ${lease.revoke_attempts} time${lease.revoke_attempts === 1 ? '' : 's'}; Keyfob keeps retrying.${why}`;
  if (lease.state === 'irrevocable')
    return `Keyfob could not revoke this key.${why} Delete ${lease.key_hint ?? 'it'} (alias ${lease.key_alias}) in the LiteLLM admin UI; the proxy still expires it at its TTL.`;
  return null;
}

function clamp(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
