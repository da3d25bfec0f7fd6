// What the CLI prints: shell-quoted exports, the `--json` shapes promised in the interface, plain tables.
import { assertLiteLLMKeyShape, formatEnvironment, type ToolBaseUrls } from '../core/tools/index.js';
import type { AuditEntry, IssuedLease, LeaseView, Role } from '../core/types.js';

export type EnvFlavor = 'openai' | 'anthropic' | 'both';

// eslint-disable-next-line no-control-regex -- terminal escape sequences are what this removes
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[\x20-\x7e]?)|\x9b[0-?]*[ -/]*[@-~]?/g;
// eslint-disable-next-line no-control-regex -- control characters are what this replaces
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * One line of text that is safe to show in a terminal: escape sequences (colours, cursor moves, window titles,
 * OSC 8 links, …) removed, line breaks and tabs made spaces, and any other control or bidi character shown as
 * U+FFFD. The last line of defence for remote text (proxy error messages, audit details) on stderr and in tables.
 */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(/[\t\r\n]+/g, ' ').replace(UNSAFE_CHARACTER, '\uFFFD');
}

export const ENV_FLAVORS: readonly EnvFlavor[] = ['openai', 'anthropic', 'both'];

/**
 * `issue --env`: the variables a tool needs to reach the proxy with a key, with the base URLs of the one rule
 * (toolBaseUrls): OPENAI_BASE_URL the proxy root + `/v1`, ANTHROPIC_BASE_URL the root (Anthropic SDKs append
 * `/v1/messages`); ANTHROPIC_AUTH_TOKEN is sent as `Authorization: Bearer`, which LiteLLM accepts for virtual keys.
 */
export function envVariables(flavor: EnvFlavor, urls: ToolBaseUrls, key: string): Array<[string, string]> {
  assertLiteLLMKeyShape(key);
  const vars: Array<[string, string]> = [];
  if (flavor === 'openai' || flavor === 'both') vars.push(['OPENAI_API_KEY', key], ['OPENAI_BASE_URL', urls.openai]);
  if (flavor === 'anthropic' || flavor === 'both') vars.push(['ANTHROPIC_BASE_URL', urls.anthropic], ['ANTHROPIC_AUTH_TOKEN', key]);
  return vars;
}

export function exportLines(vars: ReadonlyArray<[string, string]>): string[] {
  return formatEnvironment(Object.fromEntries(vars), 'sh');
}

/** ISO-8601 UTC with `Z`, or null. Unparseable input is passed through rather than thrown on. */
export function isoOrNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

export interface LeaseJson {
  lease_id: string;
  key_alias: string;
  role: string;
  models: string[];
  /** null: no budget (the ledger's 0). */
  max_budget: number | null;
  issued_at: string | null;
  expires_at: string | null;
  max_expires_at: string | null;
  renewable: boolean;
  state: string;
}

export type IssuedLeaseJson = Omit<LeaseJson, 'state'> & { key: string };

/** The fields every lease JSON output shares, in their printed order. */
function leaseFields(lease: LeaseView): Omit<LeaseJson, 'state'> {
  return {
    lease_id: lease.lease_id,
    key_alias: lease.key_alias,
    role: lease.role,
    models: [...lease.models],
    max_budget: lease.max_budget > 0 ? lease.max_budget : null,
    issued_at: isoOrNull(lease.issued_at),
    expires_at: isoOrNull(lease.expires_at),
    max_expires_at: isoOrNull(lease.max_expires_at),
    renewable: lease.renewable,
  };
}

/** `lease list --json` / `lease renew --json`: the lease without its key, plus its state. */
export function leaseJson(lease: LeaseView): LeaseJson {
  return { ...leaseFields(lease), state: lease.state };
}

/** `issue --json`: the one output that carries the key (printed right after the lease id). */
export function issuedJson(issued: IssuedLease): IssuedLeaseJson {
  const { lease_id, ...rest } = leaseFields(issued.lease);
  return { lease_id, key: issued.key, ...rest };
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** `1h 5m`, `45s`, `2d 3h`: the largest unit and the next one, for countdowns. */
export function formatSpan(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const units: Array<[number, string]> = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3_600), 'h'],
    [Math.floor((s % 3_600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first < 0) return '0s';
  return units
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
}

/** "in 59m 30s", "5m ago", "never". */
export function relativeTo(iso: string | null, nowMs: number): string {
  if (!iso) return 'never';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const seconds = (ms - nowMs) / 1000;
  return seconds >= 0 ? `in ${formatSpan(seconds)}` : `${formatSpan(-seconds)} ago`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  rows = rows.map((r) => r.map(terminalSafe));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

export function describeModels(models: readonly string[]): string {
  return models.length ? models.join(',') : '(all)';
}

export function describeBudget(maxBudget: number | null): string {
  return maxBudget ? `$${maxBudget}` : 'none';
}

/** Whole seconds as the role editor shows them: `0` means "the setting's default". */
export function describeTtl(seconds: number, fallback: string): string {
  return seconds > 0 ? formatSpan(seconds) : fallback;
}

export function roleRows(roles: readonly Role[]): string[] {
  if (!roles.length) return [];
  return formatTable(
    ['NAME', 'MODELS', 'TTL', 'MAX TTL', 'BUDGET'],
    roles.map((r) => [r.name, describeModels(r.models), describeTtl(r.ttl, 'default'), describeTtl(r.max_ttl, 'default'), describeBudget(r.max_budget)]),
  );
}

export function roleDetails(role: Role): string[] {
  const rows: Array<[string, string]> = [
    ['name', role.name],
    ['models', describeModels(role.models)],
    ['max budget', describeBudget(role.max_budget)],
    ['budget duration', role.budget_duration ?? 'none'],
    ['ttl', describeTtl(role.ttl, 'default (setting)')],
    ['max ttl', describeTtl(role.max_ttl, 'default (setting)')],
    ['alias prefix', role.key_alias_prefix || '(none)'],
    ['metadata', Object.entries(role.metadata).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'],
    ['tpm limit', role.tpm_limit === null ? 'none' : String(role.tpm_limit)],
    ['rpm limit', role.rpm_limit === null ? 'none' : String(role.rpm_limit)],
    ['max parallel', role.max_parallel_requests === null ? 'none' : String(role.max_parallel_requests)],
    ['team id', role.team_id ?? 'none'],
    ['user id', role.user_id ?? 'none'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width + 1)}  ${v}`);
}

export function auditRows(entries: readonly AuditEntry[]): string[] {
  if (!entries.length) return [];
  return formatTable(
    ['TIME', 'ACTION', 'OUTCOME', 'ROLE', 'LEASE', 'DETAIL'],
    entries.map((e) => [isoOrNull(e.time) ?? e.time, e.action, e.outcome, e.role ?? '-', e.lease_id ?? '-', e.detail ?? '']),
  );
}

/** The one-line summary `issue` and `exec` write to stderr. */
export function leaseSummary(lease: LeaseView, nowMs: number): string {
  const expiry = lease.expires_at ? `expires ${relativeTo(lease.expires_at, nowMs)}` : 'never expires';
  const maxSpan = lease.max_expires_at ? (Date.parse(lease.max_expires_at) - Date.parse(lease.issued_at)) / 1000 : NaN;
  const renewal = !lease.renewable ? ', not renewable' : Number.isFinite(maxSpan) ? `, renewable up to ${formatSpan(maxSpan)} after issue` : ', renewable';
  return `lease ${lease.lease_id} (role ${lease.role}, alias ${lease.key_alias}) ${expiry}${renewal}`;
}
