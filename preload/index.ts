/**
 * The preload of the app window (sandboxed, context-isolated): installs `window.hops`,
 * generated from the desktop contract, and `window.hopsDesktop`, the app's few local-file
 * calls (native.ts).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { eventNames, listMethods } from '../protocol/desktop-api.ts';
import { installHopsApi } from './bridge.ts';
import { nativeBridge } from './native.ts';
import { createTransport } from './transport.ts';

const methods = listMethods().map(({ name }) => name);

contextBridge.executeInMainWorld({
  func: installHopsApi,
  args: [methods, eventNames, createTransport(ipcRenderer, methods)],
});

contextBridge.exposeInMainWorld(
  'hopsDesktop',
  nativeBridge({ invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args), getPathForFile: (file) => webUtils.getPathForFile(file) }),
);
