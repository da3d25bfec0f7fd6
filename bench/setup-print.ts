// `keyfob setup claude-code ROLE --print` on a large settings.json (issue 21: an 8,000-line file took 6.8 s and 609 MB,
// all of it in --print's line diff). Measures (1) in this process, the merge as text edits and the diff: wall time
// and the growth of the resident set; (2) the real command against the simulator, beside `keyfob role list` as the
// floor of any CLI call: wall time and peak resident set from /usr/bin/time. (2) needs an unlocked keyring, as
// `npm test` and the bench provide. Run: `npx tsx bench/setup-print.ts [LINES]`.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { lineDiff, planClaudeSetup } from '../main/core/tools/index.js';
import { startSimulator } from '../test/sim/index.js';

const BIN = fileURLToPath(new URL('../bin/keyfob.js', import.meta.url));
const run = promisify(execFile);
const lines = Number(process.argv[2] ?? 8000);
const body = Array.from({ length: lines - 2 }, (_, i) => `  "setting${i}": {"id": ${i}, "big": 1234567890123456789${i % 10}},`).join('\n');
const text = `{\n${body}\n  "theme": "dark"\n}\n`;

function inProcess(): void {
  const values = { apiKeyHelper: "'/usr/bin/node' '/opt/keyfob/bin/keyfob.js' 'token' 'dev'", baseUrl: 'http://127.0.0.1:4000', helperTtlMs: 180_000, models: { ANTHROPIC_MODEL: 'claude-sonnet-4-5' } };
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  const t0 = performance.now();
  const change = planClaudeSetup('/bench/settings.json', text, values, {});
  const diff = lineDiff(change.before ?? '', change.after ?? '');
  const elapsed = performance.now() - t0;
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`in process, ${lines} lines (${(text.length / 1024).toFixed(0)} KiB): merge + diff ${elapsed.toFixed(1)} ms, ${diff.length} diff lines, resident set +${((peak - rssBefore) / 1024 / 1024).toFixed(1)} MiB`);
}

async function endToEnd(): Promise<void> {
  const sim = await startSimulator({ masterKey: 'sk-bench-print', realTime: true });
  try {
    const home = mkdtempSync(join(tmpdir(), 'keyfob-bench-print-'));
    const user = mkdtempSync(join(tmpdir(), 'keyfob-bench-print-user-'));
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NODE_') && !k.startsWith('KEYFOB_')));
    Object.assign(env, { KEYFOB_HOME: home, HOME: user });
    const connect = execFile(process.execPath, [BIN, 'connect', '--url', sim.url], { env });
    connect.stdin?.end('sk-bench-print');
    await new Promise((resolve) => connect.on('close', resolve));
    await run(process.execPath, [BIN, 'role', 'set', 'dev', '--ttl', '1h'], { env });
    mkdirSync(join(user, '.claude'));
    writeFileSync(join(user, '.claude', 'settings.json'), text);
    const timed = async (args: string[]): Promise<string> =>
      (await run('/usr/bin/time', ['-f', '%e s, peak resident set %M KiB', process.execPath, BIN, ...args], { env, encoding: 'utf8' })).stderr.trim().split('\n').at(-1) ?? '';
    console.log(`keyfob setup claude-code dev --print: ${await timed(['setup', 'claude-code', 'dev', '--print'])}`);
    console.log(`keyfob role list (the floor):        ${await timed(['role', 'list'])}`);
  } finally {
    await sim.close();
  }
}

inProcess();
await endToEnd();
