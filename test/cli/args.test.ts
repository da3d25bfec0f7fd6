import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyfobError } from '../../main/core/errors.js';
import { expandOptionalValue, parseCommandArgs, splitAtTerminator, wantsHelp, type ArgSpec } from '../../main/cli/args.js';
import { roleChangesFromArgs, roleSetCommand } from '../../main/cli/commands/role.js';
import { exitCodeFor, renderError } from '../../main/cli/failure.js';
import { checkSecret } from '../../main/cli/prompt.js';
import { parseAmount, parseKeyValues, parseOptionalWholeNumber, parseWholeNumber } from '../../main/cli/validate.js';

const spec: ArgSpec = {
  options: {
    json: { type: 'boolean', help: '' },
    models: { type: 'string', help: '' },
    metadata: { type: 'string', multiple: true, help: '' },
    n: { type: 'string', short: 'n', help: '' },
  },
  positionals: [{ name: 'NAME', required: true }],
};

function usageFailure(fn: () => unknown): KeyfobError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KeyfobError, `expected a KeyfobError, got ${String(e)}`);
    assert.equal(exitCodeFor(e), 2);
    return e;
  }
  assert.fail('expected a usage error');
}

describe('parseCommandArgs', () => {
  it('parses options, repeated options, short options and positionals', () => {
    const parsed = parseCommandArgs(spec, ['dev', '--json', '--models', 'a,b', '--metadata', 'x=1', '--metadata=y=2', '-n', '5']);
    assert.deepEqual(parsed.positionals, ['dev']);
    assert.equal(parsed.values.json, true);
    assert.equal(parsed.values.models, 'a,b');
    assert.deepEqual(parsed.values.metadata, ['x=1', 'y=2']);
    assert.equal(parsed.values.n, '5');
  });

  it('reports every problem at once, naming each flag', () => {
    const e = usageFailure(() => parseCommandArgs(spec, ['--bogus', '--json=yes', '--models', '--json', 'a', 'b']));
    const fields = e.fields.map((f) => f.field);
    assert.deepEqual(fields, ['--bogus', '--json', '--models', 'arguments']);
    assert.match(e.fields[0]?.message ?? '', /accepted: --json, --models, --metadata, --n/);
    assert.match(e.fields[2]?.message ?? '', /needs a value/);
  });

  it('names a missing positional', () => {
    const e = usageFailure(() => parseCommandArgs(spec, ['--json']));
    assert.deepEqual(e.fields, [{ field: 'NAME', message: 'missing' }]);
  });

  it('accepts values starting with "-" only in --flag=value form', () => {
    usageFailure(() => parseCommandArgs(spec, ['dev', '--models', '-x']));
    assert.equal(parseCommandArgs(spec, ['dev', '--models=-x']).values.models, '-x');
  });

  it('refuses secrets as flags, saying why', () => {
    for (const flag of ['--key', '--admin-key=sk-1234', '--master-key', '--api-key']) {
      const e = usageFailure(() => parseCommandArgs(spec, ['dev', flag]));
      assert.match(e.message, /process list/);
      assert.ok(!e.message.includes('sk-1234'), 'the refused secret is not echoed');
    }
  });
});

describe('argument helpers', () => {
  it('splits exec command lines at the first --', () => {
    assert.deepEqual(splitAtTerminator(['dev', '--env', 'openai', '--', 'node', '--', '-e']), {
      own: ['dev', '--env', 'openai'],
      command: ['node', '--', '-e'],
    });
    assert.deepEqual(splitAtTerminator(['dev']), { own: ['dev'], command: null });
  });

  it('finds --help only before --', () => {
    assert.equal(wantsHelp(['dev', '-h']), true);
    assert.equal(wantsHelp(['dev', '--', 'ls', '--help']), false);
  });

  it('gives --env an optional value', () => {
    const expand = (argv: string[]): string[] => expandOptionalValue(argv, '--env', ['openai', 'anthropic'], 'both');
    assert.deepEqual(expand(['dev', '--env']), ['dev', '--env=both']);
    assert.deepEqual(expand(['--env', 'dev']), ['--env=both', 'dev']);
    assert.deepEqual(expand(['dev', '--env', 'openai']), ['dev', '--env', 'openai']);
    assert.deepEqual(expand(['dev', '--env', '--', 'x', '--env']), ['dev', '--env=both', '--', 'x', '--env']);
  });
});

describe('value validation', () => {
  it('whole numbers, amounts, key=value', () => {
    assert.equal(parseWholeNumber('42'), 42);
    assert.throws(() => parseWholeNumber('-1'), /whole number ≥ 0/);
    assert.throws(() => parseWholeNumber('1.5'), /whole number/);
    assert.equal(parseOptionalWholeNumber('none'), null);
    assert.equal(parseAmount('2.50'), 2.5);
    assert.throws(() => parseAmount('-3'), /USD ≥ 0/);
    assert.deepEqual(parseKeyValues(['team=ml', 'note=a=b']), { team: 'ml', note: 'a=b' });
    assert.throws(() => parseKeyValues(['=x', 'novalue']), /KEY=VALUE/);
  });

  it('role set: every invalid flag is listed under its own name', () => {
    const parsed = parseCommandArgs(roleSetCommand.args, [
      'Bad Name!', '--ttl', 'soon', '--max-ttl', '8h', '--tpm=-5x', '--max-budget=-1', '--metadata', 'oops', '--budget-duration', '30days',
    ]);
    const e = usageFailure(() => roleChangesFromArgs(parsed));
    assert.deepEqual(e.fields.map((f) => f.field).sort(), ['--budget-duration', '--max-budget', '--metadata', '--tpm', '--ttl', 'NAME'].sort());
  });

  it('role set: valid flags become role fields', () => {
    const parsed = parseCommandArgs(roleSetCommand.args, ['Dev', '--models', 'a, b,', '--ttl', '30m', '--max-ttl', '8h', '--rpm', 'none', '--metadata', 'team=ml']);
    assert.deepEqual(roleChangesFromArgs(parsed), {
      name: 'dev',
      changes: { models: ['a', 'b'], ttl: 1800, max_ttl: 28_800, rpm_limit: null, metadata: { team: 'ml' } },
    });
  });

  it('secrets read from stdin: trimmed, one line, not empty', () => {
    assert.equal(checkSecret('sk-abc\n', 'admin key', false), 'sk-abc');
    assert.throws(() => checkSecret('  \n', 'admin key', false), /no admin key on stdin/);
    assert.throws(() => checkSecret('sk-a\nsk-b\n', 'admin key', false), /one line/);
  });
});

describe('error report', () => {
  it('one line per problem, a hint, and never a key', () => {
    const lines = renderError(new KeyfobError('server-error', 'proxy said: bad key sk-abcdefghijklmnop', { hint: 'try later' }));
    assert.deepEqual(lines, ['keyfob: proxy said: bad key sk-...mnop', 'hint: try later']);
  });

  it('usage errors get the command help hint; operation errors exit 1', () => {
    const usage = renderError(new KeyfobError('validation', 'x', { fields: [{ field: '--ttl', message: 'bad' }] }), 'see help');
    assert.deepEqual(usage, ['keyfob: --ttl: bad', 'hint: see help']);
    assert.equal(exitCodeFor(new KeyfobError('unreachable', 'down')), 1);
    assert.equal(exitCodeFor(new Error('boom')), 1);
  });

  it('replaces the app-only session-only advice in keychain hints', () => {
    const [, hint] = renderError(new KeyfobError('keychain-unavailable', 'no keychain', {
      hint: 'Install and start gnome-keyring (or another Secret Service such as KWallet or KeePassXC), or choose session-only storage (keys are kept in memory until Keyfob quits).',
    }));
    assert.ok(hint && !hint.includes('session-only storage'), hint);
    assert.match(hint ?? '', /needs a working keychain/);
  });
});
