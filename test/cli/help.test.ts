// `--help` on every command through the real binary (exit 0, usage and an example on stdout), and the usage errors
// of the dispatcher itself (exit 2). None of these touch the keychain or the network.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { COMMANDS } from '../../main/cli/commands/index.js';
import { assertBuilt, keyfob, show, tempHome } from './harness.js';

describe('keyfob --help and usage errors', () => {
  let home: string;

  before(() => {
    assertBuilt();
    home = tempHome('help');
  });

  it('every command has --help with its usage and an example', async () => {
    const results = await Promise.all(COMMANDS.map((c) => keyfob([...c.name.split(' '), '--help'], { home })));
    COMMANDS.forEach((command, i) => {
      const r = results[i];
      assert.ok(r, 'r is set');
      assert.equal(r.code, 0, `${command.name}: ${show(r)}`);
      assert.ok(r.stdout.startsWith(`Usage: keyfob ${command.name}`), `${command.name}: ${r.stdout}`);
      assert.match(r.stdout, /\nExamples?:\n {2}keyfob /, `${command.name} shows an example`);
      assert.match(r.stdout, /--home DIR/);
      assert.equal(r.stderr, '');
    });
  });

  it('keyfob --help, help <command>, group help and --version', async () => {
    const [main, helpCmd, group, groupHelp, version, execHelpAfterDashes] = await Promise.all([
      keyfob(['--help'], { home }),
      keyfob(['help', 'lease', 'renew'], { home }),
      keyfob(['role'], { home }),
      keyfob(['lease', '-h'], { home }),
      keyfob(['--version'], { home }),
      keyfob(['exec', 'dev', '--', 'node', '--help'], { home: tempHome('help-exec') }),
    ]);
    assert.equal(main.code, 0, show(main));
    for (const c of COMMANDS) assert.match(main.stdout, new RegExp(`^ {2}${c.name} `, 'm'), `${c.name} is listed`);
    assert.match(main.stdout, /Exit status: 0 success; 1 the operation failed .*; 2 bad usage/);
    assert.equal(helpCmd.code, 0, show(helpCmd));
    assert.match(helpCmd.stdout, /^Usage: keyfob lease renew LEASE_ID/);
    assert.equal(group.code, 2, show(group));
    assert.match(group.stderr, /^Usage: keyfob role <command>/);
    assert.equal(groupHelp.code, 0, show(groupHelp));
    assert.match(groupHelp.stdout, /renew LEASE_ID/);
    assert.equal(version.code, 0, show(version));
    assert.match(version.stdout, /^keyfob \d+\.\d+\.\d+\n$/);
    // --help after `--` belongs to the command, not to keyfob: this one fails for want of a connection instead.
    assert.notEqual(execHelpAfterDashes.code, 0);
    assert.doesNotMatch(execHelpAfterDashes.stdout, /^Usage: keyfob exec/);
  });

  it('bad usage exits 2 with a one-line reason and a hint', async () => {
    const [nothing, unknown, unknownSub, unknownGlobal, emptyHome] = await Promise.all([
      keyfob([], { home }),
      keyfob(['frobnicate'], { home }),
      keyfob(['lease', 'extend'], { home }),
      keyfob(['--quiet', 'status'], { home }),
      keyfob(['--home', '', 'status'], { home }),
    ]);
    assert.equal(nothing.code, 2, show(nothing));
    assert.match(nothing.stderr, /^Usage: keyfob/);
    for (const r of [unknown, unknownSub, unknownGlobal, emptyHome]) {
      assert.equal(r.code, 2, show(r));
      const lines = r.stderr.trim().split('\n');
      assert.match(lines[0] ?? '', /^keyfob: /);
      assert.match(lines.at(-1) ?? '', /^hint: /);
      assert.equal(r.stdout, '');
    }
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    assert.match(unknownSub.stderr, /unknown command "lease extend"/);
    assert.match(unknownGlobal.stderr, /unknown option --quiet/);
  });
});
