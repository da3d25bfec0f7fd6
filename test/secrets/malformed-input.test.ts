// Malformed input, table-driven: role names, durations, budgets, limits, models, ids, metadata, URLs, admin keys,
// settings and lease ids — oversized values and text that is not valid Unicode (lone UTF-16 surrogates; invalid
// bytes through the CLI) included. Each is refused as a validation error that names the field, in a message short
// enough never to echo an oversized value back; none of them reaches the proxy or changes the state. A
// representative subset goes through the real `keyfob` binary, which exits 2 and names the flag.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KeyfobError } from '../../main/core/errors.js';
import type { KeyfobCoreInstance } from '../../main/core/keyfob-core.js';
import type { RoleInput, Settings } from '../../main/core/types.js';
import { harness } from '../core/leases/helpers.js';
import type { Harness } from '../core/leases/helpers.js';
import { BIN, assertBuilt, baseEnv, collect, keyfob, show, tempHome } from '../cli/harness.js';
import type { RunResult } from '../cli/harness.js';

const BIG = 'x'.repeat(100_000);
const MEGABYTE = 'y'.repeat(1 << 20);
const LONE_HIGH = '\uD800';
const LONE_LOW = '\uDC00';
/** Far more than anything a person types: a message must not carry it back. */
const MAX_MESSAGE = 2000;

interface CoreCase {
  input: string;
  field: string;
  run: (core: KeyfobCoreInstance, leaseId: string) => unknown;
  /** A known defect (see the report): the case is kept, and reported as TODO until it is fixed. */
}

const role = (input: Partial<Record<keyof RoleInput, unknown>>) => (core: KeyfobCoreInstance) => core.saveRole({ name: 'probe', ...input } as RoleInput);
const named = (name: unknown) => (core: KeyfobCoreInstance) => core.saveRole({ name } as RoleInput);
const settings = (patch: Record<string, unknown>) => (core: KeyfobCoreInstance) => core.updateSettings(patch as Partial<Settings>);
const connect = (url: unknown, adminKey: unknown = 'sk-admin') => (core: KeyfobCoreInstance) => core.connect({ url, adminKey } as { url: string; adminKey: string });

const CORE_CASES: CoreCase[] = [
  // role names
  { input: 'empty name', field: 'name', run: named('') },
  { input: 'blank name', field: 'name', run: named('   ') },
  { input: 'name starting with "-"', field: 'name', run: named('-dev') },
  { input: 'name ending with "-"', field: 'name', run: named('dev-') },
  { input: 'name with a space', field: 'name', run: named('dev team') },
  { input: 'name with a slash', field: 'name', run: named('dev/prod') },
  { input: 'name with a non-ASCII letter', field: 'name', run: named('dév') },
  { input: 'name that is an emoji', field: 'name', run: named('🔑') },
  { input: 'name of 65 characters', field: 'name', run: named('a'.repeat(65)) },
  { input: 'name of 100,000 characters', field: 'name', run: named(BIG) },
  { input: 'name with a newline inside', field: 'name', run: named('de\nv') },
  { input: 'name with a lone surrogate', field: 'name', run: named(`dev${LONE_HIGH}`) },
  { input: 'name that is a number', field: 'name', run: named(42) },
  { input: 'name that is null', field: 'name', run: named(null) },
  // durations
  { input: 'ttl "1.5s"', field: 'ttl', run: role({ ttl: '1.5s' }) },
  { input: 'ttl "-1"', field: 'ttl', run: role({ ttl: '-1' }) },
  { input: 'ttl "1y"', field: 'ttl', run: role({ ttl: '1y' }) },
  { input: 'ttl "10mi"', field: 'ttl', run: role({ ttl: '10mi' }) },
  { input: 'ttl "1mo"', field: 'ttl', run: role({ ttl: '1mo' }) },
  { input: 'ttl "forever"', field: 'ttl', run: role({ ttl: 'forever' }) },
  { input: 'ttl 1.5 (seconds)', field: 'ttl', run: role({ ttl: 1.5 }) },
  { input: 'ttl -5', field: 'ttl', run: role({ ttl: -5 }) },
  { input: 'ttl NaN', field: 'ttl', run: role({ ttl: Number.NaN }) },
  { input: 'ttl Infinity', field: 'ttl', run: role({ ttl: Number.POSITIVE_INFINITY }) },
  { input: 'ttl longer than max_ttl', field: 'ttl', run: role({ ttl: '8h', max_ttl: '1h' }) },
  { input: 'max_ttl "99999999999d"', field: 'max_ttl', run: role({ max_ttl: '99999999999d' }) },
  { input: 'max_ttl an object', field: 'max_ttl', run: role({ max_ttl: {} }) },
  { input: 'max_ttl of 100,000 characters', field: 'max_ttl', run: role({ max_ttl: BIG }) },
  { input: 'budget_duration "30"', field: 'budget_duration', run: role({ budget_duration: '30' }) },
  { input: 'budget_duration "1y"', field: 'budget_duration', run: role({ budget_duration: '1y' }) },
  { input: 'budget_duration "0d"', field: 'budget_duration', run: role({ budget_duration: '0d' }) },
  // budgets and limits
  { input: 'max_budget -1', field: 'max_budget', run: role({ max_budget: -1 }) },
  { input: 'max_budget "ten"', field: 'max_budget', run: role({ max_budget: 'ten' }) },
  { input: 'max_budget "1e309"', field: 'max_budget', run: role({ max_budget: '1e309' }) },
  { input: 'max_budget Infinity', field: 'max_budget', run: role({ max_budget: Number.POSITIVE_INFINITY }) },
  { input: 'max_budget NaN', field: 'max_budget', run: role({ max_budget: Number.NaN }) },
  { input: 'max_budget 2e9', field: 'max_budget', run: role({ max_budget: 2e9 }) },
  { input: 'max_budget "5,00"', field: 'max_budget', run: role({ max_budget: '5,00' }) },
  { input: 'tpm_limit 1.5', field: 'tpm_limit', run: role({ tpm_limit: 1.5 }) },
  { input: 'tpm_limit 1e13', field: 'tpm_limit', run: role({ tpm_limit: 1e13 }) },
  { input: 'rpm_limit -1', field: 'rpm_limit', run: role({ rpm_limit: -1 }) },
  { input: 'max_parallel_requests "many"', field: 'max_parallel_requests', run: role({ max_parallel_requests: 'many' }) },
  // models, ids, alias prefix
  { input: 'models as a string', field: 'models', run: role({ models: 'gpt-4o' }) },
  { input: 'models with an empty entry', field: 'models', run: role({ models: [''] }) },
  { input: 'models with a number', field: 'models', run: role({ models: [5] }) },
  { input: 'models with 201 entries', field: 'models', run: role({ models: Array.from({ length: 201 }, (_, i) => `m${i}`) }) },
  { input: 'models with a NUL byte', field: 'models', run: role({ models: ['gpt\u0000'] }) },
  { input: 'models with a lone surrogate', field: 'models', run: role({ models: [`gpt${LONE_LOW}`] }) },
  { input: 'team_id a number', field: 'team_id', run: role({ team_id: 5 }) },
  { input: 'team_id with an escape sequence', field: 'team_id', run: role({ team_id: 'team\u001b[31m' }) },
  { input: 'user_id of 300 characters', field: 'user_id', run: role({ user_id: 'u'.repeat(300) }) },
  { input: 'user_id a lone surrogate', field: 'user_id', run: role({ user_id: LONE_LOW }) },
  { input: 'key_alias_prefix with a space', field: 'key_alias_prefix', run: role({ key_alias_prefix: 'has space' }) },
  { input: 'key_alias_prefix starting with "-"', field: 'key_alias_prefix', run: role({ key_alias_prefix: '-x' }) },
  { input: 'key_alias_prefix of 33 characters', field: 'key_alias_prefix', run: role({ key_alias_prefix: 'p'.repeat(33) }) },
  // metadata
  { input: 'metadata as a list', field: 'metadata', run: role({ metadata: ['a'] }) },
  { input: 'metadata with an empty key', field: 'metadata', run: role({ metadata: { '': 'x' } }) },
  { input: 'metadata with a reserved key', field: 'metadata', run: role({ metadata: { keyfob_lease_id: 'x' } }) },
  { input: 'metadata with a number value', field: 'metadata', run: role({ metadata: { owner: 5 } }) },
  { input: 'metadata with a newline in a value', field: 'metadata', run: role({ metadata: { owner: 'a\nb' } }) },
  { input: 'metadata with a 1 MB value', field: 'metadata', run: role({ metadata: { owner: MEGABYTE } }) },
  { input: 'metadata with 40 entries', field: 'metadata', run: role({ metadata: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'])) }) },
  { input: 'metadata with a 65-character key', field: 'metadata', run: role({ metadata: { ['k'.repeat(65)]: 'v' } }) },
  { input: 'metadata with a lone surrogate', field: 'metadata', run: role({ metadata: { owner: `bad${LONE_HIGH}` } }) },
  { input: 'a field roles do not have', field: 'ttl_seconds', run: role({ ttl_seconds: 5 } as never) },
  { input: 'a role that is null', field: 'role', run: (core) => core.saveRole(null as unknown as RoleInput) },
  // proxy URLs and admin keys
  { input: 'empty URL', field: 'url', run: connect('') },
  { input: 'URL without a scheme', field: 'url', run: connect('localhost:4000') },
  { input: 'ftp:// URL', field: 'url', run: connect('ftp://example.com') },
  { input: 'URL with a user and password', field: 'url', run: connect('http://user:pw@example.com') },
  { input: 'URL with a query', field: 'url', run: connect('http://example.com/?q=1') },
  { input: 'URL with a fragment', field: 'url', run: connect('http://example.com/#top') },
  { input: 'javascript: URL', field: 'url', run: connect('javascript:alert(1)') },
  { input: 'URL with a space in the host', field: 'url', run: connect('http://exa mple.com') },
  { input: 'URL that is a number', field: 'url', run: connect(42) },
  { input: 'URL of 100,000 characters', field: 'url', run: connect(`http://127.0.0.1:9/${BIG}`) },
  { input: 'empty admin key', field: 'adminKey', run: connect('http://127.0.0.1:9', '') },
  { input: 'admin key with a space', field: 'adminKey', run: connect('http://127.0.0.1:9', 'sk with space') },
  { input: 'admin key with a non-ASCII letter', field: 'adminKey', run: connect('http://127.0.0.1:9', 'sk-é') },
  { input: 'admin key with a newline inside', field: 'adminKey', run: connect('http://127.0.0.1:9', 'sk-a\nb') },
  { input: 'admin key of 100,000 characters', field: 'adminKey', run: connect('http://127.0.0.1:9', `sk-${BIG}`) },
  { input: 'admin key a lone surrogate', field: 'adminKey', run: connect('http://127.0.0.1:9', LONE_HIGH) },
  // settings
  { input: 'request timeout 0', field: 'request_timeout_seconds', run: settings({ request_timeout_seconds: 0 }) },
  { input: 'request timeout "five minutes"', field: 'request_timeout_seconds', run: settings({ request_timeout_seconds: 'five minutes' }) },
  { input: 'request timeout 301', field: 'request_timeout_seconds', run: settings({ request_timeout_seconds: 301 }) },
  { input: 'default lease TTL above the max', field: 'default_lease_ttl_seconds', run: settings({ default_lease_ttl_seconds: '48h' }) },
  { input: 'clipboard clear -1', field: 'clipboard_clear_seconds', run: settings({ clipboard_clear_seconds: -1 }) },
  { input: 'idle threshold "soon"', field: 'idle_threshold_seconds', run: settings({ idle_threshold_seconds: 'soon' }) },
  { input: 'revoke_on.quit "yes"', field: 'revoke_on.quit', run: settings({ revoke_on: { quit: 'yes' } }) },
  { input: 'revoke_on with an unknown trigger', field: 'revoke_on.never', run: settings({ revoke_on: { never: true } }) },
  { input: 'an unknown setting', field: 'colour', run: settings({ colour: 'blue' }) },
  { input: 'ca_file relative', field: 'ca_file', run: settings({ ca_file: 'corp-ca.pem' }) },
  { input: 'ca_file of 100,000 characters', field: 'ca_file', run: settings({ ca_file: `/${BIG}` }) },
  { input: 'notifications "maybe"', field: 'notifications', run: settings({ notifications: 'maybe' }) },
  { input: 'litellm_url ftp://', field: 'litellm_url', run: settings({ litellm_url: 'ftp://example.com' }) },
  { input: 'litellm_url of 3,000 characters', field: 'litellm_url', run: settings({ litellm_url: `http://127.0.0.1/${'a'.repeat(3000)}` }) },
  // lease ids and increments
  { input: 'empty lease id', field: 'lease_id', run: (core) => core.leases.renew('') },
  { input: 'blank lease id', field: 'lease_id', run: (core) => core.leases.revoke('   ') },
  { input: 'lease id that is a path', field: 'lease_id', run: (core) => core.leases.revoke('../../etc/passwd') },
  { input: 'lease id of letters', field: 'lease_id', run: (core) => core.leases.get('zzzzzzzz') },
  { input: 'lease id that is an emoji', field: 'lease_id', run: (core) => core.leases.copyLeaseKey('🔑🔑🔑🔑') },
  { input: 'lease id of 1 MB', field: 'lease_id', run: (core) => core.leases.revealKey(MEGABYTE) },
  { input: 'lease id a lone surrogate', field: 'lease_id', run: (core) => core.leases.get(`0000000${LONE_HIGH}`) },
  { input: 'lease id a number', field: 'lease_id', run: (core) => core.leases.renew(42 as unknown as string) },
  { input: 'lease id null', field: 'lease_id', run: (core) => core.leases.revoke(null as unknown as string) },
  { input: 'renew increment 0', field: 'increment', run: (core, id) => core.leases.renew(id, 0) },
  { input: 'renew increment 1.5', field: 'increment', run: (core, id) => core.leases.renew(id, 1.5) },
  { input: 'renew increment -60', field: 'increment', run: (core, id) => core.leases.renew(id, -60) },
];

async function refusal(run: () => unknown): Promise<KeyfobError> {
  try {
    await run();
  } catch (e) {
    assert.ok(e instanceof KeyfobError, `a KeyfobError, not ${String(e).slice(0, 200)}`);
    return e;
  }
  assert.fail('accepted');
}

describe('malformed input through the core API', () => {
  let h: Harness;
  let leaseId: string;
  let requestsBefore: number;
  let settingsBefore: string;
  before(async () => {
    h = await harness();
    leaseId = (await h.core.leases.issue('dev')).lease.lease_id;
    requestsBefore = h.sim.requests.length;
    settingsBefore = JSON.stringify(h.core.getSettings());
  });
  after(async () => {
    await h.close();
  });

  test(`the table holds ${CORE_CASES.length} cases (at least 50)`, () => {
    assert.ok(CORE_CASES.length >= 50);
  });

  for (const c of CORE_CASES) {
    test(`${c.input} → refused, naming ${c.field}`, async () => {
      const err = await refusal(() => c.run(h.core, leaseId));
      assert.equal(err.kind, 'validation', err.message.slice(0, 300));
      assert.ok(err.fields.some((f) => f.field === c.field), `fields: ${JSON.stringify(err.fields).slice(0, 300)}`);
      assert.ok(err.message.includes(c.field), err.message.slice(0, 300));
      assert.ok(err.message.length < MAX_MESSAGE, `a ${err.message.length}-character message`);
    });
  }

  test('nothing refused reached the proxy or changed the state', () => {
    assert.equal(h.sim.requests.length, requestsBefore, h.sim.requests.slice(requestsBefore).map((r) => r.path).join(', '));
    assert.deepEqual(h.core.listRoles().map((r) => r.name), ['dev']);
    assert.equal(JSON.stringify(h.core.getSettings()), settingsBefore);
    assert.equal(h.core.leases.list().length, 1);
  });
});

// ── through the CLI ────────────────────────────────────────────────────────────────────────────────────────────

interface CliCase {
  input: string;
  /** The flag or argument the error line must name. */
  field: string;
  /** Arguments, or bash words when the value holds bytes that are not UTF-8 (`$'\xff'`). */
  argv?: string[];
  bash?: string;
}

const UUID = '3f2a9c4e-1b7d-4e0a-9c55-0d8e2f6a7b10';
const CLI_CASES: CliCase[] = [
  { input: 'role name with a space', field: 'NAME', argv: ['role', 'set', 'bad name'] },
  { input: 'role name of 100,000 characters', field: 'NAME', argv: ['role', 'set', BIG] },
  { input: 'role name of invalid bytes', field: 'NAME', bash: String.raw`role set $'\xff\xfe'` },
  { input: '--ttl "1.5s"', field: '--ttl', argv: ['role', 'set', 'dev', '--ttl', '1.5s'] },
  { input: '--ttl with an invalid byte', field: '--ttl', bash: String.raw`role set dev --ttl $'1\xffh'` },
  { input: '--ttl longer than --max-ttl', field: '--ttl', argv: ['role', 'set', 'dev', '--ttl', '8h', '--max-ttl', '1h'] },
  { input: '--max-ttl "forever"', field: '--max-ttl', argv: ['role', 'set', 'dev', '--max-ttl', 'forever'] },
  { input: '--max-budget "ten"', field: '--max-budget', argv: ['role', 'set', 'dev', '--max-budget', 'ten'] },
  { input: '--budget-duration "1y"', field: '--budget-duration', argv: ['role', 'set', 'dev', '--budget-duration', '1y'] },
  { input: '--tpm 1.5', field: '--tpm', argv: ['role', 'set', 'dev', '--tpm', '1.5'] },
  { input: '--models with a control character', field: '--models', argv: ['role', 'set', 'dev', '--models', 'gpt\u0001'] },
  { input: '--metadata without "="', field: '--metadata', argv: ['role', 'set', 'dev', '--metadata', 'noequals'] },
  { input: '--metadata with a reserved key', field: '--metadata', argv: ['role', 'set', 'dev', '--metadata', 'keyfob_x=1'] },
  { input: '--alias-prefix with a space', field: '--alias-prefix', argv: ['role', 'set', 'dev', '--alias-prefix', 'bad prefix'] },
  { input: '--team-id of invalid bytes', field: '--team-id', bash: String.raw`role set dev --team-id $'\xff\xfeteam'` },
  { input: '--metadata value of invalid bytes', field: '--metadata', bash: String.raw`role set dev --metadata $'owner=\xff\xfe'` },
  { input: '--url ftp://', field: '--url', argv: ['connect', '--url', 'ftp://example.com'] },
  { input: '--url with a password', field: '--url', argv: ['connect', '--url', 'http://user:pw@example.com'] },
  { input: 'lease id that is not one', field: 'LEASE_ID', argv: ['lease', 'renew', 'not-a-lease'] },
  { input: 'lease id that is a path', field: 'LEASE_ID', argv: ['lease', 'revoke', '../../etc/passwd'] },
  { input: '--increment 0', field: '--increment', argv: ['lease', 'renew', UUID, '--increment', '0'] },
  { input: '--increment "soon"', field: '--increment', argv: ['lease', 'renew', UUID, '--increment', 'soon'] },
  { input: 'log -n 0', field: '-n', argv: ['log', '-n', '0'] },
];

function runCli(home: string, c: CliCase): Promise<RunResult> {
  if (c.argv) return keyfob(c.argv, { home });
  const child = spawn('bash', ['-c', `exec "$0" "$1" ${c.bash}`, process.execPath, BIN], { env: baseEnv(home), stdio: ['pipe', 'pipe', 'pipe'] });
  return collect(child, '', 20_000, [c.bash as string]);
}

/** The roles a home holds, read from its settings file (none when Keyfob never wrote one). */
function storedRoles(home: string): string[] {
  const file = path.join(home, 'config.json');
  if (!fs.existsSync(file)) return [];
  return Object.keys((JSON.parse(fs.readFileSync(file, 'utf8')) as { roles: Record<string, unknown> }).roles);
}

describe('malformed input through the keyfob binary (exit 2, the flag named)', { concurrency: 4 }, () => {
  before(() => assertBuilt());

  for (const c of CLI_CASES) {
    test(`${c.input} → exit 2 naming ${c.field}`, async () => {
      const home = tempHome('malformed');
      const r = await runCli(home, c);
      assert.equal(r.code, 2, show(r));
      const escaped = c.field.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
      assert.match(r.stderr, new RegExp(`^(keyfob: |  )${escaped}: `, 'm'), show(r));
      assert.ok(r.stderr.length < MAX_MESSAGE * 2, `${r.stderr.length} characters on stderr`);
      assert.equal(r.stdout, '');
      assert.deepEqual(storedRoles(home), [], 'nothing refused was stored');
    });
  }
});
