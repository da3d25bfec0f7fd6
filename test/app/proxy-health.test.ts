// The proxy's health as main tracks it: an SSO session that can no longer be refreshed is its own state, told in the
// one signed-out line (tray status line, window header), and cleared by the next call that works.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyfobError } from '../../main/core/errors.js';
import { SIGNED_OUT_MESSAGE } from '../../main/core/sso/index.js';
import { ProxyHealthTracker } from '../../main/ipc/proxy-health.js';

test('a refused refresh (invalid_grant) is "signed out", in the one line, until a call works again', () => {
  let changes = 0;
  const tracker = new ProxyHealthTracker(() => Date.parse('2026-12-01T10:00:00Z'), () => changes++);
  tracker.failed(new KeyfobError('not-connected', SIGNED_OUT_MESSAGE));
  assert.equal(tracker.health()?.state, 'signed-out');
  assert.equal(tracker.problem(), 'signed out: run `keyfob connect --sso` again');
  tracker.failed(new KeyfobError('not-connected', SIGNED_OUT_MESSAGE).toJSON());
  assert.equal(changes, 1, 'the same state again changes nothing');
  tracker.succeeded();
  assert.equal(tracker.health(), null);
});

test('other not-connected errors say nothing about the proxy', () => {
  const tracker = new ProxyHealthTracker(() => 0);
  tracker.failed(new KeyfobError('not-connected', 'Keyfob is not connected to a LiteLLM proxy.'));
  assert.equal(tracker.health(), null);
});
