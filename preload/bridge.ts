/**
 * Builds `window.hops` inside the page's own JavaScript world. It is handed to
 * `contextBridge.executeInMainWorld`, which sends this function's *source text* across,
 * so it must not refer to anything outside its body but built-ins: the contract's names
 * and the transport arrive as arguments.
 *
 * Why not `exposeInMainWorld`: values crossing the bridge are copied, and a copied Error
 * keeps only its message. Built here, errors are real Errors of the page with `code`,
 * `hint` and `field`, as the renderer expects from every transport.
 */

import type { IpcReply } from '../protocol/wire.ts';

export type { IpcReply };

/** What the main process sends on the event channel. */
export interface EventEnvelope {
  event: string;
  payload: unknown;
}

/** The preload's side: calls by method name and one feed of every event. */
export interface BridgeTransport {
  call(method: string, params: unknown): Promise<IpcReply>;
  listen(handler: (message: EventEnvelope) => void): void;
}

/**
 * Defines a frozen, non-writable `hops` on the global object: one async function per
 * method name ("cluster.status" becomes `hops.cluster.status(params)`) plus
 * `on(event, listener)` for the contract's events only, returning the unsubscribe function.
 */
export function installHopsApi(methods: readonly string[], events: readonly string[], transport: BridgeTransport): void {
  const api: Record<string, Record<string, unknown> | unknown> = {};
  for (const name of methods) {
    const dot = name.indexOf('.');
    const namespace = name.slice(0, dot);
    const space = (api[namespace] ??= {}) as Record<string, unknown>;
    space[name.slice(dot + 1)] = async (params?: unknown) => {
      const reply = await transport.call(name, params);
      if (reply.ok) return reply.value;
      const error = new Error(reply.error.message) as Error & { code: string; hint: string; field?: string };
      error.name = 'HopsError';
      error.code = reply.error.code;
      error.hint = reply.error.hint;
      if (reply.error.field !== undefined) error.field = reply.error.field;
      throw error;
    };
  }

  const known = new Set(events);
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  transport.listen((message) => {
    for (const listener of [...(listeners.get(message.event) ?? [])]) {
      try {
        listener(message.payload);
      } catch (err) {
        // One broken listener must not keep the event from the others.
        console.error(`hops: a listener of "${message.event}" failed`, err);
      }
    }
  });
  api.on = (event: string, listener: (payload: unknown) => void) => {
    if (!known.has(event)) throw new Error(`Unknown event "${String(event)}"; known events: ${[...known].join(', ')}.`);
    if (typeof listener !== 'function') throw new TypeError(`The listener of "${event}" must be a function.`);
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };

  for (const value of Object.values(api)) Object.freeze(value);
  Object.defineProperty(globalThis, 'hops', { value: Object.freeze(api), enumerable: true, writable: false, configurable: false });
}
