// A role's "Use with…" panel: the one command per tool that points it at Keyfob (the same commands the CLI's
// README gives), each with a Copy button, and — when main offers it (snapshot.features.tool_setup) — a button that
// runs the same setup code as `keyfob setup`. Snippets are not secret: copying them happens here, with the page's
// own copy command, not through main's secret clipboard.
import type { AppSnapshot, ToolName } from '../../../preload/api.js';
import { announce } from '../announcer.js';
import { h, uid } from '../dom.js';
import { call, errorSlot, showError } from '../errors.js';
import { showFor } from '../expiring.js';
import type { ShellContext } from '../screen.js';

interface Snippet {
  id: string;
  tool: string;
  what: string;
  commands: Array<{ label: string; text: string }>;
  setup?: ToolName;
}

/**
 * The set-up tools' panel entries, one per tool of the core's registry (ToolName is its id type): a tool added there
 * without one here does not compile. The renderer cannot import main, so the texts are repeated here:
 * test/core/tools/tool-registry.test.ts fails when they differ from the entries' snippet().
 */
const TOOL_PANEL: Record<ToolName, (role: string) => Omit<Snippet, 'id' | 'setup'>> = {
  'claude-code': (role) => ({
    tool: 'Claude Code',
    what: 'Sets Claude Code’s key helper and a model the role allows: it asks Keyfob for a key of this role when it needs one, so nothing is pasted.',
    commands: [{ label: 'Set up', text: `keyfob setup claude-code ${role}` }],
  }),
  codex: (role) => ({
    tool: 'Codex',
    what: 'Adds a Keyfob provider and profile (with a model the role allows) to Codex’s config; then start Codex with the profile.',
    commands: [
      { label: 'Set up', text: `keyfob setup codex ${role}` },
      { label: 'Run', text: `codex --profile keyfob-${role}` },
    ],
  }),
};

export function snippetsFor(role: string, s: Pick<AppSnapshot, 'platform' | 'connection' | 'tool_base_urls'>): Snippet[] {
  const shell =
    s.platform === 'win32'
      ? { label: 'PowerShell', text: `keyfob env ${role} --for-shell --format powershell | Out-String | Invoke-Expression` }
      : { label: 'bash, zsh', text: `eval "$(keyfob env ${role} --for-shell)"` };
  const other: Snippet['commands'] = [{ label: 'Key command', text: `keyfob token ${role}` }];
  if (s.tool_base_urls) other.push({ label: 'Base URL (OpenAI-style)', text: s.tool_base_urls.openai }, { label: 'Base URL (Anthropic-style)', text: s.tool_base_urls.anthropic });
  const tools = (Object.keys(TOOL_PANEL) as ToolName[]).map((id) => ({ id, setup: id, ...TOOL_PANEL[id](role) }));
  return [
    ...tools,
    {
      id: 'shell',
      tool: 'Shell',
      what: 'Exports OPENAI_API_KEY, OPENAI_BASE_URL and LiteLLM’s variables in this shell — not Anthropic’s, which Claude Code would prefer to its key helper.',
      commands: [shell, ...(s.platform === 'win32' ? [] : [{ label: 'fish', text: `keyfob env ${role} --for-shell --format fish | source` }])],
    },
    {
      id: 'other',
      tool: 'Any other tool',
      what: 'Prints a live key of this role on one line, reusing or renewing it: give it to any tool that runs a command for its key.',
      commands: other,
    },
  ];
}

/** Copies the text of `source` with the page's copy command (a person's click); false when the page may not. */
function copyTextOf(source: HTMLElement): boolean {
  const selection = document.getSelection();
  if (!selection) return false;
  const range = document.createRange();
  range.selectNodeContents(source);
  selection.removeAllRanges();
  selection.addRange(range);
  let copied: boolean;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  selection.removeAllRanges();
  return copied;
}

export function createUseWithPanel(ctx: ShellContext, role: string, s: AppSnapshot): HTMLDetailsElement {
  const setupOffered = s.features?.tool_setup === true;
  const sections = snippetsFor(role, s).map((snippet) => {
    const headingId = uid(`use-${snippet.id}`);
    const message = h('p', { class: 'snippet-msg' });
    const error = errorSlot('snippet-error');
    const rows = snippet.commands.map((command) => {
      const code = h('code', { class: 'snippet', id: uid('snippet') }, command.text);
      const copy = h('button', { type: 'button', class: 'secondary', 'data-action': `copy-${snippet.id}-${command.label.toLowerCase().replace(/\W+/g, '-')}`, 'aria-label': `Copy: ${command.text}` }, 'Copy');
      copy.addEventListener('click', () => {
        if (copyTextOf(code)) {
          showFor(message, `Copied “${command.text}”.`);
          announce(`Copied ${command.text}.`);
        } else showFor(message, 'This window may not copy: select the command and copy it by hand.');
      });
      return h('div', { class: 'snippet-row' }, h('span', { class: 'snippet-label muted' }, command.label), code, copy);
    });
    let run: HTMLButtonElement | null = null;
    if (snippet.setup && setupOffered) {
      const tool = snippet.setup;
      run = h('button', { type: 'button', class: 'primary', 'data-action': `setup-${tool}` }, `Set up ${snippet.tool}`);
      run.addEventListener('click', async () => {
        showError(error, null);
        run!.setAttribute('aria-busy', 'true');
        const r = await call(() => ctx.api.runToolSetup(role, tool));
        run!.removeAttribute('aria-busy');
        if (!r.ok) return showError(error, r.error);
        const done = r.value.changed ? `${snippet.tool} is set up: ${r.value.path} now uses Keyfob for ${role}.` : `${snippet.tool} was already set up in ${r.value.path}.`;
        const text = [done, r.value.model_note].filter(Boolean).join(' ');
        showFor(message, text, 30_000);
        announce(text);
      });
    }
    return h(
      'section',
      { class: 'use-tool', 'data-tool': snippet.id, 'aria-labelledby': headingId },
      h('h3', { id: headingId }, snippet.tool),
      h('p', { class: 'muted' }, snippet.what),
      ...rows,
      run ? h('div', { class: 'actions' }, run) : null,
      message,
      error,
    );
  });
  return h('details', { class: 'use-with' }, h('summary', null, 'Use with…'), h('div', { class: 'use-tools' }, ...sections));
}
