// The nearest-match rule behind every "did you mean …?", and the context notice rewrite.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { didYouMean, editDistance, nearest } from '../../main/cli/suggest.js';
import { forThisRun } from '../../main/cli/context.js';
import type { Notice } from '../../main/core/types.js';
import { KeyfobError } from '../../main/core/errors.js';

test('edit distance counts a swap of neighbours as one edit', () => {
  assert.equal(editDistance('issue', 'issue'), 0);
  assert.equal(editDistance('isue', 'issue'), 1);
  assert.equal(editDistance('renwe', 'renew'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('nearest: close typos and unique prefixes match; far words and ambiguous prefixes do not', () => {
  const commands = ['connect', 'status', 'role', 'models', 'issue', 'lease', 'exec', 'log', 'config'];
  assert.equal(nearest('isue', commands), 'issue');
  assert.equal(nearest('stauts', commands), 'status');
  assert.equal(nearest('conf', commands), 'config');
  assert.equal(nearest('con', commands), undefined, 'connect or config');
  assert.equal(nearest('frobnicate', commands), undefined);
  assert.equal(nearest('deev', ['dev', 'ci']), 'dev');
  assert.equal(nearest('x', ['dev', 'ci']), undefined);
  assert.equal(didYouMean('tll', ['ttl', 'max-ttl'], (n) => `--${n}`), 'did you mean `--ttl`?');
  assert.equal(didYouMean('zzz', ['ttl']), '');
});

test('the reconcile notice names the real obstacle: the keychain, or `keyfob connect` (by its kind, whatever its text)', () => {
  const notice: Notice = { kind: 'waiting-to-revoke', text: 'ignored by the CLI', count: 2 };
  assert.equal(forThisRun(notice, null), '2 leases wait to be revoked on the proxy: run `keyfob connect --url URL` to finish.');
  assert.equal(forThisRun({ ...notice, count: 1 }, null), '1 lease waits to be revoked on the proxy: run `keyfob connect --url URL` to finish.');
  const locked = new KeyfobError('keychain-locked', 'The keychain is locked.');
  assert.equal(forThisRun(notice, locked), '2 leases wait to be revoked on the proxy: your LiteLLM key cannot be read from the keychain (The keychain is locked); this finishes once it can.');
  assert.equal(forThisRun({ kind: 'recovery-waits', text: 'x' }, null), 'The lease ledger has to be rebuilt from the proxy: run `keyfob connect --url URL` to finish.');
  assert.equal(forThisRun({ kind: 'revoking-elsewhere', text: 'Something else.', count: 1 }, locked), 'Something else.');
});
