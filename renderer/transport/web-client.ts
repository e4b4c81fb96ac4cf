/**
 * The desktop API over the web-mode WebSocket: the same `HopsApi` the preload exposes in
 * Electron, generated from the contract's method list. Calls made while the socket is down
 * wait for it (up to a limit); calls in flight when it drops fail, since the core may or may
 * not have run them and only the caller knows whether a retry is safe.
 */
import { listMethods, type EventName, type EventPayload, type HopsApi } from '../../protocol/desktop-api.ts';
import { HopsError, type WireError } from '../../protocol/errors.ts';
import type { CallMessage, ServerMessage } from '../../protocol/wire.ts';
import { backoffDelayMs } from '../../protocol/backoff.ts';
import { reconnectBackoff } from './backoff.ts';
import { SOCKET_OPEN, type SocketFactory, type SocketLike } from './socket.ts';

export type LinkState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WebClientOptions {
  url: string;
  createSocket: SocketFactory;
  timers?: Timers;
  /** How long a call may wait for the socket to (re)open before it fails. */
  queueTimeoutMs?: number;
}

export interface WebClient {
  readonly api: HopsApi;
  readonly state: LinkState;
  onStateChange(listener: (state: LinkState) => void): () => void;
  /** Closes for good: no reconnect, every waiting call fails. */
  close(): void;
}

interface PendingCall {
  message: CallMessage;
  resolve(value: unknown): void;
  reject(error: Error): void;
  sent: boolean;
  queueTimer: unknown;
}

/** The page's own timers; tests pass manual ones instead. */
export const globalTimers: Timers = {
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** Opens the socket at once and returns the API over it, reconnecting with backoff whenever it drops. */
export function createWebClient(options: WebClientOptions): WebClient {
  const timers = options.timers ?? globalTimers;
  const queueTimeoutMs = options.queueTimeoutMs ?? 15_000;
  const pending = new Map<number, PendingCall>();
  const eventListeners = new Map<string, Set<(payload: never) => void>>();
  const stateListeners = new Set<(state: LinkState) => void>();
  let state: LinkState = 'connecting';
  let socket: SocketLike | null = null;
  let nextId = 1;
  let attempt = 0;
  let reconnectTimer: unknown = null;

  const setState = (next: LinkState) => {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  };

  const send = (call: PendingCall) => {
    if (socket === null || socket.readyState !== SOCKET_OPEN) return;
    if (call.queueTimer !== null) timers.clearTimeout(call.queueTimer);
    call.queueTimer = null;
    call.sent = true;
    socket.send(JSON.stringify(call.message));
  };

  const settle = (id: number) => {
    const call = pending.get(id);
    if (call === undefined) return undefined;
    pending.delete(id);
    if (call.queueTimer !== null) timers.clearTimeout(call.queueTimer);
    return call;
  };

  const onOpen = () => {
    attempt = 0;
    setState('open');
    for (const call of pending.values()) if (!call.sent) send(call);
  };

  const onMessage = (text: string) => {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      console.warn('Hopsdesk: ignored a message that is not JSON.');
      return;
    }
    if (message.type === 'event') {
      for (const listener of eventListeners.get(message.event) ?? []) {
        // One failing listener must not starve the others of the event.
        try {
          listener(message.payload as never);
        } catch (err) {
          console.error(`Hopsdesk: a listener of ${message.event} failed.`, err);
        }
      }
      return;
    }
    if (message.type !== 'reply') return;
    const call = settle(message.id);
    if (call === undefined) {
      // The core answers id -1 to a message it could not parse; that is a bug on this side.
      if (!message.ok) console.error('Hopsdesk: the core rejected a message.', message.error);
      return;
    }
    if (message.ok) call.resolve(message.value);
    else call.reject(HopsError.fromWire(message.error as WireError));
  };

  const onClose = () => {
    socket = null;
    for (const [id, call] of pending) {
      if (!call.sent) continue;
      settle(id);
      call.reject(
        new HopsError('CORE_UNREACHABLE', `The connection to the Hopsdesk core closed before ${call.message.method} answered.`, {
          hint: 'Hopsdesk reconnects by itself; try again in a moment.',
        }),
      );
    }
    if (state === 'closed') return;
    setState('reconnecting');
    reconnectTimer = timers.setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, backoffDelayMs(attempt, reconnectBackoff));
    attempt += 1;
  };

  const connect = () => {
    try {
      socket = options.createSocket(options.url, { open: onOpen, message: onMessage, close: onClose });
    } catch {
      // A socket that cannot even be created (bad URL, policy) is retried like a dropped one.
      onClose();
    }
  };

  const call = (method: string, params: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (state === 'closed') {
        reject(new HopsError('CORE_UNREACHABLE', `This window closed its connection; ${method} was not sent.`, { hint: 'Reload the page.' }));
        return;
      }
      const id = nextId;
      nextId += 1;
      const entry: PendingCall = { message: { type: 'call', id, method, params: params ?? {} }, resolve, reject, sent: false, queueTimer: null };
      pending.set(id, entry);
      if (socket !== null && socket.readyState === SOCKET_OPEN) {
        send(entry);
        return;
      }
      entry.queueTimer = timers.setTimeout(() => {
        if (settle(id) === undefined) return;
        reject(
          new HopsError('CORE_UNREACHABLE', `Could not reach the Hopsdesk core within ${Math.round(queueTimeoutMs / 1000)} s to call ${method}.`, {
            hint: 'Check that Hopsdesk is still running, then reload this page.',
          }),
        );
      }, queueTimeoutMs);
    });

  const on = <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    let listeners = eventListeners.get(event);
    if (listeners === undefined) {
      listeners = new Set();
      eventListeners.set(event, listeners);
    }
    const entry = listener as (payload: never) => void;
    listeners.add(entry);
    return () => listeners.delete(entry);
  };

  const api: Record<string, unknown> = { on };
  for (const { name } of listMethods()) {
    const [namespace, key] = name.split('.') as [string, string];
    const group = (api[namespace] ??= {}) as Record<string, (params: unknown) => Promise<unknown>>;
    group[key] = (params) => call(name, params);
  }

  connect();

  return {
    api: api as unknown as HopsApi,
    get state() {
      return state;
    },
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      setState('closed');
      if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
      for (const [id, entry] of pending) {
        settle(id);
        entry.reject(new HopsError('CORE_UNREACHABLE', `This window closed its connection before ${entry.message.method} answered.`, { hint: 'Reload the page.' }));
      }
      socket?.close();
      socket = null;
    },
  };
}
