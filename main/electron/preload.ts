// The sandboxed preload: exposes only the API pipe on `window.dermaread`. Built to CommonJS
// (dist/electron/preload.cjs) by build.ts, since a sandboxed preload cannot load ES modules.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type DermaReadBridge, type IpcReply } from './bridge.ts';

const bridge = {
  invoke: (name, args, token) => ipcRenderer.invoke(INVOKE_CHANNEL, name, args, token) as Promise<IpcReply>,
  onEvent: (listener) => {
    const handle = (_event: IpcRendererEvent, name: Parameters<typeof listener>[0], payload: unknown) =>
      listener(name, payload);
    ipcRenderer.on(EVENT_CHANNEL, handle);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handle);
  },
} satisfies DermaReadBridge;

contextBridge.exposeInMainWorld('dermaread', bridge);
