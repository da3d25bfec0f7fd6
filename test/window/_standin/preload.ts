import { contextBridge, ipcRenderer } from 'electron';
import { INVOKE_CHANNELS, PUSH_CHANNELS, channelName } from '../../../preload/api.js';
const api: Record<string, unknown> = {};
for (const c of INVOKE_CHANNELS) api[c] = (...args: unknown[]) => ipcRenderer.invoke(channelName(c), ...args);
api.onSnapshot = (l: (s: unknown) => void) => { const f = (_e: unknown, s: unknown) => l(s); ipcRenderer.on(PUSH_CHANNELS.snapshot, f); return () => ipcRenderer.removeListener(PUSH_CHANNELS.snapshot, f); };
api.onNavigate = (l: (s: unknown) => void) => { const f = (_e: unknown, s: unknown) => l(s); ipcRenderer.on(PUSH_CHANNELS.navigate, f); return () => ipcRenderer.removeListener(PUSH_CHANNELS.navigate, f); };
contextBridge.exposeInMainWorld('keyfob', api);
