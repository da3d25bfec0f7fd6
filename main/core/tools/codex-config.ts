// `keyfob setup codex ROLE`: Codex runs `[model_providers.<id>.auth] command`/`args` for its key (sent as
// `Authorization: Bearer`), again after `refresh_interval_ms` and after a 401. Setup adds one provider to config.toml,
// editing the file in place with @decimalturn/toml-patch, so comments, formatting and every other table survive; and
// the profile that selects it. Current Codex (checked: 0.171) keeps a profile in `$CODEX_HOME/<name>.config.toml`,
// layered over config.toml by `--profile <name>`, and refuses `--profile` while config.toml still holds a legacy
// `[profiles.<name>]` table — so the profile is its own file, and a legacy table of ours is taken out.
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { KeyfobError } from '../errors.js';
import type * as TomlPatch from '@decimalturn/toml-patch';
import type { FileChange } from './config-file.js';

export const CODEX_CONFIG_FILE = 'config.toml';

export interface CodexSetupValues {
  role: string;
  /** The OpenAI-style base URL (toolBaseUrls: the proxy root + `/v1`; Codex appends `/responses`). */
  baseUrl: string;
  /** The helper's argv: its first element is the command, the rest its args. */
  helper: readonly string[];
  refreshIntervalMs: number;
  /** The profile's `model` (chooseToolModel); undefined leaves Codex's own default. */
  model?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;
type Toml = Record<string, unknown>;

/** `$CODEX_HOME/config.toml`, else `~/.codex/config.toml`. */
export function codexConfigPath(opts: { env: Env; home: string }): string {
  const dir = opts.env.CODEX_HOME?.trim();
  return path.join(dir ? path.resolve(dir) : path.join(opts.home, '.codex'), CODEX_CONFIG_FILE);
}

/** `keyfob-ROLE`: the provider's and the profile's id. */
export function codexProviderId(role: string): string {
  return `keyfob-${role}`;
}

/** The provider table. `auth` and never `env_key`: Codex refuses a provider with both. */
export function codexProvider(values: CodexSetupValues): Toml {
  const [command, ...args] = values.helper;
  return {
    name: `Keyfob (${values.role})`,
    base_url: values.baseUrl,
    wire_api: 'responses',
    auth: { command, args, refresh_interval_ms: values.refreshIntervalMs },
  };
}

/** `$CODEX_HOME/keyfob-ROLE.config.toml`: the profile `codex --profile keyfob-ROLE` layers over config.toml. */
export function codexProfilePath(configPath: string, role: string): string {
  return path.join(path.dirname(configPath), `${codexProviderId(role)}.config.toml`);
}

function profileText(role: string, model?: string): string {
  const modelLine = model === undefined ? '' : `model = ${JSON.stringify(model)}\n`;
  return `# Written by \`keyfob setup codex ${role}\`: \`codex --profile ${codexProviderId(role)}\` gets its key from Keyfob.\nmodel_provider = "${codexProviderId(role)}"\n${modelLine}`;
}

async function toml(): Promise<typeof TomlPatch> {
  return import('@decimalturn/toml-patch'); // ~30 ms to load: only setup pays for it
}

async function parseConfig(file: string, text: string): Promise<Toml> {
  try {
    return (await toml()).parse(text) as Toml;
  } catch (e) {
    throw new KeyfobError('validation', `${file} is not valid TOML (${(e as Error).message.split('\n')[0]}); Keyfob leaves it untouched.`, {
      hint: 'Fix the file (or move it aside), then run the setup again.',
    });
  }
}

/** Deep equality of plain data (the parser's tables have no Object prototype, which isDeepStrictEqual would see). */
function same(a: unknown, b: unknown): boolean {
  return a !== undefined && b !== undefined && isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

function table(doc: Toml, key: string): Toml | undefined {
  const v = doc[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Toml) : undefined;
}

/** Removes ours from the document text (patch keeps everything else byte for byte). */
async function withoutOurs(text: string, id: string): Promise<string> {
  const lib = await toml();
  const doc = lib.parse(text) as Toml;
  const providers = table(doc, 'model_providers');
  const profiles = table(doc, 'profiles');
  if (!providers?.[id] && !profiles?.[id]) return text;
  if (providers) delete providers[id];
  if (profiles) delete profiles[id];
  return lib.patch(text, doc);
}

/**
 * config.toml gets `[model_providers.keyfob-ROLE]` and `[model_providers.keyfob-ROLE.auth]` as sections appended at
 * the end (toml-patch would add them as dotted inline tables), after any earlier version of them — and a legacy
 * `[profiles.keyfob-ROLE]` — is removed in place. The result is parsed again and must say exactly what was meant.
 * The profile file says `model_provider = "keyfob-ROLE"` (set in place when the file holds more).
 */
export async function planCodexSetup(file: string, text: string | null, values: CodexSetupValues, profile: { path: string; text: string | null }): Promise<FileChange[]> {
  return [await planProviderSetup(file, text, values), await planProfileSetup(profile.path, profile.text, values.role, values.model)];
}

async function planProviderSetup(file: string, text: string | null, values: CodexSetupValues): Promise<FileChange> {
  const lib = await toml();
  const before = text ?? '';
  const doc = await parseConfig(file, before);
  const id = codexProviderId(values.role);
  const provider = codexProvider(values);
  const warnings: string[] = [];
  if (same(table(doc, 'model_providers')?.[id], provider) && table(doc, 'profiles')?.[id] === undefined) {
    return { path: file, before: text, after: before, changed: false, warnings };
  }
  if (table(doc, 'model_providers')?.[id] !== undefined) warnings.push(`[model_providers.${id}] is replaced with Keyfob's (the backup keeps the old file).`);
  if (doc.profile === id) warnings.push(`${file} selects profile = "${id}" the legacy way; current Codex wants \`codex --profile ${id}\` instead.`);
  const rest = await withoutOurs(before, id);
  // Only the sub-tables: a `[model_providers]` header of our own could define that table a second time.
  const block = lib.stringify({ model_providers: { [id]: provider } }, { inlineTableStart: 3 })
    .split('\n')
    .filter((line) => line.trim() !== '[model_providers]')
    .join('\n')
    .replace(/^\n+/, '')
    .replace(/\n{3,}/g, '\n\n');
  const head = rest.trimEnd();
  const after = `${head === '' ? '' : `${head}\n\n`}${block.trimEnd()}\n`;
  const check = await parseConfig(file, after);
  if (!same(table(check, 'model_providers')?.[id], provider)) {
    throw new KeyfobError('internal', `Keyfob could not merge its provider into ${file} safely; the file is left untouched.`, {
      hint: `Add [model_providers.${id}] by hand: see \`keyfob setup codex ${values.role} --print\`.`,
    });
  }
  return { path: file, before: text, after, changed: after !== before, warnings };
}

async function planProfileSetup(file: string, text: string | null, role: string, model: string | undefined): Promise<FileChange> {
  const id = codexProviderId(role);
  if (text === null || text.trim() === '') return { path: file, before: text, after: profileText(role, model), changed: true, warnings: [] };
  const lib = await toml();
  const doc = await parseConfig(file, text);
  if (doc.model_provider === id && (model === undefined || doc.model === model)) return { path: file, before: text, after: text, changed: false, warnings: [] };
  const warnings = doc.model_provider === undefined || doc.model_provider === id ? [] : [`${file} selected model_provider = ${JSON.stringify(doc.model_provider)}; setup replaces it.`];
  if (model !== undefined && doc.model !== undefined && doc.model !== model) warnings.push(`${file} selected model = ${JSON.stringify(doc.model)}; setup replaces it with ${JSON.stringify(model)}.`);
  doc.model_provider = id;
  if (model !== undefined) doc.model = model;
  const after = lib.patch(text, doc);
  return { path: file, before: text, after, changed: after !== text, warnings };
}

/**
 * Takes out `[model_providers.keyfob-ROLE]` (with its auth) and a legacy `[profiles.keyfob-ROLE]` from config.toml,
 * and the profile file — deleted when it holds only what setup wrote, else just its `model_provider` line.
 */
export async function planCodexRemove(file: string, text: string | null, role: string, profile: { path: string; text: string | null }): Promise<FileChange[]> {
  const id = codexProviderId(role);
  const changes: FileChange[] = [];
  if (text === null) {
    changes.push({ path: file, before: null, after: null, changed: false, warnings: [] });
  } else {
    await parseConfig(file, text);
    const after = await withoutOurs(text, id);
    changes.push({ path: file, before: text, after, changed: after !== text, warnings: [] });
  }
  if (profile.text !== null) {
    const doc = await parseConfig(profile.path, profile.text);
    if (profile.text === profileText(role, typeof doc.model === 'string' ? doc.model : undefined)) {
      changes.push({ path: profile.path, before: profile.text, after: null, changed: true, warnings: [] });
    } else if (doc.model_provider === id) {
      delete doc.model_provider;
      const after = (await toml()).patch(profile.text, doc);
      changes.push({ path: profile.path, before: profile.text, after, changed: after !== profile.text, warnings: [] });
    }
  }
  return changes;
}
