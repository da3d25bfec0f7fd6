// The window's only door to the main process: `window.keyfob`, built from the one contract in ./api.ts. Runs in
// the sandbox (bundled to dist/preload/preload.cjs, which requires nothing but `electron`). Every API method is a
// plain invoke on its channel; listeners never see Electron's event object (it would leak `sender`).
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { INVOKE_CHANNELS, PUSH_CHANNELS, channelName } from './api.js';
import type { AppSnapshot, KeyfobApi, Screen } from './api.js';

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  const forward = (_event: IpcRendererEvent, value: T): void => listener(value);
  ipcRenderer.on(channel, forward);
  return () => {
    ipcRenderer.removeListener(channel, forward);
  };
}

const invokers = Object.fromEntries(
  INVOKE_CHANNELS.map((channel) => [channel, (...args: unknown[]) => ipcRenderer.invoke(channelName(channel), ...args)]),
) as Pick<KeyfobApi, (typeof INVOKE_CHANNELS)[number]>;

const api: KeyfobApi = {
  ...invokers,
  onSnapshot: (listener: (snapshot: AppSnapshot) => void) => subscribe(PUSH_CHANNELS.snapshot, listener),
  onNavigate: (listener: (screen: Screen) => void) => subscribe(PUSH_CHANNELS.navigate, listener),
};

contextBridge.exposeInMainWorld('keyfob', api);
