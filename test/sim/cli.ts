// `npm run sim -- --port 4000 --master-key sk-admin [--flavor older] [--no-db] [--models a,b]`: the simulator as a
// stand-alone proxy for demos and manual tries with curl. Serves until SIGINT/SIGTERM. Its clock follows wall time.
import { parseArgs } from 'node:util';
import { isFlavor } from './flavors.js';
import { startSimulator } from './simulator.js';
import type { SimRequestLogEntry } from './types.js';

const USAGE = `Usage: npm run sim -- [options]

  --port <n>              port on 127.0.0.1 (default 4000; 0 = any free port)
  --master-key <key>      the proxy's master key (default sk-admin)
  --flavor <name>         current | older (default current)
  --no-db                 play a proxy started without a database
  --models <a,b,...>      the proxy's models (default gpt-4o,gpt-4o-mini,claude-sonnet-4)
  --completion-cost <usd> spend added per /chat/completions call (default 0.01)
  --quiet                 do not print one line per request
  -h, --help              this text

Control API: POST /__sim/clock/advance {"ms":n}, POST /__sim/fault {"route","fault"}, POST /__sim/faults/clear,
GET /__sim/requests, GET /__sim/keys, POST /__sim/flavor, POST /__sim/database, POST /__sim/master-key.`;

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
        'master-key': { type: 'string', default: 'sk-admin' },
        flavor: { type: 'string', default: 'current' },
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
  if (!isFlavor(values.flavor)) fail(`--flavor must be current or older, got ${values.flavor}`);
  const masterKey = values['master-key'];
  if (!masterKey) fail('--master-key must not be empty');
  const models = values.models?.split(',').map((m) => m.trim()).filter(Boolean);
  if (models?.length === 0) fail('--models needs at least one model name');
  const cost = values['completion-cost'] === undefined ? undefined : Number(values['completion-cost']);
  if (cost !== undefined && !(Number.isFinite(cost) && cost >= 0)) fail(`--completion-cost must be a number >= 0, got ${values['completion-cost']}`);

  const sim = await startSimulator({
    port,
    masterKey,
    flavor: values.flavor,
    database: !values['no-db'],
    ...(models ? { models } : {}),
    ...(cost !== undefined ? { completionCost: cost } : {}),
    realTime: true,
    ...(values.quiet ? {} : { onRequest: (entry: SimRequestLogEntry) => console.log(describe(entry)) }),
  });
  // The master key is printed on purpose: this is a local test tool, and the person needs it to try curl.
  console.log(`LiteLLM simulator listening on ${sim.url} (master key: ${masterKey})`);
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
