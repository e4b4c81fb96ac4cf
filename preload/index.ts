/**
 * The preload of the app window (sandboxed, context-isolated): installs `window.hops`,
 * generated from the desktop contract, and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { eventNames, listMethods } from '../protocol/desktop-api.ts';
import { installHopsApi } from './bridge.ts';
import { createTransport } from './transport.ts';

const methods = listMethods().map(({ name }) => name);

contextBridge.executeInMainWorld({
  func: installHopsApi,
  args: [methods, eventNames, createTransport(ipcRenderer, methods)],
});
