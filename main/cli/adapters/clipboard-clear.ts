// `issue --copy` exits at once, so it cannot keep a timer for clearing the clipboard the way the desktop app does.
// Like `pass -c`, it leaves a small detached process behind that clears the clipboard after the delay — only if the
// clipboard still holds the copied key. The helper gets a salted SHA-256 of the key, never the key itself (a plain
// SHA-256 of a LiteLLM key is its token, which the proxy accepts in place of the key).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function saltedDigest(salt: string, text: string): string {
  return createHash('sha256').update(salt).update('\0').update(text).digest('hex');
}

function helperPath(): string {
  const compiled = fileURLToPath(new URL('./clipboard-clear-helper.js', import.meta.url));
  // Run from source (tsx), the helper is a .ts file; execArgv carries the loader.
  return existsSync(compiled) ? compiled : compiled.replace(/\.js$/, '.ts');
}

/** Starts the detached helper; returns false when it could not be started (the caller tells the person). */
export function scheduleClipboardClear(copied: string, afterSeconds: number): boolean {
  if (afterSeconds <= 0) return true;
  const salt = randomBytes(16).toString('hex');
  try {
    const child = spawn(
      process.execPath,
      [...process.execArgv, helperPath(), String(afterSeconds * 1000), salt, saltedDigest(salt, copied)],
      { detached: true, stdio: 'ignore', windowsHide: true },
    );
    child.on('error', () => undefined);
    child.unref();
    return child.pid !== undefined;
  } catch {
    return false;
  }
}
