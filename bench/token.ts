// The `keyfob token` hot path: what Claude Code, Codex and every other tool run on each key refresh. With a live
// lease it must cost no request and stay within twice the floor of any Node CLI, `node -e 0`. Both are spawned the
// same way, interleaved, so machine load weighs on each alike; the request count is taken at the simulator.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import keytar from '@github/keytar';
import { keychainServiceFor } from '../main/core/settings/index.js';
import { startSimulator } from '../test/sim/index.js';
import { median, ms } from './lib/stats.js';
import type { BenchContext, Row, Section } from './lib/report.js';

const BIN = fileURLToPath(new URL('../bin/keyfob.js', import.meta.url));
const RUNS = 30;
const MASTER_KEY = 'sk-bench-token';
const run = promisify(execFile);

async function timed(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  const { stdout } = await run(file, args, { env });
  return { ms: performance.now() - t0, stdout };
}

export const tokenSection: Section = {
  name: 'token hot path',
  async run(ctx: BenchContext): Promise<Row[]> {
    const area = 'Token: `keyfob token ROLE`, live lease';
    if (!ctx.keychain.real) {
      return [{ area, measure: 'wall time vs `node -e 0`', result: 'not measured: the CLI needs the OS keychain, and there is none here', target: '≤ 2×', met: false }];
    }
    const sim = await startSimulator({ masterKey: MASTER_KEY, realTime: true });
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-bench-token-'));
    const env: NodeJS.ProcessEnv = { ...process.env, KEYFOB_HOME: home };
    const cli = (args: string[], input?: string) =>
      new Promise<string>((resolve, reject) => {
        const child = execFile(process.execPath, [BIN, ...args], { env }, (e, stdout) => (e ? reject(e) : resolve(stdout)));
        child.stdin?.end(input ?? '');
      });
    try {
      await cli(['connect', '--url', sim.url], MASTER_KEY);
      await cli(['role', 'set', 'dev', '--ttl', '1h']);
      const key = (await cli(['token', 'dev'])).trim(); // issues the lease the hot path then reuses
      for (let i = 0; i < 3; i++) await timed(process.execPath, [BIN, 'token', 'dev'], env); // warm the file cache
      const before = sim.requests.length;
      const floor: number[] = [];
      const token: number[] = [];
      let same = true;
      for (let i = 0; i < RUNS; i++) {
        floor.push((await timed(process.execPath, ['-e', '0'], env)).ms);
        const t = await timed(process.execPath, [BIN, 'token', 'dev'], env);
        token.push(t.ms);
        same &&= t.stdout.trim() === key;
      }
      const requests = sim.requests.length - before;
      const ratio = median(token) / median(floor);
      return [
        {
          area,
          measure: `wall time vs \`node -e 0\` (medians of ${RUNS} runs each, interleaved; p95 of token ${ms(token.sort((a, b) => a - b)[Math.floor(RUNS * 0.95)] ?? NaN)})`,
          result: `${ms(median(token))} vs ${ms(median(floor))} (×${ratio.toFixed(2)})`,
          target: '≤ 2×',
          met: ratio <= 2 && same,
        },
        { area, measure: `HTTP requests during those ${RUNS} calls (each printed the lease's key: ${same ? 'yes' : 'no'})`, result: String(requests), target: '0', met: requests === 0 && same },
      ];
    } finally {
      await cli(['lease', 'revoke', '--all']).catch(() => undefined);
      await keytar.deletePassword(keychainServiceFor(home), 'admin-key').catch(() => false);
      await sim.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  },
};
