// `keyfob config get|set`: every setting the window's Settings screen shows, by a name people can type.
import { KeyfobError } from '../../core/errors.js';
import { DEFAULT_SETTINGS } from '../../core/settings/index.js';
import { formatDuration, resolveTTLs } from '../../core/roles/index.js';
import type { RevokeTrigger, Role, Settings } from '../../core/types.js';
import { boolValue } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, usageError } from '../failure.js';
import { formatSpan, json } from '../output.js';
import { didYouMean } from '../suggest.js';

type Kind = 'duration' | 'boolean' | 'path' | 'url' | 'header';

interface ConfigKey {
  /** What the person types: `request-timeout`. */
  name: string;
  kind: Kind;
  help: string;
  read(s: Settings): unknown;
  /** The settings patch for a value given as text (checked by the core), or null for read-only keys. */
  patch: ((raw: string, s: Settings) => Partial<Settings>) | null;
}

const seconds = (field: keyof Settings & `${string}_seconds`, name: string, help: string): ConfigKey => ({
  name,
  kind: 'duration',
  help,
  read: (s) => s[field],
  patch: (raw) => ({ [field]: raw }),
});

const flag = (field: 'allow_insecure_tls' | 'launch_at_login' | 'notifications', name: string, help: string): ConfigKey => ({
  name,
  kind: 'boolean',
  help,
  read: (s) => s[field],
  patch: (raw) => ({ [field]: raw }),
});

const revokeOn = (trigger: RevokeTrigger, help: string): ConfigKey => ({
  name: `revoke-on-${trigger}`,
  kind: 'boolean',
  help,
  read: (s) => s.revoke_on[trigger],
  patch: (raw) => ({ revoke_on: { [trigger]: raw } as unknown as Settings['revoke_on'] }),
});

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { name: 'url', kind: 'url', help: 'the LiteLLM proxy (set with `keyfob connect --url URL`, which checks your LiteLLM key)', read: (s) => s.litellm_url, patch: null },
  { name: 'ca-file', kind: 'path', help: 'PEM file of extra CA certificates for the proxy; "none" removes it', read: (s) => s.ca_file, patch: (raw) => ({ ca_file: raw.trim().toLowerCase() === 'none' ? null : raw }) },
  {
    name: 'auth-header',
    kind: 'header',
    help: 'the header that carries the key: none = Authorization: Bearer; x-litellm-api-key, or the name a gateway leaves to LiteLLM',
    read: (s) => s.auth_header,
    patch: (raw) => ({ auth_header: raw.trim().toLowerCase() === 'none' ? null : raw.trim() }),
  },
  flag('allow_insecure_tls', 'allow-insecure-tls', 'skip TLS certificate checks, for a self-signed proxy'),
  seconds('request_timeout_seconds', 'request-timeout', 'how long to wait for the proxy, e.g. 30s'),
  seconds('default_lease_ttl_seconds', 'default-lease-ttl', 'TTL for roles without their own, e.g. 1h'),
  seconds('max_lease_ttl_seconds', 'max-lease-ttl', 'no key lives longer than this from issue, e.g. 24h'),
  seconds('clipboard_clear_seconds', 'clipboard-clear', 'clear a copied key after this long if the clipboard still holds it; 0: never'),
  seconds('idle_threshold_seconds', 'idle-threshold', 'with no input this long, the app stops renewing keys, e.g. 10m'),
  revokeOn('quit', 'revoke every key when the app quits'),
  revokeOn('logout', 'revoke every key at logout or shutdown'),
  revokeOn('lock', 'revoke every key when the screen locks'),
  revokeOn('suspend', 'revoke every key when the computer sleeps'),
  flag('launch_at_login', 'launch-at-login', 'start the app at login (the app applies it when it next starts)'),
  flag('notifications', 'notifications', 'desktop notifications from the app'),
];

/** "must not exceed max_lease_ttl_seconds" reads "must not exceed max-lease-ttl": the names the person types. */
function inConfigNames(message: string): string {
  return message.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (word) => {
    const name = word.replace(/_/g, '-').replace(/-seconds$/, '');
    return CONFIG_KEYS.some((k) => k.name === name) ? name : word;
  });
}

/** `request_timeout_seconds` (the file's name) and `request-timeout` both find the same key. */
export function findConfigKey(raw: string): ConfigKey {
  const typed = raw.trim().toLowerCase().replace(/_/g, '-').replace(/-seconds$/, '').replace(/^litellm-url$/, 'url').replace(/^revoke-on\./, 'revoke-on-');
  const key = CONFIG_KEYS.find((k) => k.name === typed);
  if (key) return key;
  const guess = didYouMean(typed, CONFIG_KEYS.map((k) => k.name));
  throw usageError(`NAME: no setting ${JSON.stringify(raw)}${guess ? `: ${guess}` : ''}`, {
    fields: [{ field: 'NAME', message: `no setting ${JSON.stringify(raw)}${guess ? `; ${guess}` : ''}` }],
    hint: `settings: ${CONFIG_KEYS.map((k) => k.name).join(', ')}`,
  });
}

/** How a value reads: durations as `30s` / `1h 30m`, booleans as true/false, nothing as `none`. */
export function showValue(key: ConfigKey, value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (key.kind === 'duration' && typeof value === 'number') return formatDuration(value);
  return String(value);
}

/** `  request-timeout     how long to wait …`, one setting a line, for the help text. */
function settingLines(): string[] {
  const width = Math.max(...CONFIG_KEYS.map((k) => k.name.length));
  return CONFIG_KEYS.map((k) => `  ${k.name.padEnd(width)}  ${k.help}`);
}

function defaultsOf(): Settings {
  return { ...DEFAULT_SETTINGS, revoke_on: { ...DEFAULT_SETTINGS.revoke_on } };
}

export const configGetCommand: Command = {
  name: 'config get',
  summary: 'show the settings (all of them, or one)',
  usage: 'keyfob config get [NAME] [--json]',
  description: [
    'The same settings as the Settings screen of the desktop app, in the shared config.json.',
    '--json prints durations in whole seconds. `keyfob config set --help` describes each setting.',
  ],
  args: {
    options: { json: { type: 'boolean', help: 'print JSON (one value, or an object of every setting)' } },
    positionals: [{ name: 'NAME', required: false }],
  },
  examples: ['keyfob config get', 'keyfob config get request-timeout'],
  async run(ctx, args) {
    const name = args.positionals[0];
    const key = name === undefined ? undefined : findConfigKey(name);
    const settings = await ctx.withCore({}, async (core) => core.getSettings());
    if (key) {
      ctx.out(boolValue(args, 'json') ? json(key.read(settings) ?? null) : showValue(key, key.read(settings)));
      return EXIT_OK;
    }
    if (boolValue(args, 'json')) {
      ctx.out(json(Object.fromEntries(CONFIG_KEYS.map((k) => [k.name, k.read(settings) ?? null]))));
      return EXIT_OK;
    }
    const width = Math.max(...CONFIG_KEYS.map((k) => k.name.length));
    const defaults = defaultsOf();
    for (const k of CONFIG_KEYS) {
      const value = showValue(k, k.read(settings));
      const isDefault = k.name === 'url' || value === showValue(k, k.read(defaults)); // the URL has no default to differ from
      ctx.out(`${k.name.padEnd(width)}  ${value}${isDefault ? '' : '  (changed)'}`.trimEnd());
    }
    return EXIT_OK;
  },
};

export const configSetCommand: Command = {
  name: 'config set',
  summary: 'change a setting (the desktop app picks it up at once)',
  usage: 'keyfob config set NAME VALUE',
  description: [
    'Durations: 30s, 5min, 1h30m, 1.5h, 2d or whole seconds. Switches: true or false. "default" restores the',
    'default value. The settings:',
    ...settingLines(),
  ],
  args: { options: {}, positionals: [{ name: 'NAME', required: true }, { name: 'VALUE', required: true }] },
  examples: ['keyfob config set request-timeout 30s', 'keyfob config set revoke-on-lock true', 'keyfob config set clipboard-clear default'],
  async run(ctx, args) {
    const key = findConfigKey(args.positionals[0] as string);
    const raw = (args.positionals[1] as string).trim();
    if (!key.patch) {
      throw usageError(`${key.name} cannot be set here`, { hint: 'run `keyfob connect --url URL`: it checks the proxy and your LiteLLM key before saving the URL' });
    }
    const defaults = defaultsOf();
    const value = raw.toLowerCase() === 'default' ? String(key.read(defaults) ?? 'none') : raw;
    let capped: string[] = [];
    const saved = await ctx.withCore({}, async (core) => {
      try {
        const before = core.getSettings();
        const next = core.updateSettings(key.patch?.(value, before) ?? {});
        capped = newlyCapped(core.listRoles(), before, next);
        return next;
      } catch (e) {
        // The core names the file's field (request_timeout_seconds); the person typed the key's name.
        if (e instanceof KeyfobError && e.kind === 'validation' && e.fields.length) {
          const messages = e.fields.map((f) => inConfigNames(f.message));
          throw usageError(`${key.name}: ${messages.join('; ')}`, {
            fields: messages.map((message) => ({ field: key.name, message })),
            hint: `${key.name}: ${key.help}`,
          });
        }
        throw e;
      }
    });
    ctx.out(`${key.name} = ${showValue(key, key.read(saved))}`);
    if (capped.length) {
      ctx.err(`keyfob: warning: this caps role${capped.length === 1 ? '' : 's'} ${capped.join(', ')}: new leases get less than the role asks (\`keyfob role show NAME\` shows what applies)`);
    }
    return EXIT_OK;
  },
};

/**
 * Roles whose TTL or max TTL the new lease-TTL limits cut that the old ones did not, each with what it asks for and
 * what it gets now: "dev (max TTL 8h → 1h)". A cap applies silently at issue time; the person changing it is told.
 */
export function newlyCapped(roles: readonly Role[], before: Settings, after: Settings): string[] {
  const out: string[] = [];
  for (const role of roles) {
    const was = resolveTTLs(role, before);
    const now = resolveTTLs(role, after);
    const cuts: string[] = [];
    if (role.max_ttl > 0 && now.maxTtl < role.max_ttl && now.maxTtl < was.maxTtl) cuts.push(`max TTL ${formatSpan(role.max_ttl)} → ${formatSpan(now.maxTtl)}`);
    const asked = role.ttl > 0 ? role.ttl : after.default_lease_ttl_seconds;
    if (now.ttl < asked && now.ttl < was.ttl) cuts.push(`TTL ${formatSpan(asked)} → ${formatSpan(now.ttl)}`);
    if (cuts.length) out.push(`${role.name} (${cuts.join(', ')})`);
  }
  return out;
}
