// `npm run sim -- --port 4000 --master-key sk-admin [--era C] [--no-db] [--models a,b] …`: the simulator as a
// stand-alone proxy for demos and manual tries with curl. Serves until SIGINT/SIGTERM. Its clock follows wall time.
import { parseArgs } from 'node:util';
import { ERAS, eraOf, isFlavorOrEra } from './eras.js';
import { startSimulator } from './simulator.js';
import type { SimEra, SimOptions, SimRequestLogEntry } from './types.js';

const USAGE = `Usage: npm run sim -- [options]

  --port <n>              port (default 4000; 0 = any free port)
  --host <addr>           a 127.0.0.0/8 address (default 127.0.0.1)
  --master-key <key>      the proxy's master key (default sk-admin)
  --era <name>            L | M | C | N | N2 | N3: the LiteLLM releases played (default N3)
  --flavor <name>         deprecated: current (= N3) | older (= N)
  --root-path <path>      SERVER_ROOT_PATH, e.g. /api/v1: every route under it, none at the root
  --key-header <name>     general_settings.litellm_key_header_name: the only header the key is read from
  --timezone <zone>       the zone of era C's calendar-aligned expiry (UTC, US/Eastern, US/Pacific, Asia/Kolkata, Europe/London)
  --key-cache-ttl <ms>    per-replica key cache: a key stays accepted this long after delete/update/block (default 0)
  --list-rejects-full-object  play an L proxy older than 1.61.3 (/key/list rejects return_full_object)
  --config <json>         more config as JSON: {"upperboundKeyGenerateParams":…, "defaultKeyGenerateParams":…,
                          "keyGenerationSettings":…, "users":[{"user_id","user_role"}], "teams":[{"team_id","members"}],
                          "generateOmitsToken":true (era L ≤1.58), "updateUnknownKeyDelayMs":n, "spendFlushMs":n, "budgetResetJobMs":n,
                          "readinessFails":true}
  --no-db                 play a proxy started without a database
  --models <a,b,...>      the proxy's models (default gpt-4o,gpt-4o-mini,claude-sonnet-4)
  --completion-cost <usd> spend added per /chat/completions call (default 0.01)
  --quiet                 do not print one line per request
  -h, --help              this text

Control API: POST /__sim/clock/advance {"ms":n}, POST /__sim/fault {"route","fault"}, POST /__sim/faults/clear,
GET /__sim/requests, GET /__sim/keys, POST /__sim/era {"era"}, POST /__sim/users, POST /__sim/teams, POST /__sim/keys,
GET|POST /__sim/config, POST /__sim/key-cache/clear, POST /__sim/database, POST /__sim/master-key.`;

function fail(message: string): never {
  console.error(`sim: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function describe(entry: SimRequestLogEntry): string {
  const query = new URLSearchParams(entry.query).toString();
  return `${new Date(entry.time).toISOString()} ${entry.method} ${entry.path}${query ? `?${query}` : ''} -> ${entry.status ?? 'no answer'} (${entry.auth})`;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '4000' },
        host: { type: 'string' },
        'master-key': { type: 'string', default: 'sk-admin' },
        era: { type: 'string' },
        flavor: { type: 'string' },
        'root-path': { type: 'string' },
        'key-header': { type: 'string' },
        timezone: { type: 'string' },
        'key-cache-ttl': { type: 'string' },
        'list-rejects-full-object': { type: 'boolean', default: false },
        config: { type: 'string' },
        'no-db': { type: 'boolean', default: false },
        models: { type: 'string' },
        'completion-cost': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`--port must be 0-65535, got ${values.port}`);
  if (values.era !== undefined && !(ERAS as readonly string[]).includes(values.era)) fail(`--era must be one of ${ERAS.join(', ')}, got ${values.era}`);
  if (values.flavor !== undefined && values.flavor !== 'current' && values.flavor !== 'older') fail(`--flavor must be current or older, got ${values.flavor}`);
  const era = values.era ?? (values.flavor !== undefined && isFlavorOrEra(values.flavor) ? eraOf(values.flavor) : 'N3');
  const ttl = values['key-cache-ttl'] === undefined ? undefined : Number(values['key-cache-ttl']);
  if (ttl !== undefined && !(Number.isFinite(ttl) && ttl >= 0)) fail(`--key-cache-ttl must be a number of ms >= 0, got ${values['key-cache-ttl']}`);
  let extra: { users?: unknown[]; teams?: unknown[] } & Partial<SimOptions> = {};
  if (values.config !== undefined) {
    try {
      extra = JSON.parse(values.config) as typeof extra;
    } catch (e) {
      fail(`--config is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const masterKey = values['master-key'];
  if (!masterKey) fail('--master-key must not be empty');
  const models = values.models?.split(',').map((m) => m.trim()).filter(Boolean);
  if (models?.length === 0) fail('--models needs at least one model name');
  const cost = values['completion-cost'] === undefined ? undefined : Number(values['completion-cost']);
  if (cost !== undefined && !(Number.isFinite(cost) && cost >= 0)) fail(`--completion-cost must be a number >= 0, got ${values['completion-cost']}`);

  const { users, teams, ...configOptions } = extra;
  const sim = await startSimulator({
    ...configOptions,
    port,
    ...(values.host !== undefined ? { host: values.host } : {}),
    masterKey,
    era: era as SimEra,
    ...(values['root-path'] !== undefined ? { rootPath: values['root-path'] } : {}),
    ...(values['key-header'] !== undefined ? { keyHeaderName: values['key-header'] } : {}),
    ...(values.timezone !== undefined ? { timezone: values.timezone } : {}),
    ...(ttl !== undefined ? { keyCacheTtlMs: ttl } : {}),
    ...(values['list-rejects-full-object'] ? { listRejectsFullObject: true } : {}),
    database: !values['no-db'],
    ...(models ? { models } : {}),
    ...(cost !== undefined ? { completionCost: cost } : {}),
    realTime: true,
    ...(values.quiet ? {} : { onRequest: (entry: SimRequestLogEntry) => console.log(describe(entry)) }),
  });
  for (const user of users ?? []) sim.addUser(user as Parameters<typeof sim.addUser>[0]);
  for (const team of teams ?? []) sim.addTeam(team as Parameters<typeof sim.addTeam>[0]);
  // The master key is printed on purpose: this is a local test tool, and the person needs it to try curl.
  console.log(`LiteLLM simulator listening on ${sim.url} (master key: ${masterKey}), era ${sim.era} (LiteLLM ${sim.version})`);
  if (sim.config.rootPath) console.log(`Root path ${sim.config.rootPath}: the proxy's base URL is ${sim.baseUrl}`);
  if (!sim.databaseConnected) console.log('No database: /key/* calls fail the way a proxy without DATABASE_URL does.');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`LiteLLM simulator: ${signal}, stopping`);
    sim.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(`sim: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
