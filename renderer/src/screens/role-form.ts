// Create or edit a role: every field of Role, durations as people write them ("15m", "8h"). Main validates;
// its messages land under the field they are about.
import type { Role, RoleInput } from '../../../preload/api.js';
import { h } from '../dom.js';
import { call, errorText } from '../errors.js';
import { field, FormErrors, focusElement } from '../forms.js';
import type { Field } from '../forms.js';
import type { ShellContext } from '../screen.js';
import { formatDuration } from '../time.js';
import { createModelPicker } from './model-picker.js';

export interface RoleForm {
  el: HTMLElement;
  focusFirst(): void;
}

export function createRoleForm(
  ctx: ShellContext,
  role: Role | null,
  done: (saved: Role | null) => void,
  defaults: { ttl: number; maxTtl: number },
): RoleForm {
  const input = (props: Record<string, string> = {}): HTMLInputElement => h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off', ...props });
  const nameInput = input({ placeholder: 'dev' });
  const name = field({ name: 'name', label: 'Name', control: nameInput, hint: 'Lower case letters, digits, dots, dashes and underscores, e.g. dev or ci.nightly.' });
  if (role) {
    nameInput.readOnly = true;
    nameInput.setAttribute('aria-readonly', 'true');
  }
  const models = createModelPicker();
  const ttl = field({ name: 'ttl', label: 'Lease TTL', control: input({ placeholder: formatDuration(defaults.ttl) }), hint: `How long a key lives before it needs renewing, e.g. 15m or 8h. Empty: the default (${formatDuration(defaults.ttl)}).` });
  const maxTtl = field({ name: 'max_ttl', label: 'Max TTL', control: input({ placeholder: formatDuration(defaults.maxTtl) }), hint: `Renewals never go past this, counted from issue. Empty: the maximum (${formatDuration(defaults.maxTtl)}).` });
  const budget = field({ name: 'max_budget', label: 'Max budget (USD)', control: input({ inputmode: 'decimal', placeholder: '0' }), hint: 'Empty or 0: no budget.' });
  const budgetDuration = field({ name: 'budget_duration', label: 'Budget resets every', control: input({ placeholder: '30d' }), hint: 'e.g. 1d or 30d. Empty: never resets.' });
  const tpm = field({ name: 'tpm_limit', label: 'Tokens per minute', control: input({ inputmode: 'numeric' }), hint: 'Empty: no limit.' });
  const rpm = field({ name: 'rpm_limit', label: 'Requests per minute', control: input({ inputmode: 'numeric' }), hint: 'Empty: no limit.' });
  const parallel = field({ name: 'max_parallel_requests', label: 'Parallel requests', control: input({ inputmode: 'numeric' }), hint: 'Empty: no limit.' });
  const team = field({ name: 'team_id', label: 'Team ID', control: input(), hint: 'Optional LiteLLM team.' });
  const user = field({ name: 'user_id', label: 'User ID', control: input(), hint: 'Optional LiteLLM user.' });
  const prefix = field({ name: 'key_alias_prefix', label: 'Key alias prefix', control: input({ placeholder: 'keyfob' }), hint: 'Key aliases read <prefix>-<role>-<8 characters>.' });
  const metadata = field({
    name: 'metadata',
    label: 'Metadata',
    control: h('textarea', { rows: 3, spellcheck: 'false', placeholder: 'owner=alice\nproject=search' }),
    hint: 'One key=value per line, attached to every key of this role.',
  });
  const all: Field[] = [name, models, ttl, maxTtl, budget, budgetDuration, tpm, rpm, parallel, team, user, prefix, metadata];
  const errors = new FormErrors(all);

  if (role) {
    name.control.value = role.name;
    models.set(role.models);
    ttl.control.value = role.ttl ? formatDuration(role.ttl) : '';
    maxTtl.control.value = role.max_ttl ? formatDuration(role.max_ttl) : '';
    budget.control.value = role.max_budget ? String(role.max_budget) : '';
    budgetDuration.control.value = role.budget_duration ?? '';
    tpm.control.value = role.tpm_limit?.toString() ?? '';
    rpm.control.value = role.rpm_limit?.toString() ?? '';
    parallel.control.value = role.max_parallel_requests?.toString() ?? '';
    team.control.value = role.team_id ?? '';
    user.control.value = role.user_id ?? '';
    prefix.control.value = role.key_alias_prefix;
    metadata.control.value = Object.entries(role.metadata).map(([k, v]) => `${k}=${v}`).join('\n');
  }

  const headingId = role ? `role-form-title-${role.name}` : 'role-form-title-new';
  const cancel = h('button', { type: 'button', class: 'secondary', 'data-action': 'cancel' }, 'Cancel');
  const save = h('button', { type: 'submit', class: 'primary', 'data-action': 'save' }, role ? 'Save role' : 'Create role');
  const group = (legend: string, ...fields: Field[]): HTMLFieldSetElement => h('fieldset', null, h('legend', null, legend), h('div', { class: 'grid' }, ...fields.map((f) => f.wrapper)));
  const form = h(
    'form',
    { class: 'role-form card', novalidate: true, 'aria-labelledby': headingId },
    h('h2', { id: headingId }, role ? `Edit role ${role.name}` : 'New role'),
    h('div', { class: 'grid' }, name.wrapper),
    models.wrapper,
    group('Lifetime', ttl, maxTtl),
    group('Budget and limits', budget, budgetDuration, tpm, rpm, parallel),
    group('Ownership and naming', team, user, prefix),
    metadata.wrapper,
    errors.formError,
    h('div', { class: 'actions' }, cancel, save),
  );

  cancel.addEventListener('click', () => done(null));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      done(null);
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });

  void (async () => {
    models.setAvailable(null);
    const r = await call(() => ctx.api.listModels());
    if (r.ok) models.setAvailable(r.value);
    else models.setAvailable([], errorText(r.error));
  })();

  function parseMetadata(): Record<string, string> | string {
    const out: Record<string, string> = {};
    const lines = metadata.control.value.split('\n');
    for (const [i, raw] of lines.entries()) {
      const line = raw.trim();
      if (!line) continue;
      const eq = line.indexOf('=');
      if (eq <= 0) return `Line ${i + 1}: write key=value.`;
      out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
    return out;
  }

  async function submit(): Promise<void> {
    errors.clear();
    const meta = parseMetadata();
    if (typeof meta === 'string') {
      focusElement(errors.showLocal('metadata', meta));
      return;
    }
    const v = (f: Field): string => f.control.value.trim();
    const orNull = (f: Field): string | null => v(f) || null;
    const req: RoleInput = {
      name: v(name),
      models: models.value(),
      ttl: v(ttl) || 0,
      max_ttl: v(maxTtl) || 0,
      max_budget: v(budget) || 0,
      budget_duration: orNull(budgetDuration),
      tpm_limit: orNull(tpm),
      rpm_limit: orNull(rpm),
      max_parallel_requests: orNull(parallel),
      team_id: orNull(team),
      user_id: orNull(user),
      metadata: meta,
    };
    if (v(prefix)) req.key_alias_prefix = v(prefix);
    save.setAttribute('aria-busy', 'true');
    const r = await call(() => ctx.api.saveRole(req));
    save.removeAttribute('aria-busy');
    if (!r.ok) {
      focusElement(errors.show(r.error));
      return;
    }
    done(r.value);
  }

  return { el: form, focusFirst: () => focusElement(role ? models.control : name.control) };
}
