// The app's state and its teardown store, on their own: the core's status moves only through the transitions the
// composition root relies on, and teardowns run newest first, once, even when one fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppState } from '../../main/electron/app-state.js';
import type { CoreStatus } from '../../main/electron/app-state.js';
import { TeardownStore } from '../../main/electron/teardown-store.js';
import { KeyfobError } from '../../main/core/errors.js';
import type { KeyfobCoreInstance } from '../../main/core/keyfob-core.js';

/** Just what AppState calls on a core; `start` fails with the given errors, in turn, then succeeds. */
function fakeCore(startFailures: Error[] = []): KeyfobCoreInstance & { starts: number } {
  const fake = {
    starts: 0,
    async start() {
      fake.starts++;
      const failure = startFailures.shift();
      if (failure) throw failure;
      return {};
    },
    takeNotices: () => [{ kind: 'settings', text: 'from the core' }],
    getSettings: () => ({ notifications: true }),
    connectionStatus: async () => ({ url: 'http://127.0.0.1:4000', admin_key_stored: true }),
  };
  return fake as unknown as KeyfobCoreInstance & { starts: number };
}

test('the core status: starting (no core yet) → starting (built) → running; startCore runs once', async () => {
  const state = new AppState();
  assert.equal(state.status.status, 'starting');
  assert.equal(state.core(), null);
  assert.equal(state.settings(), null);
  await state.startCore(); // nothing built: nothing to start
  const core = fakeCore();
  state.built({ core });
  assert.equal(state.core(), core, 'a built core is usable before it is reconciled');
  await state.startCore();
  await state.startCore();
  assert.equal(state.status.status, 'running');
  assert.equal(core.starts, 1);
  assert.equal(state.startError(), null);
});

test('a start that fails for a reason a retry may fix stays "starting" with a notice; the retry runs it', async () => {
  const state = new AppState();
  const core = fakeCore([new KeyfobError('keychain-locked', 'The keychain is locked.', { hint: 'Unlock it.' })]);
  state.built({ core });
  await state.startCore();
  assert.equal(state.status.status, 'starting');
  assert.ok(state.notices().includes('Keyfob could not check its leases at start: The keychain is locked. Unlock it.'));
  await state.startCore();
  assert.equal(state.status.status, 'running');
  assert.equal(core.starts, 2);
});

test('an unusable state directory fails the core: no view gets it, the error stays through stopping', async () => {
  const state = new AppState();
  const core = fakeCore([new KeyfobError('state-unavailable', 'The state directory is read-only.')]);
  state.built({ core });
  await state.startCore();
  assert.equal(state.status.status, 'failed');
  assert.equal(state.core(), null);
  assert.equal(state.startError()?.message, 'The state directory is read-only.');
  await state.startCore();
  assert.equal(core.starts, 1, 'a failed core is not started again');
  state.stopping();
  assert.equal(state.status.status, 'stopping');
  assert.equal((state.status as CoreStatus).core, core, 'still there to be stopped');
  assert.equal(state.core(), null);
  assert.equal(state.startError()?.kind, 'state-unavailable');
});

test('a core that could not be built is "failed" with its error and no core', () => {
  const state = new AppState();
  state.built({ error: new KeyfobError('internal', 'settings unreadable') });
  assert.deepEqual([state.status.status, state.core(), state.startError()?.message], ['failed', null, 'settings unreadable']);
});

test('notices: the core\'s are taken in, each said once, the newest 20 kept', () => {
  const state = new AppState();
  state.built({ core: fakeCore() });
  for (let i = 0; i < 25; i++) state.addNotice(`notice ${i}`);
  state.addNotice('notice 24');
  const notices = state.notices();
  assert.equal(notices.length, 20);
  assert.equal(notices.at(-1), 'from the core');
  assert.equal(notices.filter((n) => n === 'notice 24').length, 1);
});

test('teardowns run newest first, each awaited, once; a failing one does not stop the rest', async () => {
  const store = new TeardownStore();
  const ran: string[] = [];
  store.add(() => void ran.push('security'));
  store.add(async () => {
    await Promise.resolve();
    ran.push('core');
  });
  store.add(() => {
    ran.push('tray');
    throw new Error('already gone');
  });
  store.add(() => void ran.push('listener'));
  await Promise.all([store.dispose(), store.dispose()]);
  await store.dispose();
  assert.deepEqual(ran, ['listener', 'tray', 'core', 'security']);
  assert.equal(store.disposed, true);
});

test('a teardown added after dispose runs at once', async () => {
  const store = new TeardownStore();
  await store.dispose();
  let ran = false;
  store.add(() => {
    ran = true;
  });
  await store.dispose();
  await Promise.resolve();
  assert.equal(ran, true);
});
