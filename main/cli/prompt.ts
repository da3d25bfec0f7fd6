// Reading a secret without it ever being an argument: a no-echo prompt on a terminal, otherwise all of stdin
// (`printf '%s' "$KEY" | keyfob connect …`, or a file redirect).
import { usageError } from './failure.js';

/** Ctrl-C or Ctrl-D at a prompt: the command stops with the shell's status for SIGINT. */
export class PromptCancelled extends Error {
  readonly exitCode = 130;
  constructor() {
    super('cancelled');
    this.name = 'PromptCancelled';
  }
}

export interface SecretInput {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stderr: NodeJS.WritableStream;
}

const MAX_SECRET_BYTES = 64 * 1024;

export async function readSecret(io: SecretInput, prompt: string, what: string): Promise<string> {
  const secret = io.stdin.isTTY && io.stdin.setRawMode ? await promptWithoutEcho(io, prompt) : await readAll(io.stdin);
  return checkSecret(secret, what, Boolean(io.stdin.isTTY));
}

/** One line, no surrounding whitespace, not empty. */
export function checkSecret(raw: string, what: string, fromTerminal: boolean): string {
  const secret = raw.replace(/^\uFEFF/, '').trim();
  if (!secret) {
    throw usageError(fromTerminal ? `no ${what} entered` : `no ${what} on stdin`, {
      hint: `pipe the ${what} on stdin (printf '%s' "$KEY" | keyfob …) or run the command in a terminal to be prompted`,
    });
  }
  if (/[\r\n]/.test(secret)) throw usageError(`stdin must hold the ${what} alone, on one line`);
  return secret;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_SECRET_BYTES) throw usageError('stdin is too large to be a key (more than 64 KiB)');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Terminals wrap pasted text in these markers when bracketed paste is on.
const BRACKETED_PASTE = new RegExp(`${String.fromCharCode(27)}\\[20[01]~`, 'g');

function promptWithoutEcho(io: SecretInput, prompt: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error: Error | null): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer | string): void => {
      const text = (typeof data === 'string' ? data : data.toString('utf8')).replace(BRACKETED_PASTE, '');
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003') return finish(new PromptCancelled()); // Ctrl-C
        if (ch === '\u0004') return value ? finish(null) : finish(new PromptCancelled()); // Ctrl-D
        if (ch === '\u0015') value = ''; // Ctrl-U
        else if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/**
 * A yes/no question: the first line of stdin answers it, from a terminal or a pipe (`yes | keyfob …`). With no
 * answer at all (stdin closed or empty), the command refuses and says which flag skips the question.
 */
export async function confirm(io: SecretInput, question: string, skipFlag: string): Promise<boolean> {
  io.stderr.write(`${question} [y/N] `);
  const line = await readLine(io.stdin);
  if (!io.stdin.isTTY) io.stderr.write('\n');
  if (line === null) {
    throw usageError('no answer on stdin', { hint: `answer y on stdin, or add ${skipFlag} to skip the question` });
  }
  return /^\s*y(es)?\s*$/i.test(line);
}

function readLine(stream: NodeJS.ReadableStream): Promise<string | null> {
  return new Promise((resolve) => {
    let text = '';
    const done = (value: string | null): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const at = text.search(/\r?\n/);
      if (at >= 0) done(text.slice(0, at));
    };
    const onEnd = (): void => done(text === '' ? null : text);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.resume();
  });
}
