/**
 * The preload's half of the bridge, in the isolated world: it turns method names into
 * `hops:`-prefixed IPC calls for the contract's methods only, and feeds the event channel
 * to the page. `ipcRenderer` itself never leaves this file's closure.
 */
import { IPC_EVENT_CHANNEL, IPC_PREFIX } from '../protocol/wire.ts';
import type { BridgeTransport, EventEnvelope, IpcReply } from './bridge.ts';

/** The parts of Electron's `ipcRenderer` the transport uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** A transport for the given method names; any other name is refused before reaching IPC. */
export function createTransport(ipc: IpcRendererLike, methods: readonly string[]): BridgeTransport {
  const known = new Set(methods);
  return {
    call: (method, params) =>
      known.has(method)
        ? (ipc.invoke(IPC_PREFIX + method, params) as Promise<IpcReply>)
        : Promise.reject(new Error(`Unknown method "${String(method)}".`)),
    listen: (handler) => {
      ipc.on(IPC_EVENT_CHANNEL, (_event, message) => {
        if (isEnvelope(message)) handler(message);
      });
    },
  };
}

function isEnvelope(message: unknown): message is EventEnvelope {
  return typeof message === 'object' && message !== null && typeof (message as EventEnvelope).event === 'string';
}
