// The extra CA file (`ca_file`) is read without ever blocking the main process: only a regular file, at most 1 MiB,
// asynchronously. The file is opened non-blocking and checked on the open descriptor, so a FIFO (which would block
// an open or read forever), a device such as /dev/zero (endless) or a huge file is refused at once, even if the path
// is swapped between a check and the read.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { CA_FILE_MAX_BYTES, caFileError } from '../tls-agent.js';

export { CA_FILE_MAX_BYTES };


export async function readCaFile(caFile: string): Promise<string> {
  let handle;
  try {
    handle = await open(caFile, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw caFileError(`cannot be read (${code === 'ENOENT' ? 'no such file' : code}): ${caFile}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw caFileError(`is not a regular file (a PEM certificate file is expected): ${caFile}`);
    if (stat.size > CA_FILE_MAX_BYTES) throw caFileError(`is larger than ${CA_FILE_MAX_BYTES / 1024} KiB, too large for a CA certificate file: ${caFile}`);
    const buffer = Buffer.alloc(CA_FILE_MAX_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > CA_FILE_MAX_BYTES) throw caFileError(`grew past ${CA_FILE_MAX_BYTES / 1024} KiB while being read: ${caFile}`);
    }
    const pem = buffer.subarray(0, length).toString('utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw caFileError(`is not a PEM certificate file (no "-----BEGIN CERTIFICATE-----"): ${caFile}`);
    return pem;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

