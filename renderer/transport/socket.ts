/**
 * The little of a WebSocket the web client needs, behind a factory so tests can hand it a
 * fake socket and drive open, message and close by hand.
 */
export interface SocketLike {
  readonly readyState: number;
  send(text: string): void;
  close(): void;
}

export interface SocketHandlers {
  open(): void;
  message(text: string): void;
  close(): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

/** `WebSocket.OPEN`, spelled out so this file runs where `WebSocket` is not defined. */
export const SOCKET_OPEN = 1;

/** The browser's WebSocket; `close` follows `error`, so listening to `close` covers both. */
export const browserSocket: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.addEventListener('open', () => handlers.open());
  socket.addEventListener('message', (event) => {
    if (typeof event.data === 'string') handlers.message(event.data);
  });
  socket.addEventListener('close', () => handlers.close());
  return socket;
};
