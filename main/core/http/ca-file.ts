// The extra CA file (`ca_file`) is read under one set of rules, asynchronously in the app (the main process must
// never block) and synchronously where a client is built without it: only a regular file, at most 1 MiB, holding a
// PEM certificate. The file is opened non-blocking and checked on the open descriptor, so a FIFO (which would block
// an open or read forever), a device such as /dev/zero (endless) or a huge file is refused at once, even if the path
// is swapped between a check and the read.
import fs, { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { KeyfobError } from '../errors.js';

export const CA_FILE_MAX_BYTES = 1024 * 1024;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

export function caFileError(message: string): KeyfobError {
  return new KeyfobError('validation', `ca_file: ${message}`, { fields: [{ field: 'ca_file', message }] });
}

function openError(e: unknown, caFile: string): KeyfobError {
  const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
  return caFileError(`cannot be read (${code === 'ENOENT' ? 'no such file' : code}): ${caFile}`);
}

function checkStat(stat: fs.Stats, caFile: string): void {
  if (!stat.isFile()) throw caFileError(`is not a regular file (a PEM certificate file is expected): ${caFile}`);
  if (stat.size > CA_FILE_MAX_BYTES) throw caFileError(`is larger than ${CA_FILE_MAX_BYTES / 1024} KiB, too large for a CA certificate file: ${caFile}`);
}

/** A buffer one byte larger than the cap, so a file that grows while being read is caught. */
function capBuffer(): Buffer {
  return Buffer.alloc(CA_FILE_MAX_BYTES + 1);
}

function checkLength(length: number, caFile: string): void {
  if (length > CA_FILE_MAX_BYTES) throw caFileError(`grew past ${CA_FILE_MAX_BYTES / 1024} KiB while being read: ${caFile}`);
}

function checkPem(pem: string, caFile: string): string {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw caFileError(`is not a PEM certificate file (no "-----BEGIN CERTIFICATE-----"): ${caFile}`);
  return pem;
}

export async function readCaFile(caFile: string): Promise<string> {
  const handle = await open(caFile, OPEN_FLAGS).catch((e: unknown) => {
    throw openError(e, caFile);
  });
  try {
    checkStat(await handle.stat(), caFile);
    const buffer = capBuffer();
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      checkLength(length, caFile);
    }
    return checkPem(buffer.subarray(0, length).toString('utf8'), caFile);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The same rules without yielding: for a client built where no async read came first (the CLI's one-shot calls). */
export function readCaFileSync(caFile: string): string {
  let fd: number;
  try {
    fd = fs.openSync(caFile, OPEN_FLAGS);
  } catch (e) {
    throw openError(e, caFile);
  }
  try {
    checkStat(fs.fstatSync(fd), caFile);
    const buffer = capBuffer();
    let length = 0;
    for (;;) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
      checkLength(length, caFile);
    }
    return checkPem(buffer.subarray(0, length).toString('utf8'), caFile);
  } finally {
    fs.closeSync(fd);
  }
}
