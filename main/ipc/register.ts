// Puts the API handlers on ipcMain, each behind two gates: the sender must be the app's own window (its main frame,
// showing the app's renderer file), and the payload must have the right shape. A foreign sender gets a bare
// rejection (it is not the app's UI: it gets no explanation); a malformed payload from the app's window gets a
// `validation` error it can show.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { INVOKE_CHANNELS, channelName } from '../../preload/api.js';
import type { ApiHandlers, InvokeChannel, IpcResult } from '../../preload/api.js';
import { checkArguments } from './validate.js';

export interface RegisterOptions {
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
}

export const REFUSED_SENDER_MESSAGE = 'Keyfob refused an IPC call from an unknown sender.';

/** One call behind the payload gate: what the app's ipcMain runs for a trusted sender, and what the window tests run. */
export async function invokeChecked(handlers: ApiHandlers, channel: InvokeChannel, args: unknown[]): Promise<IpcResult<unknown>> {
  const problem = checkArguments(channel, args);
  if (problem) return { ok: false, error: { kind: 'validation', message: `Invalid request: ${problem}.` } };
  return (handlers[channel] as (...a: unknown[]) => Promise<IpcResult<unknown>>)(...args);
}

/** Registers every channel; returns a function that removes them again. */
export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, handlers: ApiHandlers, opts: RegisterOptions): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channelName(channel), async (event, ...args: unknown[]): Promise<IpcResult<unknown>> => {
      if (!opts.isTrustedSender(event)) {
        console.warn(`keyfob: refused ${channelName(channel)} from ${event.senderFrame?.url ?? 'a detached frame'}`);
        throw new Error(REFUSED_SENDER_MESSAGE);
      }
      return invokeChecked(handlers, channel, args);
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channelName(channel));
  };
}
