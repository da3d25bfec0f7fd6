// Shape checks for every IPC payload, before anything reaches the core: types, lengths, known keys only, no extra
// arguments. The core still validates meaning (a role's TTL ≤ its max TTL, a URL that parses); this layer makes
// sure a compromised or buggy renderer cannot hand it something of the wrong kind or size.
import type { InvokeChannel } from '../../preload/api.js';
import { TOOL_IDS } from '../core/tools/index.js';

/** Returns a problem ("connect: adminKey must be a string") or null. */
type Check = (value: unknown, at: string) => string | null;

const MAX_TEXT = 4096;
const MAX_ID = 128;
const MAX_LIST = 500;

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

const str =
  (max: number, opts: { nonEmpty?: boolean } = {}): Check =>
  (v, at) => {
    if (typeof v !== 'string') return `${at} must be a string, not ${describe(v)}`;
    if (v.length > max) return `${at} is longer than ${max} characters`;
    if (opts.nonEmpty && v.trim() === '') return `${at} must not be empty`;
    return null;
  };

const bool: Check = (v, at) => (typeof v === 'boolean' ? null : `${at} must be true or false, not ${describe(v)}`);

const finiteNumber: Check = (v, at) => (typeof v === 'number' && Number.isFinite(v) ? null : `${at} must be a finite number, not ${describe(v)}`);

const integer =
  (min: number, max: number): Check =>
  (v, at) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `${at} must be a whole number from ${min} to ${max}`;

/** A duration or count the person typed: the core parses it ("15m", "3600", 3600). */
const numberOrText: Check = (v, at) => (typeof v === 'string' ? str(64)(v, at) : finiteNumber(v, at));

const nullable =
  (check: Check): Check =>
  (v, at) =>
    v === null ? null : check(v, at);

const list =
  (item: Check, max = MAX_LIST): Check =>
  (v, at) => {
    if (!Array.isArray(v)) return `${at} must be a list, not ${describe(v)}`;
    if (v.length > max) return `${at} has more than ${max} entries`;
    for (const [i, x] of v.entries()) {
      const problem = item(x, `${at}[${i}]`);
      if (problem) return problem;
    }
    return null;
  };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

const stringMap =
  (maxEntries: number, maxKey: number, maxValue: number): Check =>
  (v, at) => {
    if (!isPlainObject(v)) return `${at} must be an object of text values, not ${describe(v)}`;
    const entries = Object.entries(v);
    if (entries.length > maxEntries) return `${at} has more than ${maxEntries} entries`;
    for (const [k, x] of entries) {
      if (k.length > maxKey) return `${at} has a key longer than ${maxKey} characters`;
      const problem = str(maxValue)(x, `${at}.${k}`);
      if (problem) return problem;
    }
    return null;
  };

/** An object with only these keys; `required` ones must be present. */
const object =
  (shape: Record<string, Check>, required: readonly string[] = []): Check =>
  (v, at) => {
    if (!isPlainObject(v)) return `${at} must be an object, not ${describe(v)}`;
    for (const key of Object.keys(v)) if (!(key in shape)) return `${at} has an unknown field "${key.slice(0, 40)}"`;
    for (const key of required) if (v[key] === undefined) return `${at}.${key} is required`;
    for (const [key, check] of Object.entries(shape)) {
      if (v[key] === undefined) continue;
      const problem = check(v[key], `${at}.${key}`);
      if (problem) return problem;
    }
    return null;
  };

const connectFields = {
  url: str(2048),
  adminKey: str(MAX_TEXT),
  caFile: nullable(str(MAX_TEXT)),
  allowInsecureTls: bool,
};

const ssoSignInFields = {
  url: str(2048),
  team: nullable(str(256)),
  caFile: nullable(str(MAX_TEXT)),
  allowInsecureTls: bool,
};

/** "Connect to Vault": shapes only; main normalises both URLs with the core's own rules before anything is sent. */
const vaultConnectFields = {
  vaultUrl: str(2048),
  proxyUrl: str(2048),
  mount: str(256),
  namespace: nullable(str(256)),
  method: (v: unknown, at: string) => (v === 'token' || v === 'userpass' || v === 'oidc' ? null : `${at} must be token, userpass or oidc`),
  username: nullable(str(256)),
  secret: str(MAX_TEXT),
  oidcRole: nullable(str(256)),
  // Its range is checked with the request's other fields (vault-connect.ts), so the form can show it on the field.
  oidcPort: nullable(finiteNumber),
  caFile: nullable(str(MAX_TEXT)),
  allowInsecureTls: bool,
};

const roleInput = object(
  {
    name: str(MAX_ID, { nonEmpty: true }),
    models: list(str(256)),
    max_budget: numberOrText,
    budget_duration: nullable(str(64)),
    tpm_limit: nullable(numberOrText),
    rpm_limit: nullable(numberOrText),
    max_parallel_requests: nullable(numberOrText),
    team_id: nullable(str(256)),
    user_id: nullable(str(256)),
    key_alias_prefix: str(256),
    metadata: stringMap(64, 128, 1024),
    ttl: numberOrText,
    max_ttl: numberOrText,
  },
  ['name'],
);

const settingsPatch = object({
  litellm_url: nullable(str(2048)),
  auth_header: nullable(str(128)),
  ca_file: nullable(str(MAX_TEXT)),
  allow_insecure_tls: bool,
  request_timeout_seconds: numberOrText,
  default_lease_ttl_seconds: numberOrText,
  max_lease_ttl_seconds: numberOrText,
  clipboard_clear_seconds: numberOrText,
  idle_threshold_seconds: numberOrText,
  revoke_on: object({ quit: bool, logout: bool, lock: bool, suspend: bool }),
  launch_at_login: bool,
  notifications: bool,
});

const oneOf =
  (values: readonly string[]): Check =>
  (v, at) =>
    typeof v === 'string' && values.includes(v) ? null : `${at} must be one of ${values.join(', ')}`;

const leaseId = str(MAX_ID, { nonEmpty: true });
const roleName = str(MAX_ID, { nonEmpty: true });

interface ArgsSpec {
  /** One check per positional argument. */
  args: readonly Check[];
  /** How many of them may be left out (from the end). */
  optional?: number;
}

/** The argument list of every channel; `satisfies` makes a channel without a spec a compile error. */
export const ARGUMENT_SPECS = {
  getSnapshot: { args: [] },
  testConnection: { args: [object(connectFields)] },
  connect: { args: [object(connectFields, ['url', 'adminKey'])] },
  forgetAdminKey: { args: [] },
  signInWithSso: { args: [object(ssoSignInFields, ['url'])] },
  connectVault: { args: [object(vaultConnectFields, ['vaultUrl', 'proxyUrl', 'method'])] },
  signOut: { args: [] },
  useSessionOnlyStore: { args: [] },
  listModels: { args: [] },
  saveRole: { args: [roleInput] },
  deleteRole: { args: [roleName] },
  issue: { args: [roleName] },
  copyRoleKey: { args: [roleName] },
  copyLeaseKey: { args: [leaseId] },
  revealKey: { args: [leaseId] },
  renew: { args: [leaseId] },
  revoke: { args: [leaseId] },
  revokeAll: { args: [] },
  keyInfo: { args: [leaseId] },
  updateSettings: { args: [settingsPatch] },
  auditLog: { args: [integer(1, 10_000)], optional: 1 },
  runToolSetup: { args: [roleName, oneOf(TOOL_IDS)] },
  commandLineTool: { args: [(v, at) => (v === 'status' || v === 'install' || v === 'uninstall' ? null : `${at} must be status, install or uninstall`)] },
} as const satisfies Record<InvokeChannel, ArgsSpec>;

/** The first problem with `args` for `channel`, or null when they are acceptable. */
export function checkArguments(channel: InvokeChannel, args: readonly unknown[]): string | null {
  const spec: ArgsSpec = ARGUMENT_SPECS[channel];
  // A trailing `undefined` is how an optional argument left out arrives.
  let given = args.length;
  while (given > 0 && args[given - 1] === undefined) given--;
  const min = spec.args.length - (spec.optional ?? 0);
  if (given < min) return `${channel} expects ${min} argument${min === 1 ? '' : 's'}, got ${given}`;
  if (given > spec.args.length) return `${channel} expects at most ${spec.args.length} argument${spec.args.length === 1 ? '' : 's'}, got ${given}`;
  for (let i = 0; i < given; i++) {
    const problem = spec.args[i]!(args[i], i === 0 && spec.args.length === 1 ? channel : `${channel} argument ${i + 1}`);
    if (problem) return problem;
  }
  return null;
}
