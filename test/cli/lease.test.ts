// End to end through the real binary: issue in every output mode, lease list/renew/revoke, against the simulator.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSettingsStore } from '../../main/core/settings/settings-store.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import { assertBuilt, keyfob, show, tempHome, type RunResult } from './harness.js';

const MASTER_KEY = 'sk-cli-lease-master';

interface IssuedJson {
  lease_id: string;
  key: string;
  key_alias: string;
  role: string;
  models: string[];
  max_budget: number;
  issued_at: string;
  expires_at: string | null;
  max_expires_at: string | null;
  renewable: boolean;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('keyfob issue and lease', () => {
  let sim: Simulator;
  let home: string;

  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };
  const issueJson = async (role: string): Promise<IssuedJson> => JSON.parse(ok(await keyfob(['issue', role, '--json'], { home })).stdout) as IssuedJson;
  const simKeyFor = (alias: string) => sim.keys().find((k) => k.key_alias === alias);

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY });
    home = tempHome('lease');
    ok(await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY }));
    await Promise.all([
      keyfob(['role', 'set', 'dev', '--models', 'gpt-4o-mini', '--ttl', '30m', '--max-ttl', '2h', '--max-budget', '3'], { home }).then(ok),
      keyfob(['role', 'set', 'ci', '--ttl', '10m', '--max-ttl', '15m'], { home }).then(ok),
    ]);
  });

  after(async () => {
    await sim?.close();
  });

  it('issue prints the key alone on stdout and a summary on stderr', async () => {
    const r = ok(await keyfob(['issue', 'dev'], { home }));
    assert.match(r.stdout, /^sk-[A-Za-z0-9_-]+\n$/, 'only the key, one line');
    const key = r.stdout.trim();
    assert.match(r.stderr, /^keyfob: issued lease [0-9a-f-]{36} \(role dev, alias keyfob-dev-[0-9a-f]{8}\) expires in \d+m.*, renewable up to 2h after issue$/m);
    assert.ok(!r.stderr.includes(key), 'the summary does not repeat the key');
    const alias = /alias (\S+)\)/.exec(r.stderr)?.[1] ?? '';
    const row = simKeyFor(alias);
    assert.ok(row, 'the proxy holds the key');
    assert.deepEqual(row.models, ['gpt-4o-mini']);
    assert.ok(sim.liveKeys().some((k) => k.key_alias === alias));
  });

  it('issue --json prints exactly the promised fields', async () => {
    const issued = await issueJson('dev');
    assert.deepEqual(Object.keys(issued), [
      'lease_id', 'key', 'key_alias', 'role', 'models', 'max_budget', 'issued_at', 'expires_at', 'max_expires_at', 'renewable',
    ]);
    assert.match(issued.key, /^sk-/);
    assert.equal(issued.role, 'dev');
    assert.deepEqual(issued.models, ['gpt-4o-mini']);
    assert.equal(issued.max_budget, 3);
    assert.equal(issued.renewable, true);
    for (const t of [issued.issued_at, issued.expires_at, issued.max_expires_at]) assert.match(t ?? '', ISO_UTC);
    assert.equal(Date.parse(issued.max_expires_at ?? '') - Date.parse(issued.issued_at), 2 * 3600_000);
    assert.ok(simKeyFor(issued.key_alias), 'simKeyFor(issued.key_alias) is set');
  });

  it('issue --env prints shell-quoted exports a shell can eval', async () => {
    const [openai, anthropic, both] = await Promise.all([
      keyfob(['issue', 'dev', '--env', 'openai'], { home }),
      keyfob(['issue', 'dev', '--env', 'anthropic'], { home }),
      keyfob(['issue', '--env', 'dev'], { home }),
    ]);
    const evaluate = (r: RunResult, names: string[]): string[] => {
      ok(r);
      const script = `${r.stdout}\n${names.map((n) => `printf '%s\\n' "\${${n}-unset}"`).join('\n')}`;
      return execFileSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH } }).trim().split('\n');
    };
    const names = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN'];

    assert.match(openai.stdout, /^export OPENAI_API_KEY='sk-[^']+'\nexport OPENAI_BASE_URL='[^']+'\n$/);
    const [oKey, oUrl, oAnthUrl, oAnthToken] = evaluate(openai, names);
    assert.match(oKey ?? '', /^sk-/);
    assert.equal(oUrl, `${sim.url}/v1`);
    assert.deepEqual([oAnthUrl, oAnthToken], ['unset', 'unset']);

    const [aKey, aUrl, aAnthUrl, aAnthToken] = evaluate(anthropic, names);
    assert.deepEqual([aKey, aUrl], ['unset', 'unset']);
    assert.equal(aAnthUrl, sim.url);
    assert.match(aAnthToken ?? '', /^sk-/);

    const [bKey, bUrl, bAnthUrl, bAnthToken] = evaluate(both, names);
    assert.equal(bKey, bAnthToken, 'one lease, one key in both sets');
    assert.deepEqual([bUrl, bAnthUrl], [`${sim.url}/v1`, sim.url]);
  });

  it('issue refuses bad usage with exit 2', async () => {
    const [combined, badEnv, noRole, unknownRole] = await Promise.all([
      keyfob(['issue', 'dev', '--json', '--env', 'openai'], { home }),
      keyfob(['issue', 'dev', '--env=cohere'], { home }),
      keyfob(['issue'], { home }),
      keyfob(['issue', 'nosuch'], { home }),
    ]);
    assert.equal(combined.code, 2, show(combined));
    assert.match(combined.stderr, /--env: cannot be combined with --json/);
    assert.equal(badEnv.code, 2, show(badEnv));
    assert.match(badEnv.stderr, /--env: must be openai or anthropic/);
    assert.equal(noRole.code, 2, show(noRole));
    assert.match(noRole.stderr, /ROLE: missing/);
    assert.equal(unknownRole.code, 2, show(unknownRole));
    assert.match(unknownRole.stderr, /^keyfob: ROLE: there is no role "nosuch"\nhint: roles: ci, dev \(`keyfob role list`\)$/m);
    for (const r of [combined, badEnv, noRole, unknownRole]) assert.equal(r.stdout, '');
  });

  it('issue --copy puts the key on the clipboard, not on stdout, and clears it later', async () => {
    // A stand-in for xclip: the CLI finds it on PATH in an X session and talks to it as it would to the real one.
    const dir = tempHome('clipboard');
    const clip = join(dir, 'clipboard');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'xclip'), `#!/bin/sh\ncase "$*" in *-out*) cat "${clip}" 2>/dev/null ;; *) cat > "${clip}" ;; esac\n`, { mode: 0o755 });
    const store = openSettingsStore({ stateDir: home });
    store.update((c) => ({ ...c, settings: { ...c.settings, clipboard_clear_seconds: 1 } }));
    const env = { DISPLAY: ':99', PATH: `${join(dir, 'bin')}${delimiter}${process.env.PATH ?? ''}` };

    const r = ok(await keyfob(['issue', 'dev', '--copy'], { home, env }));
    assert.equal(r.stdout, '', 'the key is not printed');
    assert.match(r.stderr, /copied to the clipboard \(cleared in 1s\)/);
    assert.match(readFileSync(clip, 'utf8'), /^sk-[A-Za-z0-9_-]+$/);
    // The detached helper clears it (real time: it is another process); poll with a deadline rather than sleep.
    const deadline = Date.now() + 30_000;
    while (readFileSync(clip, 'utf8') !== '' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(readFileSync(clip, 'utf8'), '', 'cleared after the delay');
    store.update((c) => ({ ...c, settings: { ...c.settings, clipboard_clear_seconds: 30 } }));

    const noClipboard = await keyfob(['issue', 'dev', '--copy'], { home });
    assert.equal(noClipboard.code, 1, show(noClipboard));
    assert.match(noClipboard.stderr, /^keyfob: no clipboard is available/m);
    assert.match(noClipboard.stderr, /^hint: install wl-clipboard/m);
  });

  it('lists leases without keys, renews, and revokes (twice is fine)', async () => {
    const issued = await issueJson('dev');
    const [plain, asJson] = await Promise.all([keyfob(['lease', 'list'], { home }), keyfob(['lease', 'list', '--json'], { home })]);
    assert.match(ok(plain).stdout, new RegExp(`^${issued.lease_id.slice(0, 8)}\\s+dev\\s+active\\s+in \\d+m`, 'm'));
    for (const line of plain.stdout.split('\n')) assert.ok(line.length <= 80, `fits 80 columns: ${JSON.stringify(line)}`);
    const leases = JSON.parse(ok(asJson).stdout) as Array<Record<string, unknown>>;
    const listed = leases.find((l) => l.lease_id === issued.lease_id);
    assert.ok(listed, 'the new lease is listed');
    assert.deepEqual(Object.keys(listed), [
      'lease_id', 'key_alias', 'role', 'models', 'max_budget', 'issued_at', 'expires_at', 'max_expires_at', 'renewable', 'state',
    ]);
    assert.equal(listed.state, 'active');
    assert.ok(!asJson.stdout.includes(issued.key) && !plain.stdout.includes(issued.key), 'no key in lease lists');

    const renewed = ok(await keyfob(['lease', 'renew', issued.lease_id, '--increment', '1h', '--json'], { home }));
    const after = JSON.parse(renewed.stdout) as { expires_at: string; state: string };
    assert.equal(after.state, 'active');
    assert.ok(Date.parse(after.expires_at) > Date.parse(issued.expires_at ?? '') + 25 * 60_000, 'about an hour from now, not 30m');
    assert.equal(simKeyFor(issued.key_alias)?.expires, new Date(Date.parse(after.expires_at)).toISOString(), 'the proxy has the new expiry');

    // Renewing far past the max TTL is capped, and says so; a short id prefix is enough.
    const capped = ok(await keyfob(['lease', 'renew', issued.lease_id.slice(0, 8), '--increment', '1d'], { home }));
    // One expiry, in local time: not a second time that differs by milliseconds.
    assert.match(capped.stdout, /^Renewed lease [0-9a-f-]{36} up to its max TTL: expires in 1h \d+m \(at (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\); it cannot be renewed further\.\n$/);
    assert.equal(capped.stdout.match(/\d\d:\d\d:\d\d/g)?.length, 1);
    assert.doesNotMatch(capped.stderr, /capped|\dT\d/);

    const [badIncrement, badId, unknownId] = await Promise.all([
      keyfob(['lease', 'renew', issued.lease_id, '--increment', 'forever'], { home }),
      keyfob(['lease', 'renew', 'not-a-lease'], { home }),
      keyfob(['lease', 'renew', '00000000-0000-4000-8000-000000000000'], { home }),
    ]);
    assert.equal(badIncrement.code, 2, show(badIncrement));
    assert.match(badIncrement.stderr, /--increment: "forever" is not a duration/);
    assert.equal(badId.code, 2, show(badId));
    assert.match(badId.stderr, /LEASE_ID: must be a lease id/);
    assert.equal(unknownId.code, 2, show(unknownId));
    assert.match(unknownId.stderr, /hint: .*keyfob lease list --all/);

    const revoked = ok(await keyfob(['lease', 'revoke', issued.lease_id], { home }));
    assert.match(revoked.stdout, /^Revoked lease /);
    assert.equal(simKeyFor(issued.key_alias), undefined, 'the key is deleted on the proxy');
    const again = ok(await keyfob(['lease', 'revoke', issued.lease_id], { home }));
    assert.match(again.stdout, /has already ended \(revoked/);

    const [all, live] = await Promise.all([keyfob(['lease', 'list', '--all', '--json'], { home }), keyfob(['lease', 'list', '--json'], { home })]);
    assert.equal((JSON.parse(ok(all).stdout) as Array<{ lease_id: string; state: string }>).find((l) => l.lease_id === issued.lease_id)?.state, 'revoked');
    assert.ok(!(JSON.parse(ok(live).stdout) as Array<{ lease_id: string }>).some((l) => l.lease_id === issued.lease_id), 'ended leases only with --all');
  });

  it('lease list names what keeps a lease alive: the helper that asked for it', async () => {
    const token = ok(await keyfob(['token', 'dev', '--json'], { home }));
    const { lease_id } = JSON.parse(token.stdout) as { lease_id: string };
    const plain = ok(await keyfob(['lease', 'list'], { home }));
    assert.match(plain.stdout, /^ID\s+ROLE\s+STATE\s+EXPIRES\s+KEY\s+KEPT BY$/m);
    assert.match(plain.stdout, new RegExp(`^${lease_id.slice(0, 8)}\\s+dev\\s+active\\s.*\\skeyfob token$`, 'm'));
    for (const line of plain.stdout.split('\n')) assert.ok(line.length <= 80, `fits 80 columns: ${JSON.stringify(line)}`);
  });

  it('revokes by role and then everything', async () => {
    const [dev, ci1, ci2] = await Promise.all([issueJson('dev'), issueJson('ci'), issueJson('ci')]);
    const byRole = ok(await keyfob(['lease', 'revoke', '--role', 'ci'], { home }));
    assert.match(byRole.stdout, /^Revoked 2 leases of role ci\./);
    assert.equal(simKeyFor(ci1.key_alias), undefined);
    assert.equal(simKeyFor(ci2.key_alias), undefined);
    assert.ok(simKeyFor(dev.key_alias), 'other roles are untouched');

    const all = ok(await keyfob(['lease', 'revoke', '--all'], { home }));
    assert.match(all.stdout, /^Revoked \d+ leases?\./);
    assert.deepEqual(sim.liveKeys(), [], 'no key is left on the proxy');
    const status = JSON.parse(ok(await keyfob(['status', '--json'], { home })).stdout) as { live_leases: number };
    assert.equal(status.live_leases, 0);

    const [none, both] = await Promise.all([
      keyfob(['lease', 'revoke'], { home }),
      keyfob(['lease', 'revoke', dev.lease_id, '--all'], { home }),
    ]);
    assert.equal(none.code, 2, show(none));
    assert.equal(both.code, 2, show(both));
  });
});
