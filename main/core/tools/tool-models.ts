// Which model `keyfob setup claude-code|codex ROLE` writes into the tool's configuration. Each tool asks for its own
// default model unless told otherwise, and a role that does not list it gets every request refused ("key not allowed
// to access model"), so setup names a model the role allows — unless the person chose one or the role allows all.

/** How a tool tells the models it can speak and which it prefers (its registry entry holds one). */
export interface ModelTaste {
  /** The tool's name in messages. */
  label: string;
  speaks(model: string): boolean;
  /** Most preferred first; a model matching none still serves. */
  prefer: readonly RegExp[];
  /** The second, cheaper model the tool uses for small tasks (Claude Code), when it has one. */
  small?: readonly RegExp[];
}

export interface ModelChoice {
  /** The model setup writes; null leaves the tool's own default. */
  model: string | null;
  /** The small/fast model (Claude Code); null when the tool has none or nothing is written. */
  small: string | null;
  /** One line: which model, and how to change it. */
  note: string;
  warnings: string[];
}

function ranked(models: readonly string[], prefer: readonly RegExp[]): string[] {
  const rank = (m: string): number => {
    const i = prefer.findIndex((re) => re.test(m));
    return i < 0 ? prefer.length : i;
  };
  return [...models].sort((a, b) => rank(a) - rank(b));
}

/**
 * `roleModels` empty means the role allows every model. Wildcard entries (`claude-*`) name no model a tool can be
 * given, so they count only as "allows more". `requested` is `--model`.
 */
export function chooseToolModel(taste: ModelTaste, role: { name: string; models: readonly string[] }, command: string, requested?: string): ModelChoice {
  const change = `change it with \`${command} --model MODEL\``;
  if (requested) {
    const refused = role.models.length > 0 && !role.models.includes(requested) && !role.models.some((m) => m.includes('*'));
    return {
      model: requested,
      small: taste.small ? requested : null,
      note: `${taste.label} will use ${requested} (--model).`,
      warnings: refused ? [`role ${role.name} does not list ${requested} (it allows ${role.models.join(', ')}): the proxy will refuse ${taste.label}'s requests.`] : [],
    };
  }
  if (role.models.length === 0) {
    return { model: null, small: null, note: `Role ${role.name} allows every model: ${taste.label} uses its own default; pin one with \`${command} --model MODEL\`.`, warnings: [] };
  }
  const concrete = role.models.filter((m) => !m.includes('*'));
  const spoken = ranked(concrete.filter((m) => taste.speaks(m)), taste.prefer);
  const model = spoken[0];
  if (!model) {
    return {
      model: null,
      small: null,
      note: `No model written: ${taste.label} asks for its own default.`,
      warnings: [`role ${role.name} allows ${role.models.join(', ')}: none is a model ${taste.label} can speak, so the proxy will refuse its requests ("key not allowed to access model"). Add one to the role (\`keyfob role set ${role.name} --models …\`) or pass --model.`],
    };
  }
  const small = taste.small ? (ranked(spoken, taste.small).find((m) => taste.small?.some((re) => re.test(m))) ?? model) : null;
  const smallNote = small && small !== model ? ` (small tasks: ${small})` : '';
  return { model, small, note: `${taste.label} will use ${model}${smallNote}, a model role ${role.name} allows; ${change}.`, warnings: [] };
}
