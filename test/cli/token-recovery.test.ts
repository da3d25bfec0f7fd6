// `keyfob token` among other processes (issue 21's minors), through the real binary: a running `exec`'s lease is
// never handed to a tool; a `token` killed mid-issue is cleaned up by the next `token` (a helper-only workflow runs
// no other command); a `token.lock` held by a stopped process is waited for about one request timeout, then a live
// lease is answered or one line says why not; and the hot path's reader going away ends it quietly.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, collect, keyfob, show, startKeyfob, tempHome, type RunResult } from './harness.js';

const MASTER_KEY = 'sk-cli-token-recovery-master';

interface LedgerDoc {
  leases: Record<string, { lease_id: string; state: string; scope: string; key_alias: string; next_attempt_at: string | null }>;
}

describe('keyfob token among other processes', () => {
  let sim: Simulator;
  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };
  const ledgerOf = (home: string): LedgerDoc => JSON.parse(readFileSync(join(home, 'leases.json'), 'utf8')) as LedgerDoc;

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY, realTime: true });
  });
  after(async () => {
    await sim?.close();
  });

  async function connectedHome(label: string): Promise<string> {
    const home = tempHome(label);
    ok(await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY }));
    ok(await keyfob(['role', 'set', 'dev', '--ttl', '30m', '--max-ttl', '2h'], { home }));
    ok(await keyfob(['config', 'set', 'request-timeout', '1s'], { home }));
    return home;
  }

  /** A node process that waits on its stdin: stopped with SIGSTOP, it is alive and never lets go of anything. */
  function stoppedProcess(): ChildProcess {
    const child = spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.kill('SIGSTOP');
    return child;
  }
  function endStopped(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      child.on('close', () => resolve());
      child.kill('SIGKILL');
    });
  }

  it('never hands out the lease of a running exec: a lease of its own', async () => {
    const home = await connectedHome('token-exec');
    const exec = startKeyfob(['exec', 'dev', '--', process.execPath, '-e', 'console.log(process.env.OPENAI_API_KEY); process.stdin.resume()'], { home });
    const execKey = await new Promise<string>((resolve, reject) => {
      let out = '';
      exec.stdout?.on('data', (d: Buffer | string) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      exec.on('close', () => reject(new Error('exec ended early')));
    });
    const execDone = collect(exec, null, 20_000);
    const token = ok(await keyfob(['token', 'dev'], { home }));
    exec.stdin?.end();
    ok(await execDone);
    assert.notEqual(token.stdout.trim(), execKey, 'the exec lease ends with its command: a tool must not hold its key');
    assert.ok(sim.liveKeys().some((k) => k.metadata.keyfob_role === 'dev'), 'the token\'s own lease is live after exec ended');
  });

  it('a token killed mid-issue is cleaned up by the next token (its pending key deleted by alias)', async () => {
    const home = await connectedHome('token-killed');
    const held = sim.hold('/key/generate');
    const first = startKeyfob(['token', 'dev'], { home });
    const firstDone = collect(first, '', 20_000);
    const hold = await held; // the key exists on the proxy; the answer never reaches the token
    first.kill('SIGKILL');
    await firstDone;
    hold.release();
    const doc = ledgerOf(home);
    const pending = Object.values(doc.leases).find((l) => l.state === 'pending');
    assert.ok(pending, 'the killed token left a pending entry');
    assert.ok(sim.liveKeys().some((k) => k.key_alias === pending.key_alias), 'and its key on the proxy');
    // As if the generate's settle time had passed (the CLI runs on the real clock): the cleanup is due now.
    pending.next_attempt_at = new Date(Date.now() - 1000).toISOString();
    writeFileSync(join(home, 'leases.json'), JSON.stringify(doc));

    const next = ok(await keyfob(['token', 'dev'], { home }));
    assert.equal(next.stderr, '', 'a helper is silent when it succeeds');
    assert.ok(!sim.liveKeys().some((k) => k.key_alias === pending.key_alias), 'the interrupted issue\'s key is deleted');
    assert.notEqual(ledgerOf(home).leases[pending.lease_id]?.state, 'pending');
  });

  it('a token.lock held by a stopped process: about one request timeout, then the live lease', async () => {
    const home = await connectedHome('token-stopped-live');
    const live = ok(await keyfob(['token', 'dev'], { home })).stdout.trim();
    const holder = stoppedProcess();
    try {
      writeFileSync(join(home, 'token.lock'), JSON.stringify({ host: hostname(), pid: holder.pid, nonce: 'stopped-holder' }));
      // --min-left above what is left asks for a renewal, which needs the lock; the harness gives up at 20 s, where
      // the old wait (2 × timeout + 30 s before taking over) would still be waiting.
      const r = ok(await keyfob(['token', 'dev', '--min-left', '40m'], { home, timeoutMs: 20_000 }));
      assert.equal(r.stdout.trim(), live, 'the live lease is answered');
    } finally {
      await endStopped(holder);
    }
  });

  it('a token.lock held by a stopped process and no live lease: one line, exit 1', async () => {
    const home = await connectedHome('token-stopped-none');
    const holder = stoppedProcess();
    try {
      writeFileSync(join(home, 'token.lock'), JSON.stringify({ host: hostname(), pid: holder.pid, nonce: 'stopped-holder' }));
      const r = await keyfob(['token', 'dev'], { home, timeoutMs: 20_000 });
      assert.equal(r.code, 1, show(r));
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `exactly one line\n${show(r)}`);
      assert.match(r.stderr, /token\.lock/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    } finally {
      await endStopped(holder);
    }
  });

  it('the hot path with its reader gone exits quietly (no EPIPE stack trace)', async () => {
    const home = await connectedHome('token-epipe');
    ok(await keyfob(['token', 'dev'], { home }));
    const child = startKeyfob(['token', 'dev'], { home });
    child.stdout?.destroy(); // the tool gave up before the key is written
    const r = await collect(child, '', 20_000);
    assert.equal(r.signal, null, show(r));
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
  });
});
