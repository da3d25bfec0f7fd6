// `keyfob setup claude-code|codex|shell` through the real binary, on throw-away HOME, CLAUDE_CONFIG_DIR and CODEX_HOME:
// the merge keeps everything else, backs the old file up, changes nothing the second time, --print writes nothing,
// --remove takes out exactly what setup added — and the helper command it writes really prints a key of the role.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseToml } from '@decimalturn/toml-patch';
import { startSimulator, type Simulator } from '../sim/index.js';
import { BIN, assertBuilt, baseEnv, collect, keyfob, show, tempHome, type RunResult } from './harness.js';

const MASTER_KEY = 'sk-cli-setup-master';

describe('keyfob setup', () => {
  let sim: Simulator;
  let home: string;
  let userHome: string;
  const ok = (r: RunResult): RunResult => {
    assert.equal(r.code, 0, show(r));
    return r;
  };
  const run = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<RunResult> => {
    if (!cwd) return keyfob(args, { home, env: { HOME: userHome, ...env } });
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: baseEnv(home, { HOME: userHome, ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
    return collect(child, '', 20_000, args);
  };
  /** Runs a helper command line the way Claude Code does (through a shell), with no Keyfob variables around. */
  // Asynchronous: the simulator answers from this very process.
  const exec = async (file: string, args: string[]): Promise<string> =>
    (await promisify(execFile)(file, args, { env: baseEnv(undefined, { HOME: userHome }), encoding: 'utf8', cwd: '/' })).stdout;
  const runHelper = (commandLine: string): Promise<string> => exec('/bin/sh', ['-c', commandLine]);

  before(async () => {
    assertBuilt();
    sim = await startSimulator({ masterKey: MASTER_KEY, realTime: true });
    home = tempHome('setup');
    userHome = tempHome('setup-user');
    ok(await keyfob(['connect', '--url', sim.url], { home, stdin: MASTER_KEY }));
    ok(await keyfob(['role', 'set', 'dev', '--ttl', '1h'], { home }));
  });

  after(async () => {
    await sim?.close();
  });

  describe('claude-code', () => {
    const original = `${JSON.stringify({ model: 'opus', permissions: { allow: ['Bash(ls:*)'] }, env: { FOO: '1' }, theme: 'dark' }, null, 2)}\n`;
    let dir: string;
    let file: string;
    before(() => {
      dir = join(tempHome('claude'), 'config');
      mkdirSync(dir, { recursive: true });
      file = join(dir, 'settings.json');
      writeFileSync(file, original);
    });
    const env = () => ({ CLAUDE_CONFIG_DIR: dir });
    const backups = () => readdirSync(dir).filter((n) => n.startsWith('settings.json.keyfob-backup-'));

    it('--print shows the change and writes nothing', async () => {
      const r = ok(await run(['setup', 'claude-code', 'dev', '--print'], env()));
      assert.match(r.stdout, /would change \(nothing written\)/);
      assert.match(r.stdout, /^\+ .*"apiKeyHelper": ".*token.*dev'?"/m);
      assert.equal(readFileSync(file, 'utf8'), original);
      assert.deepEqual(backups(), []);
    });

    it('merges the helper, the proxy URL and the helper TTL; keeps every other setting in order; backs up', async () => {
      const r = ok(await run(['setup', 'claude-code', 'dev'], env()));
      assert.match(r.stdout, /updated .*settings\.json \(previous file saved as .*keyfob-backup-/);
      const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { env: Record<string, string>; apiKeyHelper: string };
      assert.deepEqual(Object.keys(doc), ['model', 'permissions', 'env', 'theme', 'apiKeyHelper']);
      assert.deepEqual(doc.permissions, { allow: ['Bash(ls:*)'] });
      assert.deepEqual(Object.keys(doc.env), ['FOO', 'ANTHROPIC_BASE_URL', 'CLAUDE_CODE_API_KEY_HELPER_TTL_MS']);
      assert.equal(doc.env.ANTHROPIC_BASE_URL, sim.url);
      assert.equal(doc.env.CLAUDE_CODE_API_KEY_HELPER_TTL_MS, String(3 * 60_000), 'half of max(2 min, 10 % of 1 h)');
      assert.equal(backups().length, 1);
      assert.equal(readFileSync(join(dir, backups()[0] as string), 'utf8'), original);
      // The helper is absolute and carries this Keyfob home: it works from / with no KEYFOB_HOME and no PATH entry.
      assert.match(doc.apiKeyHelper, /^'\/.*node[^']*' '\/.*\/bin\/keyfob\.js' '--home' '.*' 'token' 'dev'$/);
      const key = await runHelper(doc.apiKeyHelper);
      assert.match(key, /^sk-\S+\n$/);
      assert.equal(key, ok(await keyfob(['token', 'dev'], { home })).stdout, 'the same home, the same lease');
    });

    it('a second run changes nothing', async () => {
      const before = readFileSync(file, 'utf8');
      const r = ok(await run(['setup', 'claude-code', 'dev'], env()));
      assert.match(r.stdout, /nothing to change/);
      assert.equal(readFileSync(file, 'utf8'), before);
      assert.equal(backups().length, 1);
    });

    it('warns when ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN would win over the helper', async () => {
      const r = ok(await run(['setup', 'claude-code', 'dev', '--print'], { ...env(), ANTHROPIC_API_KEY: 'sk-ant-x' }));
      assert.match(r.stderr, /^keyfob: warning: ANTHROPIC_API_KEY is set in your environment/m);
      const projectDir = tempHome('claude-project');
      mkdirSync(join(projectDir, '.claude'));
      writeFileSync(join(projectDir, '.claude', 'settings.local.json'), JSON.stringify({ env: { ANTHROPIC_AUTH_TOKEN: 'x' } }));
      const p = ok(await run(['setup', 'claude-code', 'dev', '--project'], env(), projectDir));
      assert.match(p.stderr, /ANTHROPIC_AUTH_TOKEN is set in .*settings\.local\.json/);
      const local = JSON.parse(readFileSync(join(projectDir, '.claude', 'settings.local.json'), 'utf8')) as { apiKeyHelper?: string };
      assert.match(local.apiKeyHelper ?? '', /'token' 'dev'$/, '--project writes .claude/settings.local.json in the current directory');
    });

    it('--remove takes out exactly what setup added', async () => {
      ok(await run(['setup', 'claude-code', 'dev', '--remove'], env()));
      assert.equal(readFileSync(file, 'utf8'), original);
      const again = ok(await run(['setup', 'claude-code', 'dev', '--remove'], env()));
      assert.match(again.stdout, /nothing to change/);
    });

    it('without CLAUDE_CONFIG_DIR: ~/.claude/settings.json, created', async () => {
      ok(await run(['setup', 'claude-code', 'dev']));
      const doc = JSON.parse(readFileSync(join(userHome, '.claude', 'settings.json'), 'utf8')) as { apiKeyHelper: string };
      assert.match(doc.apiKeyHelper, /'token' 'dev'$/);
    });
  });

  describe('codex', () => {
    const original = [
      '# my Codex settings',
      'model = "gpt-5" # the default',
      '',
      '[model_providers.other]',
      'name = "Other" # keep me',
      'base_url = "https://example.invalid/v1"',
      '',
      '# fast profile',
      '[profiles.fast]',
      'model = "o4-mini"',
      '',
      '# an old-style profile of ours, from an earlier setup',
      '[profiles.keyfob-dev]',
      'model_provider = "keyfob-dev"',
      '',
    ].join('\n');
    let dir: string;
    let file: string;
    let profile: string;
    before(() => {
      dir = tempHome('codex');
      file = join(dir, 'config.toml');
      profile = join(dir, 'keyfob-dev.config.toml');
      writeFileSync(file, original);
    });
    const env = () => ({ CODEX_HOME: dir });

    it('adds [model_providers.keyfob-dev] with its auth command and the profile file; comments and other tables survive', async () => {
      const printed = ok(await run(['setup', 'codex', 'dev', '--print'], env()));
      assert.match(printed.stdout, /^\+ \[model_providers\.keyfob-dev\.auth\]$/m);
      assert.equal(readFileSync(file, 'utf8'), original, '--print writes nothing');
      assert.equal(existsSync(profile), false);
      ok(await run(['setup', 'codex', 'dev'], env()));
      const text = readFileSync(file, 'utf8');
      assert.ok(text.includes('# my Codex settings\nmodel = "gpt-5" # the default\n\n[model_providers.other]\nname = "Other" # keep me\n'), text);
      assert.ok(text.includes('# fast profile\n[profiles.fast]\nmodel = "o4-mini"'), text);
      assert.doesNotMatch(text, /\[profiles\.keyfob-dev\]/, 'the legacy table Codex refuses next to --profile is gone');
      assert.match(text, /^\[model_providers\.keyfob-dev\]$/m);
      assert.match(text, /^\[model_providers\.keyfob-dev\.auth\]$/m);
      const doc = parseToml(text) as { model_providers: Record<string, Record<string, unknown>>; model: string };
      assert.equal(doc.model, 'gpt-5');
      assert.equal(doc.model_providers.other?.name, 'Other');
      const provider = doc.model_providers['keyfob-dev'] as { base_url: string; wire_api: string; env_key?: string; auth: { command: string; args: string[]; refresh_interval_ms: number } };
      assert.equal(provider.base_url, `${sim.url}/v1`);
      assert.equal(provider.wire_api, 'responses');
      assert.equal(provider.env_key, undefined, 'never env_key with auth');
      assert.equal(provider.auth.refresh_interval_ms, 3 * 60_000);
      assert.equal((parseToml(readFileSync(profile, 'utf8')) as { model_provider?: string }).model_provider, 'keyfob-dev');
      const key = await exec(provider.auth.command, provider.auth.args);
      assert.equal(key, ok(await keyfob(['token', 'dev'], { home })).stdout);
    });

    it('idempotent, with one backup of the original; --remove takes out the provider and the profile file', async () => {
      const before = readFileSync(file, 'utf8');
      assert.match(ok(await run(['setup', 'codex', 'dev'], env())).stdout, /nothing to change/);
      assert.equal(readFileSync(file, 'utf8'), before);
      const backups = readdirSync(dir).filter((n) => n.startsWith('config.toml.keyfob-backup-'));
      assert.equal(backups.length, 1);
      assert.equal(readFileSync(join(dir, backups[0] as string), 'utf8'), original);
      ok(await run(['setup', 'codex', 'dev', '--remove'], env()));
      const after = readFileSync(file, 'utf8');
      assert.doesNotMatch(after, /keyfob-dev/);
      assert.ok(after.includes('[model_providers.other]\nname = "Other" # keep me') && after.includes('# fast profile\n[profiles.fast]'), after);
      assert.equal(existsSync(profile), false);
    });

    it('a new config.toml under ~/.codex', async () => {
      ok(await run(['setup', 'codex', 'dev']));
      const doc = parseToml(readFileSync(join(userHome, '.codex', 'config.toml'), 'utf8')) as { model_providers: Record<string, unknown> };
      assert.ok(doc.model_providers['keyfob-dev']);
      assert.ok(existsSync(join(userHome, '.codex', 'keyfob-dev.config.toml')));
    });
  });

  describe('shell', () => {
    it('prints a line per shell; the bash line, evaluated, sets the variables', async () => {
      const all = ok(await run(['setup', 'shell', 'dev'])).stdout;
      for (const file of ['~/.bashrc', '~/.zshrc', '~/.config/fish/config.fish', '$PROFILE']) assert.ok(all.includes(file), file);
      const line = ok(await run(['setup', 'shell', 'dev', '--shell', 'bash'])).stdout.trim();
      assert.match(line, /^eval "\$\(.* 'env' 'dev' '--for-shell' '--format' 'sh'\)"$/);
      const out = await exec('bash', ['-c', `${line}; printf '%s\\n' "$OPENAI_BASE_URL" "$OPENAI_API_KEY" "\${ANTHROPIC_AUTH_TOKEN-unset}"`]);
      const [base, key, anthropic] = out.trim().split('\n');
      assert.equal(base, `${sim.url}/v1`);
      assert.equal(anthropic, 'unset', 'the shell line leaves out what Claude Code prefers to its helper');
      assert.equal(`${key}\n`, ok(await keyfob(['token', 'dev'], { home })).stdout);
    });

    it('an unknown shell is a usage error', async () => {
      const r = await run(['setup', 'shell', 'dev', '--shell', 'tcsh']);
      assert.equal(r.code, 2, show(r));
    });
  });

  describe('models the role allows (issue 18)', () => {
    before(async () => {
      ok(await keyfob(['role', 'set', 'limited', '--models', 'gpt-4o,claude-haiku-4-5,claude-sonnet-4-5', '--ttl', '1h'], { home }));
      ok(await keyfob(['role', 'set', 'gptonly', '--models', 'gpt-4o', '--ttl', '1h'], { home }));
    });

    it('claude-code writes a Claude model the role allows (and its small one), and says which and how to change it', async () => {
      const dir = tempHome('claude-models');
      const r = ok(await run(['setup', 'claude-code', 'limited'], { CLAUDE_CONFIG_DIR: dir }));
      assert.match(r.stdout, /Claude Code will use claude-sonnet-4-5 \(small tasks: claude-haiku-4-5\), a model role limited allows; change it with `keyfob setup claude-code limited --model MODEL`/);
      const doc = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { env: Record<string, string> };
      assert.equal(doc.env.ANTHROPIC_MODEL, 'claude-sonnet-4-5');
      assert.equal(doc.env.ANTHROPIC_SMALL_FAST_MODEL, 'claude-haiku-4-5');
      ok(await run(['setup', 'claude-code', 'limited', '--model', 'claude-haiku-4-5'], { CLAUDE_CONFIG_DIR: dir }));
      assert.equal((JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { env: Record<string, string> }).env.ANTHROPIC_MODEL, 'claude-haiku-4-5', '--model wins');
    });

    it('codex writes the model in its profile; a role with no model the tool speaks gets a warning naming its models', async () => {
      const dir = tempHome('codex-models');
      const r = ok(await run(['setup', 'codex', 'limited'], { CODEX_HOME: dir }));
      assert.match(r.stdout, /Codex will use gpt-4o, a model role limited allows/);
      assert.equal((parseToml(readFileSync(join(dir, 'keyfob-limited.config.toml'), 'utf8')) as { model?: string }).model, 'gpt-4o');
      const w = ok(await run(['setup', 'claude-code', 'gptonly', '--print'], { CLAUDE_CONFIG_DIR: tempHome('claude-gpt') }));
      assert.match(w.stderr, /keyfob: warning: role gptonly allows gpt-4o: none is a model Claude Code can speak/);
      const all = ok(await run(['setup', 'codex', 'dev', '--print'], { CODEX_HOME: tempHome('codex-all') }));
      assert.match(all.stdout, /Role dev allows every model: Codex uses its own default/);
    });
  });

  describe('targets (issue 21)', () => {
    it('--project refuses a symlinked .claude/settings.local.json, says why, and copies nothing', async () => {
      const projectDir = tempHome('claude-planted');
      const secret = join(tempHome('docker'), 'config.json');
      const secretText = '{"auths": {"registry.example": {"auth": "c2VjcmV0"}}}';
      writeFileSync(secret, secretText);
      mkdirSync(join(projectDir, '.claude'));
      symlinkSync(secret, join(projectDir, '.claude', 'settings.local.json'));
      const r = await run(['setup', 'claude-code', 'dev', '--project'], {}, projectDir);
      assert.notEqual(r.code, 0, show(r));
      assert.match(r.stderr, /settings\.local\.json is a symbolic link: in a project, setup writes only a file of the project itself/);
      assert.equal(readFileSync(secret, 'utf8'), secretText);
      assert.deepEqual(readdirSync(join(projectDir, '.claude')), ['settings.local.json'], 'no backup of the secrets in the repository');
    });

    it('a symlinked ~/.claude/settings.json (dotfiles) stays a link; its target is updated', async () => {
      const user = tempHome('claude-dotfiles');
      const target = join(tempHome('dotfiles'), 'claude-settings.json');
      writeFileSync(target, '{"theme": "dark"}\n');
      mkdirSync(join(user, '.claude'));
      symlinkSync(target, join(user, '.claude', 'settings.json'));
      ok(await run(['setup', 'claude-code', 'dev'], { HOME: user }));
      assert.ok(lstatSync(join(user, '.claude', 'settings.json')).isSymbolicLink());
      assert.match((JSON.parse(readFileSync(target, 'utf8')) as { apiKeyHelper: string }).apiKeyHelper, /'token' 'dev'$/);
    });

    it('concurrent `setup codex` runs take turns: no provider lost, no raw EEXIST', async () => {
      const roles = ['c1', 'c2', 'c3', 'c4'];
      for (const role of roles) ok(await keyfob(['role', 'set', role, '--ttl', '1h'], { home }));
      for (let round = 0; round < 3; round++) {
        const dir = tempHome('codex-race');
        writeFileSync(join(dir, 'config.toml'), 'model = "gpt-5"\n');
        // Each waits for the others' turns: a generous bound, as a loaded machine runs four CLIs slowly.
        const results = await Promise.all(roles.map((role) => keyfob(['setup', 'codex', role], { home, env: { HOME: userHome, CODEX_HOME: dir }, timeoutMs: 90_000 })));
        for (const r of results) assert.equal(r.code, 0, show(r));
        assert.ok(results.every((r) => !/EEXIST/.test(r.stderr)));
        const doc = parseToml(readFileSync(join(dir, 'config.toml'), 'utf8')) as { model_providers: Record<string, unknown> };
        assert.deepEqual(Object.keys(doc.model_providers).sort(), roles.map((r) => `keyfob-${r}`), `round ${round}`);
      }
    });
  });
});
