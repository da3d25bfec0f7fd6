// `keyfob setup shell`: each shell's line quoted by that shell's rules. A Keyfob path holding `'`, `\` and `;` (a home
// directory can) reaches the program intact in the real bash and fish, and runs nothing else; PowerShell is not in
// Debian, so its line is checked against its quoting rules.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { shellLines } from '../../../main/core/tools/index.js';

/** A directory whose name would end a quote and start a command under the wrong rules. */
function hostileDir(): { base: string; dir: string } {
  const base = mkdtempSync(join(tmpdir(), 'keyfob-shell-'));
  const dir = join(base, `it's\\'; touch PWNED; echo '`);
  mkdirSync(dir, { recursive: true });
  return { base, dir };
}

/** A stand-in for `keyfob`: records its argv and prints one export for the shell to evaluate. */
function fakeKeyfob(base: string, dir: string, format: 'sh' | 'fish'): string[] {
  const script = join(base, 'fake.mjs');
  writeFileSync(script, `import fs from 'node:fs';
fs.writeFileSync(${JSON.stringify(join(base, 'argv.json'))}, JSON.stringify(process.argv.slice(2)));
console.log(${JSON.stringify(format === 'fish' ? "set -gx KEYFOB_SEEN 'yes'" : "export KEYFOB_SEEN='yes'")});
`);
  return [process.execPath, script, '--home', dir];
}

describe('setup shell lines', () => {
  for (const shell of ['bash', 'fish'] as const) {
    test(`${shell}: a home path holding ' \\ ; reaches keyfob intact and runs nothing else`, () => {
      const { base, dir } = hostileDir();
      const line = shellLines(fakeKeyfob(base, dir, shell === 'fish' ? 'fish' : 'sh'), 'dev').find((l) => l.shell === shell)?.line as string;
      const out = execFileSync(shell, ['-c', `${line}\necho "seen=$KEYFOB_SEEN"`], { cwd: base, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: base } });
      assert.match(out, /seen=yes/);
      assert.deepEqual(JSON.parse(readFileSync(join(base, 'argv.json'), 'utf8')), ['--home', dir, 'env', 'dev', '--for-shell', '--format', shell === 'fish' ? 'fish' : 'sh']);
      assert.equal(existsSync(join(base, 'PWNED')), false, 'no command ran from the path');
    });
  }

  test('powershell: every word a verbatim string, its quote doubled', () => {
    const line = shellLines(['C:\\it\'s; calc', 'x.js'], 'dev').find((l) => l.shell === 'powershell')?.line;
    assert.equal(line, `& 'C:\\it''s; calc' 'x.js' 'env' 'dev' '--for-shell' '--format' 'powershell' | Out-String | Invoke-Expression`);
  });
});
