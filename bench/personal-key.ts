// Requests per operation as a person runs them: each `keyfob` command a new process, connected with a personal key
// (an internal user's, as the README recommends) rather than the master key. Who the caller is was learned at connect
// and is remembered in the state directory, so a new process's issue is one request, as the core's is.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import keytar from '@github/keytar';
import { keychainServiceFor } from '../main/core/settings/index.js';
import { startSimulator } from '../test/sim/index.js';
import type { BenchContext, Row, Section } from './lib/report.js';

const BIN = fileURLToPath(new URL('../bin/keyfob.js', import.meta.url));

export const personalKeySection: Section = {
  name: 'requests with a personal key (CLI)',
  async run(ctx: BenchContext): Promise<Row[]> {
    const area = 'Requests per operation, personal key, each a new CLI process';
    if (!ctx.keychain.real) return [{ area, measure: 'issue', result: 'not measured: the CLI needs the OS keychain', target: '1', met: false }];
    const sim = await startSimulator({ masterKey: 'sk-bench-personal-master', models: ['gpt-4o-mini'], realTime: true });
    sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-bench-personal-'));
    const env: NodeJS.ProcessEnv = { ...process.env, KEYFOB_HOME: home };
    const cli = (args: string[], input = '') =>
      new Promise<string>((resolve, reject) => {
        const child = execFile(process.execPath, [BIN, ...args], { env }, (e, stdout) => (e ? reject(e) : resolve(stdout)));
        child.stdin?.end(input);
      });
    const counted = async (args: string[]): Promise<{ calls: string[]; stdout: string }> => {
      const before = sim.requests.length;
      const stdout = await cli(args);
      return { calls: sim.requests.slice(before).map((r) => `${r.method} ${r.path}`), stdout };
    };
    try {
      const key = sim.addKey({ user_id: 'alice', key_alias: 'alice-laptop' }).key;
      await cli(['connect', '--url', sim.url], `${key}\n`);
      await cli(['role', 'set', 'dev', '--models', 'gpt-4o-mini', '--ttl', '30m', '--max-ttl', '2h']);
      const issue = await counted(['issue', 'dev', '--json']);
      const leaseId = (JSON.parse(issue.stdout) as { lease_id: string }).lease_id;
      const renew = await counted(['lease', 'renew', leaseId, '--increment', '1h']);
      const revoke = await counted(['lease', 'revoke', leaseId]);
      const row = (measure: string, calls: string[]): Row => ({
        area,
        measure,
        result: calls.length ? `${calls.length} (${calls.join(', ')})` : '0',
        target: '1',
        met: calls.length === 1,
      });
      return [row('issue (`keyfob issue dev`)', issue.calls), row('renew (`keyfob lease renew`)', renew.calls), row('revoke (`keyfob lease revoke`)', revoke.calls)];
    } finally {
      await cli(['lease', 'revoke', '--all']).catch(() => undefined);
      await keytar.deletePassword(keychainServiceFor(home), 'admin-key').catch(() => false);
      await keytar.deletePassword(keychainServiceFor(home), 'admin-key-binding').catch(() => false);
      await sim.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  },
};
