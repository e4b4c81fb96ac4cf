/**
 * One web-mode WebSocket: parses calls, bounds them, dispatches them through the core and
 * forwards every desktop event. Malformed input gets an error reply, never a crash.
 */
import { HopsError, toWireError } from '../../protocol/errors.ts';
import { limits } from '../../protocol/limits.ts';
import type { CallMessage, ServerMessage } from '../../protocol/wire.ts';
import type { Core } from '../core/core.ts';

export interface SocketLike {
  send(data: string): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  readonly readyState: number;
}

const OPEN = 1;

/** Serves the desktop API on one socket until it closes. */
export function serveSocket(socket: SocketLike, core: Pick<Core, 'dispatch' | 'subscribe'>): void {
  let inFlight = 0;
  const send = (message: ServerMessage) => {
    if (socket.readyState === OPEN) socket.send(JSON.stringify(message));
  };
  const unsubscribe = core.subscribe((event, payload) => send({ type: 'event', event, payload }));
  // Logs this page follows stop with it: a closed tab must not keep streams to the head open.
  const follows = new Set<string>();
  socket.on('close', () => {
    unsubscribe();
    for (const followId of follows) void core.dispatch('job.unfollow', { followId }).catch(() => undefined);
  });

  socket.on('message', (data) => {
    const call = parseCall(data);
    if (call instanceof HopsError) {
      send({ type: 'reply', id: -1, ok: false, error: call.toWire() });
      return;
    }
    if (inFlight >= limits.maxInFlightPerSocket) {
      const error = new HopsError('PAYLOAD_TOO_LARGE', `More than ${limits.maxInFlightPerSocket} calls in flight.`, {
        hint: 'Wait for earlier calls to finish.',
      });
      send({ type: 'reply', id: call.id, ok: false, error: error.toWire() });
      return;
    }
    inFlight += 1;
    core
      .dispatch(call.method, call.params)
      .then(
        (value) => {
          if (call.method === 'job.follow') follows.add((value as { followId: string }).followId);
          if (call.method === 'job.unfollow') follows.delete((call.params as { followId: string }).followId);
          send({ type: 'reply', id: call.id, ok: true, value });
        },
        (err: unknown) => send({ type: 'reply', id: call.id, ok: false, error: toWireError(err) }),
      )
      .finally(() => {
        inFlight -= 1;
      });
  });
}

function parseCall(data: unknown): CallMessage | HopsError {
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : typeof data === 'string' ? data : undefined;
  if (text === undefined) return new HopsError('VALIDATION', 'Messages must be JSON text.', { field: '/' });
  if (text.length > limits.maxRequestBytes) {
    return new HopsError('PAYLOAD_TOO_LARGE', `Message of ${text.length} bytes exceeds ${limits.maxRequestBytes}.`);
  }
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return new HopsError('VALIDATION', 'Message is not valid JSON.', { field: '/' });
  }
  if (typeof message !== 'object' || message === null) {
    return new HopsError('VALIDATION', 'Message must be a JSON object.', { field: '/' });
  }
  const { type, id, method } = message as Record<string, unknown>;
  if (type !== 'call') return new HopsError('VALIDATION', 'Message type must be "call".', { field: '/type' });
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return new HopsError('VALIDATION', 'Message id must be a non-negative integer.', { field: '/id' });
  }
  if (typeof method !== 'string') return new HopsError('VALIDATION', 'Message method must be a string.', { field: '/method' });
  return message as CallMessage;
}
