import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IPC_EVENT_CHANNEL } from '../protocol/wire.ts';
import type { EventEnvelope } from './bridge.ts';
import { createTransport, type IpcRendererLike } from './transport.ts';

function fakeIpc() {
  const invoked: Array<[string, unknown[]]> = [];
  const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push([channel, args]);
      return { ok: true, value: 'answer' };
    },
    on: (channel, listener) => listeners.set(channel, listener),
  };
  return { ipc, invoked, listeners };
}

test('known methods become hops:-prefixed invokes', async () => {
  const { ipc, invoked } = fakeIpc();
  const transport = createTransport(ipc, ['cluster.status']);
  assert.deepEqual(await transport.call('cluster.status', { cluster: 'lab' }), { ok: true, value: 'answer' });
  assert.deepEqual(invoked, [['hops:cluster.status', [{ cluster: 'lab' }]]]);
});

test('any other name is refused without touching IPC', async () => {
  const { ipc, invoked } = fakeIpc();
  const transport = createTransport(ipc, ['cluster.status']);
  for (const name of ['event', 'cluster.destroy', '../x', '']) {
    await assert.rejects(transport.call(name, {}), /Unknown method/);
  }
  assert.deepEqual(invoked, []);
});

test('the event channel feeds well-formed envelopes to the page', () => {
  const { ipc, listeners } = fakeIpc();
  const seen: EventEnvelope[] = [];
  createTransport(ipc, []).listen((message) => seen.push(message));
  const channel = listeners.get(IPC_EVENT_CHANNEL)!;
  channel({}, { event: 'host.metrics', payload: 1 });
  channel({}, 'garbage');
  channel({}, null);
  assert.deepEqual(seen, [{ event: 'host.metrics', payload: 1 }]);
});
