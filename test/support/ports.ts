// Loopback ports for tests of what Keyfob listens on: one another program holds, and one nothing holds.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A port on 127.0.0.1 held by another listener until `release()` (the OIDC callback's port taken). */
export async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const squatter = createServer((_req, res) => res.end('not Keyfob'));
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  return {
    port: (squatter.address() as AddressInfo).port,
    release: () => new Promise<void>((resolve) => squatter.close(() => resolve())),
  };
}

/** A port on 127.0.0.1 that nothing listens on now. */
export async function freePort(): Promise<number> {
  const held = await holdPort();
  await held.release();
  return held.port;
}
