// The audit log's file handling (issue 21): an `audit.log` replaced by a symlink is never written through — another
// process of the same user could otherwise aim Keyfob's appends at a file of its choosing.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AuditLog } from '../../main/core/audit-log.js';
import { FakeClock } from '../support/fake-clock.js';

describe('the audit log file', () => {
  const dir = (): string => mkdtempSync(join(process.env.KEYFOB_TEST_TMP ?? tmpdir(), 'keyfob-audit-'));

  it('appends one JSON line per record to a regular file, created 0600', () => {
    const stateDir = dir();
    const log = new AuditLog({ stateDir, clock: new FakeClock(Date.parse('2026-03-01T10:00:00.000Z')) });
    assert.equal(log.append({ action: 'issue', outcome: 'ok', role: 'dev' }), true);
    assert.equal(log.append({ action: 'revoke', outcome: 'ok', role: 'dev' }), true);
    assert.deepEqual(log.read().map((e) => e.action), ['revoke', 'issue']);
  });

  it('refuses to append through a symlink: the target is untouched, the append reports failure', () => {
    const stateDir = dir();
    const target = join(dir(), 'bashrc');
    writeFileSync(target, 'export PATH=/usr/bin\n');
    symlinkSync(target, join(stateDir, 'audit.log'));
    const log = new AuditLog({ stateDir, clock: new FakeClock(Date.parse('2026-03-01T10:00:00.000Z')) });
    assert.equal(log.append({ action: 'issue', outcome: 'ok', role: 'dev' }), false);
    assert.equal(readFileSync(target, 'utf8'), 'export PATH=/usr/bin\n', 'nothing was written through the link');
  });
});
