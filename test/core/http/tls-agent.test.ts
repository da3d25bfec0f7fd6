// The one TLS rule every client uses (LiteLLM, its sign-in, Vault): a CA file that is a FIFO, a device or too large
// is refused at once (it used to hang or read without end in the sign-in and Vault clients), a PEM file is trusted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KeyfobError } from '../../../main/core/errors.js';
import { CA_FILE_MAX_BYTES, readCaFileSync, tlsAgent } from '../../../main/core/http/index.js';
import { VaultClient } from '../../../main/core/vault/index.js';

const dir = mkdtempSync(join(process.env.KEYFOB_TEST_TMP ?? tmpdir(), 'tls-agent-'));
const refused = (pattern: RegExp) => (e: KeyfobError) => e.kind === 'validation' && pattern.test(e.message);

test('a FIFO, a device and a file over 1 MiB are refused before anything is read', () => {
  const fifo = join(dir, 'ca.fifo');
  execFileSync('mkfifo', [fifo]);
  assert.throws(() => readCaFileSync(fifo), refused(/is not a regular file/));
  assert.throws(() => readCaFileSync('/dev/zero'), refused(/is not a regular file/));
  const big = join(dir, 'big.pem');
  writeFileSync(big, Buffer.alloc(CA_FILE_MAX_BYTES + 1, 'a'));
  assert.throws(() => readCaFileSync(big), refused(/larger than 1024 KiB/));
  assert.throws(() => readCaFileSync(join(dir, 'missing.pem')), refused(/no such file/));
  const notPem = join(dir, 'not.pem');
  writeFileSync(notPem, 'hello');
  assert.throws(() => tlsAgent(notPem, null, false), refused(/not a PEM certificate file/));
});

test('the Vault client takes the same rule: a FIFO as its CA file fails at once, naming the field', () => {
  const fifo = join(dir, 'vault-ca.fifo');
  execFileSync('mkfifo', [fifo]);
  assert.throws(() => new VaultClient({ url: 'https://127.0.0.1:1', caFile: fifo }), refused(/ca_file: is not a regular file/));
});

test('a PEM file and the insecure opt-in give an agent; neither gives the default', () => {
  const pem = join(dir, 'ca.pem');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  assert.equal(readCaFileSync(pem).includes('BEGIN CERTIFICATE'), true);
  assert.equal(tlsAgent(null, null, false), undefined);
  assert.equal(tlsAgent(null, null, true)?.options.rejectUnauthorized, false);
});
