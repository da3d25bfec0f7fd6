// The signal matrix of `keyfob exec`, under a real pseudo-terminal (tmux): TERM, INT (a Ctrl-C typed into the
// terminal, which reaches keyfob and the command at once) and HUP; a command quick or slow to exit; the state lock
// held by another process while the command ends. Every case must forward, wait for the command, revoke, and exit
// with the command's status. Only a later Ctrl-C, after the visible "press Ctrl-C again" notice, leaves the
// revocation for later. Plain pipes do not show these races; a terminal does.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { BIN, assertBuilt, baseEnv, keyfob, show, tempHome } from './harness.js';

const MASTER_KEY = 'sk-cli-exec-signals-master';
const CAP_MS = 20_000;

/** A command that dies at once of the signal (the default action): `sleep`, as in `keyfob exec ci -- sleep 600`. */
const QUICK_CHILD = ['sh', '-c', 'echo "ready pid=$PPID child=$$ lease=$KEYFOB_LEASE_ID"; exec sleep 600'];
/** A command that cleans up for a while after any of the three signals, then exits 42. */
const SLOW_CHILD = [process.execPath, '-e', `
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => { console.log('child cleaning up after ' + s); setTimeout(() => process.exit(42), 700); });
console.log('ready pid=' + process.ppid + ' child=' + process.pid + ' lease=' + process.env.KEYFOB_LEASE_ID); setInterval(() => {}, 1000);`];

async function until<T>(probe: () => T | undefined | null | false, what: string, capMs = CAP_MS): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - started > capMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** One tmux server (its own socket) running `keyfob exec` in a pane; the exit status goes to a file. */
class Terminal {
  private readonly socket: string;
  private readonly statusFile: string;

  constructor(
    private readonly home: string,
    args: readonly string[],
  ) {
    this.socket = join(home, 'tmux.sock');
    this.statusFile = join(home, 'exit-status');
    // The pane keeps running after keyfob exits (sleep), so its screen can still be read. The shell traps the
    // signals (a handler, not an ignore: keyfob and the command start with the default action) so a Ctrl-C or a
    // signal to the whole process group does not end the shell before it records keyfob's status.
    // The pane stays open for capture-pane after keyfob exits (a Ctrl-C may end one sleep, not the loop), but not
    // forever: an endless loop here outlived every run, reparented to init once kill-server's SIGHUP was trapped.
    const script = 'trap true INT TERM HUP; "$@"; echo $? > "$KEYFOB_TEST_STATUS"; i=0; while [ $i -lt 60 ]; do sleep 2; i=$((i+1)); done';
    execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', 'new-session', '-d', '-x', '220', '-y', '50', 'sh', '-c', script, 'sh', process.execPath, BIN, ...args], {
      env: { ...baseEnv(home), TERM: 'xterm-256color', KEYFOB_TEST_STATUS: this.statusFile },
      cwd: home,
    });
  }

  screen(): string {
    return execFileSync('tmux', ['-S', this.socket, 'capture-pane', '-p', '-J', '-S', '-500'], { encoding: 'utf8' });
  }

  ctrlC(): void {
    execFileSync('tmux', ['-S', this.socket, 'send-keys', 'C-c']);
  }

  exitStatus(): number | null {
    if (!existsSync(this.statusFile)) return null;
    const text = readFileSync(this.statusFile, 'utf8').trim();
    return text === '' ? null : Number(text);
  }

  async finished(): Promise<number> {
    return until(() => {
      const status = this.exitStatus();
      return status === null ? null : { status };
    }, `keyfob to exit\n${this.screen()}`).then((r) => r.status);
  }

  close(): void {
    try {
      execFileSync('tmux', ['-S', this.socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

/** Exited (a zombie not yet reaped counts: keyfob may be blocked waiting for the lock). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

function ledgerState(home: string, leaseId: string): string | undefined {
  const doc = JSON.parse(readFileSync(join(home, 'leases.json'), 'utf8')) as { leases: Record<string, { state: string }> };
  return doc.leases[leaseId]?.state;
}

/** INT: the terminal's Ctrl-C. TERM: `kill PID` of keyfob. TERM-group, HUP-group: to keyfob's whole process group. */
type Delivery = 'INT' | 'TERM' | 'TERM-group' | 'HUP-group';

function processGroupOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[2]);
}

describe('keyfob exec under a terminal: every signal ends in a revoked lease', { concurrency: 3 }, () => {
  let sim: Simulator;
  const terminals: Terminal[] = [];

  const keysOf = (s: Simulator, leaseId: string) => s.keys().filter((k) => k.metadata.keyfob_lease_id === leaseId);

  async function connectedHome(label: string, s: Simulator = sim): Promise<string> {
    const home = tempHome(label);
    const connect = await keyfob(['connect', '--url', s.url], { home, stdin: MASTER_KEY });
    assert.equal(connect.code, 0, show(connect));
    const role = await keyfob(['role', 'set', 'ci', '--ttl', '30m', '--max-ttl', '2h'], { home });
    assert.equal(role.code, 0, show(role));
    return home;
  }

  async function startExec(home: string, child: readonly string[]): Promise<{ term: Terminal; keyfobPid: number; childPid: number; leaseId: string }> {
    const term = new Terminal(home, ['exec', 'ci', '--', ...child]);
    terminals.push(term);
    const ready = await until(() => /ready pid=(\d+) child=(\d+) lease=([0-9a-f-]{36})/.exec(term.screen()), `the command to start\n${term.screen()}`);
    return { term, keyfobPid: Number(ready[1]), childPid: Number(ready[2]), leaseId: ready[3] as string };
  }

  function deliver(how: Delivery, term: Terminal, keyfobPid: number): void {
    if (how === 'INT') term.ctrlC(); // the terminal's Ctrl-C: SIGINT to keyfob and the command at once
    else if (how === 'TERM') process.kill(keyfobPid, 'SIGTERM');
    else process.kill(-processGroupOf(keyfobPid), how === 'TERM-group' ? 'SIGTERM' : 'SIGHUP');
  }

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY, models: ['gpt-4o-mini'] });
  });

  after(async () => {
    for (const t of terminals) t.close();
    await sim?.close();
  });

  const matrix: Array<{ how: Delivery; child: 'quick' | 'slow'; status: number }> = [
    { how: 'INT', child: 'quick', status: 130 },
    { how: 'INT', child: 'slow', status: 42 },
    { how: 'TERM', child: 'quick', status: 143 },
    { how: 'TERM', child: 'slow', status: 42 },
    { how: 'TERM-group', child: 'quick', status: 143 },
    { how: 'HUP-group', child: 'quick', status: 129 },
    { how: 'HUP-group', child: 'slow', status: 42 },
  ];
  // The race of the terminal's Ctrl-C with the command's exit: more than one round of it.
  matrix.splice(1, 0, { how: 'INT', child: 'quick', status: 130 }, { how: 'INT', child: 'quick', status: 130 });
  for (const [index, { how, child, status }] of matrix.entries()) {
    const signal = `SIG${how.replace('-group', '')}`;
    it(`${how === 'INT' ? 'Ctrl-C' : how.endsWith('-group') ? `${signal} to the process group` : `${signal} to keyfob`}, command ${child} to exit: forwards, waits, revokes, exits ${status}${index > 0 && matrix[index - 1]?.how === how && matrix[index - 1]?.child === child ? ` (round ${index + 1})` : ''}`, async () => {
      const home = await connectedHome(`sig-${index}-${how}-${child}`);
      const { term, keyfobPid, leaseId } = await startExec(home, child === 'quick' ? QUICK_CHILD : SLOW_CHILD);
      deliver(how, term, keyfobPid);
      assert.equal(await term.finished(), status, term.screen());
      const screen = term.screen();
      if (child === 'slow') assert.match(screen, new RegExp(`child cleaning up after ${signal}`), 'the command got the signal');
      assert.doesNotMatch(screen, /stopped waiting/, 'the revocation was not abandoned');
      assert.deepEqual(keysOf(sim, leaseId), [], `the key is deleted on the proxy\n${screen}`);
      assert.equal(ledgerState(home, leaseId), 'revoked');
    });
  }

  for (const how of ['INT', 'TERM'] as const) {
    it(`${how === 'INT' ? 'Ctrl-C' : 'SIGTERM'} while another process holds the state lock: still revokes once the lock is free`, async () => {
      const home = await connectedHome(`sig-${how}-lock`);
      const { term, keyfobPid, childPid, leaseId } = await startExec(home, QUICK_CHILD);
      const lockFile = join(home, 'state.lock');
      writeFileSync(lockFile, JSON.stringify({ host: hostname(), pid: process.pid, nonce: 'held-by-the-test' }), { flag: 'wx' });
      try {
        deliver(how, term, keyfobPid);
        // The command is gone and keyfob is waiting for the lock: its key is still on the proxy (the revocation's
        // write-ahead record needs the lock first), keyfob still running. The cases of this suite run side by side on
        // one simulator, so only this lease's key says anything: another case's /key/delete may arrive meanwhile.
        await until(() => gone(childPid), 'the command to end');
        assert.equal(term.exitStatus(), null, `keyfob waits for the lock instead of leaving\n${term.screen()}`);
        assert.equal(keysOf(sim, leaseId).length, 1, `the key is not deleted while the lock is held\n${term.screen()}`);
        assert.equal(ledgerState(home, leaseId), 'active', 'the ledger is not changed while the lock is held');
      } finally {
        rmSync(lockFile, { force: true });
      }
      assert.equal(await term.finished(), how === 'INT' ? 130 : 143, term.screen());
      assert.doesNotMatch(term.screen(), /stopped waiting/);
      assert.deepEqual(keysOf(sim, leaseId), [], term.screen());
      assert.equal(ledgerState(home, leaseId), 'revoked');
    });
  }

  it('a second Ctrl-C after the "press Ctrl-C again" notice leaves the revocation for the next command', async () => {
    const slow = await startSimulator({ masterKey: MASTER_KEY, models: ['gpt-4o-mini'] });
    try {
      const home = await connectedHome('sig-again', slow);
      const { term, leaseId } = await startExec(home, QUICK_CHILD);
      const held = slow.hold('/key/delete'); // the proxy takes the deletion, and does not answer yet
      term.ctrlC();
      await until(() => /revoking lease [0-9a-f-]{36}…, press Ctrl-C again to leave it for later/.test(term.screen()), `the notice\n${term.screen()}`);
      const answer = await held;
      // Press again until keyfob leaves (a press within the same interruption as the first is not counted).
      await until(() => {
        if (term.exitStatus() !== null) return true;
        term.ctrlC();
        return false;
      }, `keyfob to leave\n${term.screen()}`);
      answer.release();
      assert.equal(term.exitStatus(), 130, term.screen());
      assert.match(term.screen(), /stopped waiting; lease .* stays marked for revocation/);
      assert.equal(ledgerState(home, leaseId), 'revoking', 'marked for revocation, not forgotten');
      // The next command finishes the job.
      const list = await keyfob(['lease', 'list', '--all', '--json'], { home });
      assert.equal(list.code, 0, show(list));
      assert.equal(ledgerState(home, leaseId), 'revoked');
    } finally {
      await slow.close();
    }
  });
});
