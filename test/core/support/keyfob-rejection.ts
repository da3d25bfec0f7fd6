// Awaiting a client call that must fail the way a person would be told: a KeyfobError of a given kind.
import assert from 'node:assert/strict';
import { KeyfobError, type ErrorKind } from '../../../main/core/errors.js';

/** Resolves with the KeyfobError `promise` rejected with, after checking its kind (and message, when given). */
export async function rejectsWithKind(promise: Promise<unknown>, kind: ErrorKind, message?: RegExp): Promise<KeyfobError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof KeyfobError, `expected a KeyfobError, got ${String(e)}`);
    assert.equal(e.kind, kind, `${e.kind}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${kind}`);
}
