// Which argument lists the hot path answers itself; everything else goes to the full `token` command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHotTokenArgs } from '../../main/cli/commands/token-hot-path.js';

test('the hot path takes `token ROLE` with --json and --home (before or after), nothing else', () => {
  assert.deepEqual(parseHotTokenArgs(['token', 'Dev']), { home: undefined, role: 'dev', json: false });
  assert.deepEqual(parseHotTokenArgs(['--home', '/h', 'token', 'dev', '--json']), { home: '/h', role: 'dev', json: true });
  assert.deepEqual(parseHotTokenArgs(['token', 'dev', '--home=/h']), { home: '/h', role: 'dev', json: false });
  for (const argv of [[], ['token'], ['token', 'a', 'b'], ['token', 'dev', '--min-left', '5m'], ['token', 'dev', '--help'], ['issue', 'dev'], ['--home', 'token', 'dev'], ['role', 'token'], ['token', 'dev', '--home', '']]) {
    assert.equal(parseHotTokenArgs(argv), null, JSON.stringify(argv));
  }
});
