import { test } from 'node:test';
import assert from 'node:assert/strict';
import keytar from '@github/keytar';
import { FakeClock } from './fake-clock.js';

test('FakeClock fires timers in deadline order and only when advanced past them', async () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('b'), 200);
  clock.setTimeout(() => fired.push('a'), 100);
  const c = clock.setTimeout(() => fired.push('c'), 150);
  c.cancel();
  await clock.advance(150);
  assert.deepEqual(fired, ['a']);
  await clock.advance(50);
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(clock.now(), 200);
  assert.equal(clock.armedTimers, 0);
});

test('the test command provides a working Secret Service', async () => {
  await keytar.setPassword('Keyfob-selftest', 'probe', 'value');
  assert.equal(await keytar.getPassword('Keyfob-selftest', 'probe'), 'value');
  assert.equal(await keytar.deletePassword('Keyfob-selftest', 'probe'), true);
});
