import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { HopsError } from '../../protocol/errors.ts';
import type { ServerMessage } from '../../protocol/wire.ts';
import type { CoreEventListener } from '../core/core.ts';
import { serveSocket } from './socket.ts';

class FakeSocket extends EventEmitter {
  readyState = 1;
  readonly sent: ServerMessage[] = [];
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ServerMessage);
  }
  /** Sends a frame and waits for the reply count to grow. */
  async frame(data: unknown): Promise<ServerMessage> {
    const before = this.sent.length;
    this.emit('message', data);
    for (let i = 0; i < 100 && this.sent.length === before; i++) await new Promise((r) => setImmediate(r));
    return this.sent.at(-1)!;
  }
}

function fakeCore() {
  const listeners = new Set<CoreEventListener>();
  return {
    listeners,
    dispatch: async (method: string, params: unknown) => {
      if (method === 'fail') throw new HopsError('CLUSTER_NOT_FOUND', 'no such cluster');
      return { method, params };
    },
    subscribe: (listener: CoreEventListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

test('calls get replies with their id', async () => {
  const socket = new FakeSocket();
  serveSocket(socket, fakeCore());
  const reply = await socket.frame(Buffer.from(JSON.stringify({ type: 'call', id: 7, method: 'app.info', params: {} })));
  assert.deepEqual(reply, { type: 'reply', id: 7, ok: true, value: { method: 'app.info', params: {} } });
});

test('errors cross as wire errors with code and hint', async () => {
  const socket = new FakeSocket();
  serveSocket(socket, fakeCore());
  const reply = await socket.frame(JSON.stringify({ type: 'call', id: 1, method: 'fail', params: {} }));
  assert.equal(reply.type, 'reply');
  assert.ok(reply.type === 'reply' && !reply.ok);
  assert.equal(reply.error.code, 'CLUSTER_NOT_FOUND');
  assert.ok(reply.error.hint.length > 0);
});

test('malformed frames get a validation error naming the field, and the socket keeps working', async () => {
  const socket = new FakeSocket();
  serveSocket(socket, fakeCore());
  const cases: Array<[unknown, string]> = [
    ['not json', '/'],
    ['[1,2]', '/type'],
    ['null', '/'],
    [JSON.stringify({ type: 'call', id: -1, method: 'x' }), '/id'],
    [JSON.stringify({ type: 'call', id: 1.5, method: 'x' }), '/id'],
    [JSON.stringify({ type: 'call', id: 1, method: 5 }), '/method'],
    [JSON.stringify({ type: 'hello', id: 1 }), '/type'],
  ];
  for (const [frame, field] of cases) {
    const reply = await socket.frame(frame);
    assert.ok(reply.type === 'reply' && !reply.ok, `frame ${String(frame)} was refused`);
    assert.equal(reply.error.field, field, `frame ${String(frame)}`);
  }
  const ok = await socket.frame(JSON.stringify({ type: 'call', id: 2, method: 'app.info', params: {} }));
  assert.ok(ok.type === 'reply' && ok.ok);
});

test('oversized frames are refused', async () => {
  const socket = new FakeSocket();
  serveSocket(socket, fakeCore());
  const reply = await socket.frame('x'.repeat(300_000));
  assert.ok(reply.type === 'reply' && !reply.ok);
  assert.equal(reply.error.code, 'PAYLOAD_TOO_LARGE');
});

test('events are forwarded until the socket closes', () => {
  const socket = new FakeSocket();
  const core = fakeCore();
  serveSocket(socket, core);
  for (const listener of core.listeners) listener('connection.changed', { cluster: 'local', connection: { state: 'connected', detail: '', sinceMs: 0 } });
  assert.equal(socket.sent.at(-1)?.type, 'event');
  socket.emit('close');
  assert.equal(core.listeners.size, 0);
});
