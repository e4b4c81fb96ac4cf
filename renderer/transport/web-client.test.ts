import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listMethods } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { CallMessage } from '../../protocol/wire.ts';
import { manualTimers } from '../testing/manual-timers.ts';
import { backoffDelayMs } from '../../protocol/backoff.ts';
import { reconnectBackoff } from './backoff.ts';
import { SOCKET_OPEN, type SocketHandlers } from './socket.ts';
import { createWebClient } from './web-client.ts';

/** A socket the test drives by hand: open it, answer calls, drop it. */
class FakeSocket {
  readyState = 0;
  sent: CallMessage[] = [];
  closed = false;
  readonly url: string;
  readonly handlers: SocketHandlers;
  constructor(url: string, handlers: SocketHandlers) {
    this.url = url;
    this.handlers = handlers;
  }
  send(text: string) {
    this.sent.push(JSON.parse(text) as CallMessage);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = SOCKET_OPEN;
    this.handlers.open();
  }
  receive(message: unknown) {
    this.handlers.message(JSON.stringify(message));
  }
  drop() {
    this.readyState = 3;
    this.handlers.close();
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers = manualTimers();
  const client = createWebClient({
    url: 'ws://127.0.0.1:4000/ws',
    timers,
    queueTimeoutMs: 5_000,
    createSocket: (url, handlers) => {
      const socket = new FakeSocket(url, handlers);
      sockets.push(socket);
      return socket;
    },
  });
  const socket = () => sockets.at(-1)!;
  return { client, sockets, socket, timers };
}

const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: error as HopsError }),
  );

describe('web client', () => {
  it('offers every method of the contract under its namespace', () => {
    const { client } = setup();
    for (const { name } of listMethods()) {
      const [ns, key] = name.split('.') as [string, string];
      const group = (client.api as unknown as Record<string, Record<string, unknown>>)[ns];
      assert.equal(typeof group?.[key], 'function', name);
    }
  });

  it('connects to the URL it was given', () => {
    const { socket } = setup();
    assert.equal(socket().url, 'ws://127.0.0.1:4000/ws');
  });

  it('queues calls made while connecting and sends them on open', async () => {
    const { client, socket } = setup();
    const reply = client.api.cluster.hosts({});
    assert.equal(socket().sent.length, 0);
    socket().open();
    assert.deepEqual(socket().sent, [{ type: 'call', id: 1, method: 'cluster.hosts', params: {} }]);
    socket().receive({ type: 'reply', id: 1, ok: true, value: { hosts: [] } });
    assert.deepEqual(await reply, { hosts: [] });
  });

  it('matches replies to calls by id, in any order', async () => {
    const { client, socket } = setup();
    socket().open();
    const a = client.api.settings.get({});
    const b = client.api.app.info({});
    socket().receive({ type: 'reply', id: 2, ok: true, value: 'second' });
    socket().receive({ type: 'reply', id: 1, ok: true, value: 'first' });
    assert.deepEqual([await a, await b], ['first', 'second']);
  });

  it('turns error replies into errors with code, hint and field', async () => {
    const { client, socket } = setup();
    socket().open();
    const reply = settled(client.api.layout.save({ activeView: 'cluster', sidebarWidth: 1, sidebarVisible: true, panelVisible: false, panelHeight: 100 }));
    socket().receive({
      type: 'reply',
      id: 1,
      ok: false,
      error: { code: 'VALIDATION', message: 'sidebarWidth is too small', hint: 'Check the named field and try again.', field: '/sidebarWidth' },
    });
    const result = await reply;
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.ok(result.error instanceof Error);
    assert.deepEqual([result.error.code, result.error.hint, result.error.field, result.error.message], [
      'VALIDATION',
      'Check the named field and try again.',
      '/sidebarWidth',
      'sidebarWidth is too small',
    ]);
  });

  it('delivers events to their listeners until they unsubscribe', () => {
    const { client, socket } = setup();
    socket().open();
    const seen: string[] = [];
    const off = client.api.on('host.metrics', (payload) => seen.push(payload.hostId));
    client.api.on('cluster.hostsChanged', () => seen.push('other event'));
    socket().receive({ type: 'event', event: 'host.metrics', payload: { cluster: 'lab', hostId: 'h1', sample: {} } });
    off();
    socket().receive({ type: 'event', event: 'host.metrics', payload: { cluster: 'lab', hostId: 'h2', sample: {} } });
    assert.deepEqual(seen, ['h1']);
  });

  it('keeps delivering an event when one listener throws', () => {
    const { client, socket } = setup();
    socket().open();
    const seen: string[] = [];
    const error = console.error;
    console.error = () => undefined;
    try {
      client.api.on('connection.changed', () => {
        throw new Error('listener bug');
      });
      client.api.on('connection.changed', (p) => seen.push(p.cluster));
      socket().receive({ type: 'event', event: 'connection.changed', payload: { cluster: 'lab', connection: {} } });
    } finally {
      console.error = error;
    }
    assert.deepEqual(seen, ['lab']);
  });

  it('ignores text that is not JSON', () => {
    const { socket } = setup();
    socket().open();
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      assert.doesNotThrow(() => socket().handlers.message('not json'));
    } finally {
      console.warn = warn;
    }
  });

  it('fails calls in flight when the socket closes, with a clear error', async () => {
    const { client, socket } = setup();
    socket().open();
    const reply = settled(client.api.cluster.status({}));
    socket().drop();
    const result = await reply;
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.code, 'CORE_UNREACHABLE');
    assert.match(result.error.message, /closed before cluster\.status answered/);
    assert.match(result.error.hint, /reconnects by itself/);
  });

  it('reconnects with a growing, capped backoff and resets it after success', () => {
    const { client, sockets, socket, timers } = setup();
    const states: string[] = [];
    client.onStateChange((s) => states.push(s));
    socket().open();
    socket().drop();
    assert.deepEqual(timers.delays, [reconnectBackoff.firstMs]);
    timers.advance(reconnectBackoff.firstMs);
    assert.equal(sockets.length, 2);
    socket().drop();
    assert.deepEqual(timers.delays, [backoffDelayMs(1, reconnectBackoff)]);
    timers.advance(backoffDelayMs(1, reconnectBackoff));
    socket().open();
    socket().drop();
    assert.deepEqual(timers.delays, [reconnectBackoff.firstMs]);
    assert.deepEqual(states, ['open', 'reconnecting', 'open', 'reconnecting']);
    assert.equal(backoffDelayMs(50, reconnectBackoff), reconnectBackoff.maxMs);
  });

  it('sends calls queued during a reconnect once the new socket opens', async () => {
    const { client, socket, timers } = setup();
    socket().open();
    socket().drop();
    const reply = client.api.cluster.list({});
    timers.advance(reconnectBackoff.firstMs);
    socket().open();
    assert.equal(socket().sent[0]?.method, 'cluster.list');
    socket().receive({ type: 'reply', id: socket().sent[0]!.id, ok: true, value: { clusters: [] } });
    assert.deepEqual(await reply, { clusters: [] });
  });

  it('fails a queued call that waited too long for a connection', async () => {
    const { client, timers } = setup();
    const reply = settled(client.api.app.info({}));
    timers.advance(5_000);
    const result = await reply;
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error.message, /within 5 s to call app\.info/);
  });

  it('retries when the socket cannot even be created', () => {
    const timers = manualTimers();
    let attempts = 0;
    createWebClient({
      url: 'ws://x/ws',
      timers,
      createSocket: () => {
        attempts += 1;
        throw new Error('blocked');
      },
    });
    timers.advance(reconnectBackoff.firstMs);
    assert.equal(attempts, 2);
  });

  it('closes for good: no reconnect, waiting calls fail', async () => {
    const { client, socket, timers, sockets } = setup();
    const reply = settled(client.api.settings.get({}));
    client.close();
    assert.equal(socket().closed, true);
    assert.equal((await reply).ok, false);
    assert.equal(timers.pending, 0);
    assert.equal((await settled(client.api.settings.get({}))).ok, false);
    assert.equal(sockets.length, 1);
    assert.equal(client.state, 'closed');
  });
});
