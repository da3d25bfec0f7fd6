// Issue 18, "fast, honest failure", through the real binary: against a proxy that never answers, `keyfob issue`
// sends one request and gives up after one request timeout (it used to send four, each waiting the full timeout),
// and its message says how long the issue took. Asserted on the requests made and the words, never on a duration.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome, type RunResult } from '../cli/harness.js';

const MASTER_KEY = 'sk-hung-proxy-master';

describe('keyfob issue against a hung proxy', () => {
  let sim: Simulator;
  let home: string;

  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY });
    home = tempHome('hung-proxy');
    ok(await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY }));
    ok(await keyfob(['role', 'set', 'dev', '--ttl', '30m'], { home }));
    ok(await keyfob(['config', 'set', 'request-timeout', '1s'], { home }));
  });

  after(async () => {
    sim?.clearFaults();
    await sim?.close();
  });

  it('one request, one timeout, and the real time in the message', async () => {
    sim.fault('*', { kind: 'hang', count: Infinity });
    const sent = sim.requests.length;
    const r = await keyfob(['issue', 'dev'], { home });
    assert.equal(r.code, 1, show(r));
    assert.equal(sim.requests.length - sent, 1, `one request, not four: ${sim.requests.slice(sent).map((q) => q.path).join(', ')}`);
    assert.match(r.stderr, /Issuing a key for role "dev" failed after \d+ s: .*did not answer within 1 s/);
    assert.equal(r.stdout, '', 'no key');
  });
});
