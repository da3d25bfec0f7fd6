// The core's Clipboard port on Electron's (asynchronous, main-process) clipboard. A key is written together with the
// platform's "this is a secret" marker in one atomic write, so clipboard-history tools (Klipper, CopyQ, macOS
// managers, Windows clipboard history and cloud sync) skip it. The core's clipboard guard decides when to clear.
import { ClipboardItem, clipboard } from 'electron';
import type { Clipboard } from '../core/ports.js';

/** Raw OS clipboard formats go through Electron's `osclipboard` custom format. */
const osFormat = (name: string): string => `electron application/osclipboard;format="${name}"`;

/**
 * The markers password managers write beside a copied secret (KeePassXC, 1Password, Bitwarden):
 * Linux: KDE's `x-kde-passwordManagerHint` = "secret" (Klipper, CopyQ, clipse, wl-clipboard's sensitive state);
 * macOS: `org.nspasteboard.ConcealedType` (nspasteboard.org convention);
 * Windows: `ExcludeClipboardContentFromMonitorProcessing` (any content), plus history and cloud opt-outs as DWORD 0.
 */
export function secretMarkers(platform: NodeJS.Platform | string): Record<string, string | Blob> {
  switch (platform) {
    case 'linux':
      return { [osFormat('x-kde-passwordManagerHint')]: 'secret' };
    case 'darwin':
      return { [osFormat('org.nspasteboard.ConcealedType')]: '' };
    case 'win32': {
      const dwordZero = new Blob([new Uint8Array(4)]);
      return {
        [osFormat('ExcludeClipboardContentFromMonitorProcessing')]: '1',
        [osFormat('CanIncludeInClipboardHistory')]: dwordZero,
        [osFormat('CanUploadToCloudClipboard')]: dwordZero,
      };
    }
    default:
      return {};
  }
}

export class ElectronClipboard implements Clipboard {
  constructor(private readonly platform: NodeJS.Platform | string = process.platform) {}

  async writeSecret(text: string): Promise<void> {
    await clipboard.write([new ClipboardItem({ 'text/plain': text, ...secretMarkers(this.platform) })]);
  }

  readText(): Promise<string> {
    return clipboard.readText();
  }

  async clear(): Promise<void> {
    clipboard.clear();
  }
}
