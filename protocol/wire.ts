/**
 * Messages on the web-mode WebSocket (and the shape IPC replies mirror): discriminated
 * unions with a request id; replies are `{ok: true, value}` or `{ok: false, error}`.
 */
import type { WireError } from './errors.ts';

export interface CallMessage {
  type: 'call';
  id: number;
  method: string;
  params: unknown;
}

export type ReplyMessage =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: WireError };

export interface EventMessage {
  type: 'event';
  event: string;
  payload: unknown;
}

export type ServerMessage = ReplyMessage | EventMessage;

/** What an IPC handler returns: errors travel as values so their code and hint survive. */
export type IpcReply = { ok: true; value: unknown } | { ok: false; error: WireError };

/** IPC channels carry this prefix; the main process refuses any other. */
export const IPC_PREFIX = 'hops:';
export const IPC_EVENT_CHANNEL = 'hops:event';
