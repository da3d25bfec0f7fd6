// Models for a role: picked from the proxy's /v1/models (a datalist the input suggests from) or typed freely,
// shown as removable chips. No models means all models.
import { h, replaceChildren, uid } from '../dom.js';
import type { Field } from '../forms.js';

export interface ModelPicker extends Field {
  value(): string[];
  set(models: string[]): void;
  setAvailable(models: string[] | null, error?: string): void;
}

/** "The proxy offers gpt-4o, gpt-4o-mini and o3-mini." — named, with a count past the first few. */
export function describeAvailable(models: string[]): string {
  if (models.length === 0) return 'The proxy lists no models: type the names.';
  const shown = models.slice(0, 6);
  const more = models.length - shown.length;
  const names = more > 0 ? `${shown.join(', ')} and ${more} more` : shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
  return `The proxy offers ${names}.`;
}

export function createModelPicker(): ModelPicker {
  const id = uid('f-models');
  const listId = `${id}-options`;
  let models: string[] = [];
  const input = h('input', { type: 'text', id, list: listId, spellcheck: 'false', autocomplete: 'off', placeholder: 'gpt-4o-mini' });
  const datalist = h('datalist', { id: listId });
  const add = h('button', { type: 'button', class: 'secondary', 'data-action': 'add-model' }, 'Add model');
  const chips = h('ul', { class: 'chips', 'aria-label': 'Models of this role' });
  const status = h('p', { class: 'hint', id: `${id}-status` });
  const error = h('p', { class: 'field-error', id: `${id}-error` });
  error.hidden = true;
  input.setAttribute('aria-describedby', `${id}-hint ${status.id} ${error.id}`);

  const commit = (): void => {
    for (const name of input.value.split(/[,\s]+/).map((m) => m.trim()).filter(Boolean)) if (!models.includes(name)) models.push(name);
    input.value = '';
    render();
  };
  add.addEventListener('click', () => {
    commit();
    input.focus();
  });
  input.addEventListener('keydown', (event) => {
    // Enter adds what was typed; on an empty field it submits the form as usual.
    if (event.key === 'Enter' && input.value.trim()) {
      event.preventDefault();
      commit();
    }
  });

  function render(): void {
    replaceChildren(
      chips,
      models.length
        ? models.map((m, i) =>
            h(
              'li',
              { class: 'chip' },
              h('span', null, m),
              h('button', {
                type: 'button',
                class: 'chip-remove',
                'aria-label': `Remove ${m}`,
                onclick: () => {
                  models = models.filter((x) => x !== m);
                  render();
                  const next = chips.querySelectorAll<HTMLButtonElement>('.chip-remove')[Math.min(i, models.length - 1)];
                  (next ?? input).focus();
                },
              }, '×'),
            ),
          )
        : h('li', { class: 'chip-none muted' }, 'All models'),
    );
  }
  render();

  const wrapper = h(
    'div',
    { class: 'field models-field', 'data-field': 'models' },
    h('label', { for: id }, 'Models'),
    chips,
    h('div', { class: 'inline' }, input, add),
    datalist,
    h('p', { class: 'hint', id: `${id}-hint` }, 'None means all models. Pick from the proxy’s models or type any name.'),
    status,
    error,
  );

  return {
    name: 'models',
    label: 'Models',
    wrapper,
    control: input,
    error,
    value: () => {
      commit();
      return [...models];
    },
    set: (next) => {
      models = [...next];
      render();
    },
    setAvailable: (available, problem) => {
      replaceChildren(datalist, ...(available ?? []).map((m) => h('option', { value: m })));
      status.textContent = problem
        ? `Could not load the proxy’s models: ${problem} You can still type model names.`
        : available
          ? describeAvailable(available)
          : 'Loading the proxy’s models…';
      status.classList.toggle('warn-text', Boolean(problem));
    },
  };
}
