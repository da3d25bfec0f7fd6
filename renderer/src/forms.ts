// Labelled form fields whose validation messages sit right under the input they are about, wired with
// aria-describedby / aria-invalid so a screen reader reads them with the field.
import type { FieldError, SerializedError } from '../../preload/api.js';
import { h, uid } from './dom.js';
import { errorSlot, showError } from './errors.js';

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export interface Field {
  name: string;
  label: string;
  wrapper: HTMLElement;
  control: Control;
  error: HTMLElement;
}

export function field(opts: { name: string; label: string; control: Control; hint?: string; extra?: Node }): Field {
  const id = opts.control.id || uid(`f-${opts.name}`);
  opts.control.id = id;
  opts.control.name ||= opts.name;
  const hintId = `${id}-hint`;
  const error = h('p', { class: 'field-error', id: `${id}-error` });
  error.hidden = true;
  opts.control.setAttribute('aria-describedby', opts.hint ? `${hintId} ${error.id}` : error.id);
  const wrapper = h(
    'div',
    { class: 'field', 'data-field': opts.name },
    h('label', { for: id }, opts.label),
    opts.control,
    opts.extra ?? null,
    opts.hint ? h('p', { class: 'hint', id: hintId }, opts.hint) : null,
    error,
  );
  return { name: opts.name, label: opts.label, wrapper, control: opts.control, error };
}

export function checkbox(name: string, label: string, checked: boolean, hint?: string): { wrapper: HTMLElement; control: HTMLInputElement } {
  const control = h('input', { type: 'checkbox', id: uid(`f-${name}`), name, checked });
  const hintEl = hint ? h('span', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  const wrapper = h('div', { class: 'check', 'data-field': name }, control, h('label', { for: control.id }, label), hintEl);
  return { wrapper, control };
}

/** The errors of one form: per field, plus one slot for what belongs to no field. */
export class FormErrors {
  readonly formError: HTMLElement;
  private readonly fields = new Map<string, Field>();

  /** `slotClass`: the class of the slot for what belongs to no field (a form inside another names its own). */
  constructor(fields: Field[], private readonly kindToField: Record<string, string> = {}, slotClass = 'form-error') {
    this.formError = errorSlot(slotClass);
    for (const f of fields) this.fields.set(f.name, f);
  }

  clear(): void {
    for (const f of this.fields.values()) setFieldError(f, null);
    showError(this.formError, null);
  }

  /** Places each error next to its field; returns the first element to move focus to. */
  show(raw: SerializedError): HTMLElement {
    this.clear();
    const error = this.inWords(raw);
    const loose: FieldError[] = [];
    let first: HTMLElement | null = null;
    for (const fe of error.fields ?? []) {
      const f = this.fields.get(fe.field) ?? this.fields.get(fe.field.split(/[.[]/)[0] ?? '');
      if (f) {
        setFieldError(f, sentence(f, fe.message), error.kind);
        first ??= f.control;
      } else loose.push(fe);
    }
    const byKind = this.fields.get(this.kindToField[error.kind] ?? '');
    if (!error.fields?.length && byKind) {
      setFieldError(byKind, error.hint ? `${error.message} ${error.hint}` : error.message, error.kind);
      return byKind.control;
    }
    if (!first || loose.length) {
      const message = loose.length ? `${error.message} ${loose.map((fe) => `${this.fields.get(fe.field)?.label ?? fe.field}: ${fe.message}`).join('; ')}` : error.message;
      showError(this.formError, { ...error, message });
    }
    return first ?? this.formError;
  }

  /** Main names fields as the data does ("must not exceed max_ttl"); the person reads the form's labels. */
  private inWords(error: SerializedError): SerializedError {
    const words = (text: string): string => {
      let out = text;
      for (const f of this.fields.values()) if (f.name.includes('_')) out = out.replace(new RegExp(`\\b${f.name}\\b`, 'g'), f.label);
      return out;
    };
    return { ...error, message: words(error.message), ...(error.hint ? { hint: words(error.hint) } : {}), ...(error.fields ? { fields: error.fields.map((fe) => ({ ...fe, message: words(fe.message) })) } : {}) };
  }

  /** A check the window makes itself (a duration it cannot read) before asking main. */
  showLocal(name: string, message: string): HTMLElement {
    const f = this.fields.get(name);
    if (!f) throw new Error(`no field ${name}`);
    setFieldError(f, message, 'validation');
    return f.control;
  }
}

/** Main says "must not exceed max_ttl"; the person reads "Lease TTL must not exceed max_ttl". */
function sentence(f: Field, message: string): string {
  return /^[a-z]/.test(message) ? `${f.label} ${message}` : message;
}

function setFieldError(f: Field, message: string | null, kind?: string): void {
  f.error.textContent = message ?? '';
  f.error.hidden = message === null;
  if (message === null) {
    f.control.removeAttribute('aria-invalid');
    delete f.error.dataset.errorKind;
  } else {
    f.control.setAttribute('aria-invalid', 'true');
    f.error.dataset.errorKind = kind ?? 'validation';
  }
}

/** Moves focus to an element that is not normally focusable (an error paragraph) without adding it to Tab order. */
export function focusElement(el: HTMLElement): void {
  if (!el.matches('input, select, textarea, button, a[href], [tabindex]')) el.tabIndex = -1;
  el.focus();
}
