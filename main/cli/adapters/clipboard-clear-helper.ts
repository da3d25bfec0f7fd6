// Detached helper started by `keyfob issue --copy`: `node clipboard-clear-helper.js <delay ms> <salt> <digest>`.
// Waits, then clears the clipboard if it still holds the copied key (the person may have copied something else).
import { setTimeout as sleep } from 'node:timers/promises';
import { saltedDigest } from './clipboard-clear.js';
import { CommandClipboard } from './command-clipboard.js';

const [delayArg, salt, digest] = process.argv.slice(2);
const delayMs = Number(delayArg);
if (Number.isFinite(delayMs) && delayMs >= 0 && salt && digest) {
  await sleep(delayMs);
  const clipboard = new CommandClipboard();
  try {
    const current = await clipboard.readText();
    // Some paste tools add a trailing newline.
    if (saltedDigest(salt, current) === digest || saltedDigest(salt, current.replace(/\r?\n$/, '')) === digest) {
      await clipboard.clear();
    }
  } catch {
    // No clipboard any more (session ended): nothing to clear.
  }
}
