// The CLI side of the admin key's binding, through the real binary: `keyfob connect --url X` never reuses the stored
// key for another host (it asks for one), and a settings file pointed elsewhere behind Keyfob's back sends nothing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import keytar from '@github/keytar';
import { keychainServiceFor } from '../../main/core/settings/paths.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome } from '../cli/harness.js';
import { startHostileServer, type HostileServer } from './hostile-server.js';

const MASTER_KEY = 'sk-cli-binding-master-5150';

describe('the admin key stays with its proxy (CLI)', () => {
  let sim: Simulator;
  let hostile: HostileServer;
  let home: string;

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY });
    hostile = await startHostileServer();
    home = tempHome('binding');
    const connected = await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY });
    assert.equal(connected.code, 0, show(connected));
  });

  after(async () => {
    for (const account of ['admin-key', 'admin-key-binding']) await keytar.deletePassword(keychainServiceFor(home), account).catch(() => false);
    await hostile?.close();
    await sim?.close();
  });

  it('keyfob connect --url <another host> without a key asks for one and sends nothing', async () => {
    const r = await keyfob(['connect', '--url', hostile.url], { home, stdin: '' });
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /no LiteLLM key on stdin/, show(r));
    assert.deepEqual(hostile.requests, [], 'nothing reached the other host');
  });

  it('a settings file pointed at another host: commands refuse, and the key never leaves', async () => {
    const file = join(home, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { settings: Record<string, unknown> };
    config.settings.litellm_url = hostile.url;
    writeFileSync(file, JSON.stringify(config));
    const models = await keyfob(['models'], { home });
    assert.equal(models.code, 1, show(models));
    assert.match(models.stderr, /LiteLLM key is needed again: the stored LiteLLM key was entered for http:\/\/127\.0\.0\.1/, show(models));
    assert.deepEqual(hostile.carrying(MASTER_KEY), []);

    // Entering the key again for that host is what moves it.
    const again = await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY });
    assert.equal(again.code, 0, show(again));
    assert.equal((await keyfob(['models'], { home })).code, 0);
  });
});
