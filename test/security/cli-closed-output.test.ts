// The CLI against output that goes away: `keyfob issue dev --json | head -c0` closes stdout before the key is
// printed. The command ends quietly (no stack trace), and the lease it issued stays known in the ledger, to be
// listed and revoked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, collect, keyfob, show, startKeyfob, tempHome } from '../cli/harness.js';

const MASTER_KEY = 'sk-cli-closed-output-master';

describe('a closed stdout', () => {
  let sim: Simulator;
  let home: string;

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY });
    home = tempHome('closed-stdout');
    assert.equal((await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY })).code, 0);
    assert.equal((await keyfob(['role', 'set', 'dev', '--ttl', '15m', '--max-ttl', '1h'], { home })).code, 0);
  });

  after(async () => {
    await sim?.close();
  });

  for (const args of [['issue', 'dev', '--json'], ['issue', 'dev'], ['lease', 'list']]) {
    it(`keyfob ${args.join(' ')} | head -c0: exits quietly, and no lease is lost`, async () => {
      const before = sim.liveKeys().length;
      const child = startKeyfob(args, { home });
      child.stdout?.destroy(); // the reader is gone before anything is written: the next write fails with EPIPE
      const r = await collect(child, '', 20_000, args);
      assert.doesNotMatch(r.stderr, /EPIPE|Error:|\n\s+at /, show(r));
      assert.equal(r.signal, null, show(r));
      assert.equal(r.code, 0, show(r));
      const issued = sim.liveKeys().length - before;
      const list = await keyfob(['lease', 'list', '--json'], { home });
      const active = (JSON.parse(list.stdout) as Array<{ state: string }>).filter((l) => l.state === 'active').length;
      assert.equal(active, sim.liveKeys().length, 'every live key on the proxy is a lease the ledger knows');
      if (args[0] === 'issue') assert.equal(issued, 1, 'the issue itself went through');
    });
  }
});
