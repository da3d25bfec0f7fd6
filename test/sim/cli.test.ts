// `npm run sim` as a person uses it: a child process that prints its URL, answers curl-style requests, stops on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { until } from './http-helpers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const LISTENING = /LiteLLM simulator listening on (http:\/\/127\.0\.0\.1:(\d+)) \(master key: (\S+)\)/;

interface RunningSim {
  child: ChildProcess;
  url: string;
  masterKey: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `npm run` puts npm, a shell, tsx and node in a chain; a signal to npm alone would orphan the rest. So each child
 * gets its own process group, and it is the group that is signalled — what a terminal does on Ctrl-C.
 */
const groups: number[] = [];

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

after(() => {
  // Only if a test failed before stopping its own child.
  for (const pgid of groups) if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
});

function spawnSim(args: string[]): ChildProcess {
  const child = spawn('npm', ['run', '--silent', 'sim', '--', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid !== undefined) groups.push(child.pid);
  return child;
}

function startCli(args: string[]): Promise<RunningSim> {
  const child = spawnSim(args);
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close', not 'exit': the output is complete only once the streams have closed.
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed within 20 s:\n${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = LISTENING.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] ?? '', masterKey: match[3] ?? '', output: () => out, exited });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`npm run sim exited (${code}) before printing its URL:\n${out}`));
    });
  });
}

/** SIGTERM to the group; the simulator closes and every process of the chain is gone. */
async function stop(sim: RunningSim): Promise<void> {
  const pgid = sim.child.pid ?? 0;
  process.kill(-pgid, 'SIGTERM');
  await sim.exited;
  const deadline = Date.now() + 30_000;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(groupAlive(pgid), false, 'no process of npm run sim is left');
  assert.match(sim.output(), /LiteLLM simulator: SIGTERM, stopping/);
  await assert.rejects(fetch(`${sim.url}/health/liveliness`), 'nothing listens after SIGTERM');
}

describe('npm run sim', { concurrency: true }, () => {
  test('prints its URL and master key, serves the key API with curl-style requests, stops on SIGTERM', async () => {
    const sim = await startCli(['--port', '0', '--master-key', 'sk-demo-master']);
    assert.equal(sim.masterKey, 'sk-demo-master');
    const admin = { authorization: 'Bearer sk-demo-master', 'content-type': 'application/json' };
    assert.equal(await (await fetch(`${sim.url}/health/liveliness`)).json(), "I'm alive!");
    const generated = await fetch(`${sim.url}/key/generate`, { method: 'POST', headers: admin, body: JSON.stringify({ models: ['gpt-4o'], duration: '60s' }) });
    assert.equal(generated.status, 200);
    const { key, expires } = (await generated.json()) as { key: string; expires: string };
    // Real time: a 60 s key expires about 60 s from now.
    assert.ok(Math.abs(Date.parse(expires) - (Date.now() + 60_000)) < 10_000, expires);
    const completion = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(completion.status, 200);
    const advanced = await fetch(`${sim.url}/__sim/clock/advance`, { method: 'POST', body: JSON.stringify({ ms: 120_000 }) });
    assert.equal(advanced.status, 200);
    const expired = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'gpt-4o' }),
    });
    assert.equal(expired.status, 401);
    assert.match(sim.output(), /POST \/key\/generate -> 200 \(master\)/, 'one line per request');
    assert.ok(!sim.output().includes(key), 'issued keys are never printed');
    await stop(sim);
  });

  test('--era L --no-db --models: an L proxy without a database, its own models', async () => {
    const sim = await startCli(['--port', '0', '--era', 'L', '--no-db', '--models', 'm-one,m-two', '--quiet']);
    const admin = { authorization: `Bearer ${sim.masterKey}` };
    const generated = await fetch(`${sim.url}/key/generate`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(generated.status, 500);
    assert.equal(generated.headers.get('x-litellm-version'), '1.63.14');
    const body = (await generated.json()) as { error: { code: unknown; message: string } };
    assert.equal(body.error.code, '500');
    assert.match(body.error.message, /^Internal Server Error, Connect Proxy to database to generate keys/);
    const models = (await (await fetch(`${sim.url}/v1/models`, { headers: admin })).json()) as { data: Array<{ id: string }> };
    assert.deepEqual(models.data.map((m) => m.id), ['m-one', 'm-two']);
    assert.ok(!/GET \/key\/list/.test(sim.output()), '--quiet prints no request lines');
    await stop(sim);
  });

  test('--root-path and --key-header: routes only under the prefix, the key only in that header', async () => {
    const sim = await startCli(['--port', '0', '--root-path', '/api/v1', '--key-header', 'X-Gateway-Key', '--quiet']);
    await until(() => /base URL is http:\/\/127\.0\.0\.1:\d+\/api\/v1\n/.test(sim.output()), 'the root path line');
    const header = { 'x-gateway-key': sim.masterKey };
    assert.equal((await fetch(`${sim.url}/api/v1/key/list`, { headers: header })).status, 200);
    assert.equal((await fetch(`${sim.url}/key/list`, { headers: header })).status, 404);
    assert.equal((await fetch(`${sim.url}/api/v1/key/list`, { headers: { authorization: `Bearer ${sim.masterKey}` } })).status, 401);
    await stop(sim);
  });

  test('--era C --timezone --config: calendar-aligned expiry in that zone, config limits, users from JSON', async () => {
    const config = JSON.stringify({ users: [{ user_id: 'alice', user_role: 'internal_user' }], upperboundKeyGenerateParams: { max_budget: 5 } });
    const sim = await startCli(['--port', '0', '--era', 'C', '--timezone', 'Asia/Kolkata', '--config', config, '--quiet']);
    const admin = { authorization: `Bearer ${sim.masterKey}`, 'content-type': 'application/json' };
    const generated = (await (await fetch(`${sim.url}/key/generate`, { method: 'POST', headers: admin, body: '{"duration":"1d"}' })).json()) as { expires: string; max_budget: number };
    assert.match(generated.expires, /T00:00:00\+05:30$/);
    assert.equal(generated.max_budget, 5);
    const users = (await (await fetch(`${sim.url}/__sim/users`)).json()) as Array<{ user_id: string }>;
    assert.deepEqual(users.map((u) => u.user_id), ['alice']);
    await stop(sim);
  });

  test('a bad era exits 2 with the usage', async () => {
    const child = spawnSim(['--era', 'N4']);
    let err = '';
    child.stdout?.resume(); // read (and drop) stdout too, or its stream never ends and 'close' never comes
    child.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString('utf8'); });
    // 'close', not 'exit': at 'exit' stderr may not have drained yet (a run saw '').
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 2);
    assert.match(err, /--era must be one of L, M, C, N, N2, N3/);
  });

  test('a bad flag exits 2 with the usage', async () => {
    const child = spawnSim(['--flavor', 'newest']);
    let err = '';
    child.stdout?.resume(); // read (and drop) stdout too, or its stream never ends and 'close' never comes
    child.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString('utf8'); });
    // 'close', not 'exit': at 'exit' stderr may not have drained yet (a run saw '').
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 2);
    assert.match(err, /--flavor must be current or older/);
    assert.match(err, /Usage: npm run sim/);
  });
});
