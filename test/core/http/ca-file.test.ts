// The CA file is read only when it is a regular file of at most 1 MiB, asynchronously: a FIFO (which would block
// the main process), /dev/zero (endless) and a huge file are refused at once, also through the window's
// testConnection and through connect.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CA_FILE_MAX_BYTES, readCaFile } from '../../../main/core/http/index.js';
import { ADMIN_KEY, harness, tempStateDir } from '../leases/helpers.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function specialFiles(): { fifo: string; big: string; pem: string } {
  const dir = tempStateDir();
  const fifo = path.join(dir, 'ca.fifo');
  execFileSync('mkfifo', [fifo]);
  const big = path.join(dir, 'big.pem');
  fs.writeFileSync(big, PEM + 'x'.repeat(CA_FILE_MAX_BYTES));
  const pem = path.join(dir, 'ca.pem');
  fs.writeFileSync(pem, PEM);
  return { fifo, big, pem };
}

test('readCaFile: a regular PEM file is read; a FIFO, /dev/zero and a file over 1 MiB are refused at once', async () => {
  const { fifo, big, pem } = specialFiles();
  assert.equal(await readCaFile(pem), PEM);
  await assert.rejects(readCaFile(fifo), { kind: 'validation', message: /ca_file: is not a regular file/ });
  await assert.rejects(readCaFile('/dev/zero'), { kind: 'validation', message: /ca_file: is not a regular file/ });
  await assert.rejects(readCaFile(big), { kind: 'validation', message: /ca_file: is larger than 1024 KiB/ });
  await assert.rejects(readCaFile(path.join(path.dirname(pem), 'absent.pem')), { kind: 'validation', message: /no such file/ });
});

test('testConnection({caFile}) and connect with a FIFO, /dev/zero or a huge file: a validation error on ca_file, nothing stored', async () => {
  const h = await harness();
  try {
    const { fifo, big } = specialFiles();
    for (const caFile of [fifo, '/dev/zero', big]) {
      const probe = await h.core.testConnection({ url: 'https://127.0.0.1:1', adminKey: ADMIN_KEY, caFile });
      assert.equal(probe.error?.kind, 'validation', caFile);
      assert.deepEqual(probe.error?.fields?.map((f) => f.field), ['ca_file'], caFile);
      await assert.rejects(h.core.connect({ url: 'https://127.0.0.1:1', adminKey: 'sk-other', caFile }), { kind: 'validation' });
    }
    assert.equal(await h.keychain.get('admin-key'), ADMIN_KEY, 'the stored key is untouched');
    assert.equal(h.core.getSettings().ca_file, null);
  } finally {
    await h.close();
  }
});
