// One TLS rule for every server Keyfob talks to (the LiteLLM proxy, its sign-in endpoints, Vault): the public CAs plus
// the person's CA file (a corporate CA adds trust instead of replacing it), or no verification where they opted in.
// The CA file is read only if it is a regular file of at most 1 MiB, opened non-blocking and checked on the open
// descriptor: a FIFO, a device such as /dev/zero or a huge file is refused at once instead of hanging or flooding the
// process. (The app reads it asynchronously first, connection/ca-file.ts, and passes the text in as `caPem`.)
import fs from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { KeyfobError } from './errors.js';

export const CA_FILE_MAX_BYTES = 1024 * 1024;

export function caFileError(message: string): KeyfobError {
  return new KeyfobError('validation', `ca_file: ${message}`, { fields: [{ field: 'ca_file', message }] });
}

/** The CA file's PEM text, read synchronously under the same rules as connection/ca-file.ts. */
export function readCaFileSync(caFile: string): string {
  let fd: number;
  try {
    fd = fs.openSync(caFile, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw caFileError(`cannot be read (${code === 'ENOENT' ? 'no such file' : code}): ${caFile}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw caFileError(`is not a regular file (a PEM certificate file is expected): ${caFile}`);
    if (stat.size > CA_FILE_MAX_BYTES) throw caFileError(`is larger than ${CA_FILE_MAX_BYTES / 1024} KiB, too large for a CA certificate file: ${caFile}`);
    const buffer = Buffer.alloc(CA_FILE_MAX_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
      if (length > CA_FILE_MAX_BYTES) throw caFileError(`grew past ${CA_FILE_MAX_BYTES / 1024} KiB while being read: ${caFile}`);
    }
    const pem = buffer.subarray(0, length).toString('utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw caFileError(`is not a PEM certificate file (no "-----BEGIN CERTIFICATE-----"): ${caFile}`);
    return pem;
  } finally {
    fs.closeSync(fd);
  }
}

/** The HTTPS agent for these TLS options, or undefined for Node's default (public CAs, verification on). */
export function tlsAgent(caFile: string | null, caPem: string | null, allowInsecureTls: boolean): https.Agent | undefined {
  if (!caFile && !allowInsecureTls) return undefined;
  const options: https.AgentOptions = { keepAlive: true };
  if (caFile) options.ca = [...tls.rootCertificates, caPem ?? readCaFileSync(caFile)];
  if (allowInsecureTls) options.rejectUnauthorized = false;
  return new https.Agent(options);
}
