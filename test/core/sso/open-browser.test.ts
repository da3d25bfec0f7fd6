// The CLI's browser opener: $BROWSER first (with %s or the URL appended), else the platform's opener; the URL always
// printed; and, end to end, a real $BROWSER command (the simulator's scripted browser) completing a sign-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserCommand, cliOpenBrowser, signInWithSso } from '../../../main/core/sso/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ssoSimulator, START } from './sso-harness.js';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sim/sso-browser-script.ts');
const URL_ = 'http://127.0.0.1:4000/authorize?x=1';

test('browserCommand: $BROWSER (first of a colon list, %s replaced or the URL appended), else xdg-open / open / start', () => {
  assert.deepEqual(browserCommand(URL_, { BROWSER: 'firefox --new-window' }, 'linux'), { command: 'firefox', args: ['--new-window', URL_] });
  assert.deepEqual(browserCommand(URL_, { BROWSER: 'w3m %s -dump' }, 'linux'), { command: 'w3m', args: [URL_, '-dump'] });
  assert.deepEqual(browserCommand(URL_, { BROWSER: ':lynx:links' }, 'linux'), { command: 'lynx', args: [URL_] });
  assert.deepEqual(browserCommand(URL_, {}, 'linux'), { command: 'xdg-open', args: [URL_] });
  assert.deepEqual(browserCommand(URL_, {}, 'darwin'), { command: 'open', args: [URL_] });
  assert.deepEqual(browserCommand(URL_, {}, 'win32'), { command: 'cmd', args: ['/c', 'start', '""', URL_] });
});

test('--no-browser: the URL is printed and nothing is started', () => {
  const lines: string[] = [];
  void cliOpenBrowser({ printOnly: true, env: { BROWSER: '/nonexistent/browser' }, print: (l) => lines.push(l) })(URL_);
  assert.deepEqual(lines, [`Sign in to LiteLLM in your browser: ${URL_}`]);
});

// The timeout is a safety net against a hang if the script broke (the sign-in's own 5 minutes run on a fake clock).
test('a $BROWSER script signs in end to end through the CLI opener', { timeout: 120_000 }, async (t) => {
  const sim = await ssoSimulator('1.100.4', ['team-a', 'team-b']);
  t.after(() => sim.close());
  const lines: string[] = [];
  const env = { ...process.env, BROWSER: `${process.execPath} --import tsx ${SCRIPT}`, SIM_SSO_TEAM: 'team-b' };
  const record = await signInWithSso({ url: sim.url, clock: new FakeClock(START), openBrowser: cliOpenBrowser({ env, print: (l) => lines.push(l) }) });
  assert.equal(record.userId, 'alice');
  assert.equal(record.teamId, 'team-b');
  assert.match(lines[0] ?? '', /^Sign in to LiteLLM in your browser: http:\/\/127\.0\.0\.1:\d+\/authorize\?/);
  assert.equal(lines.length, 1);
});
