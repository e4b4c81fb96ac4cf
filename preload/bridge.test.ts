/**
 * `installHopsApi` runs from its source text in a fresh context, as
 * `contextBridge.executeInMainWorld` runs it in the page: a reference to anything outside
 * the function would fail here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { eventNames, listMethods, type HopsApi } from '../protocol/desktop-api.ts';
import { installHopsApi, type BridgeTransport, type EventEnvelope, type IpcReply } from './bridge.ts';

const methods = listMethods().map(({ name }) => name);

interface Page {
  hops: HopsApi;
  calls: Array<[string, unknown]>;
  emit(message: EventEnvelope): void;
  errors: unknown[][];
}

function pageWith(answer: (method: string, params: unknown) => IpcReply): Page {
  const calls: Array<[string, unknown]> = [];
  let feed: (message: EventEnvelope) => void = () => undefined;
  const transport: BridgeTransport = {
    call: async (method, params) => {
      calls.push([method, params]);
      return answer(method, params);
    },
    listen: (handler) => void (feed = handler),
  };
  const errors: unknown[][] = [];
  const context = vm.createContext({ methods, events: eventNames, transport, console: { error: (...args: unknown[]) => errors.push(args) } });
  vm.runInContext(`(${installHopsApi.toString()})(methods, events, transport)`, context);
  return { hops: (context as { hops: HopsApi }).hops, calls, emit: (message) => feed(message), errors };
}

test('every contract method is a function on its namespace, and nothing more', () => {
  const { hops } = pageWith(() => ({ ok: true, value: null }));
  const exposed = Object.entries(hops)
    .filter(([key]) => key !== 'on')
    .flatMap(([ns, space]) => Object.keys(space as object).map((key) => `${ns}.${key}`));
  assert.deepEqual(exposed.sort(), [...methods].sort());
  assert.deepEqual(Object.keys(hops).sort(), [...new Set(methods.map((m) => m.split('.')[0]!)), 'on'].sort());
});

test('a call goes out by method name and resolves with the value', async () => {
  const page = pageWith(() => ({ ok: true, value: { theme: 'dark' } }));
  assert.deepEqual({ ...(await page.hops.settings.update({ theme: 'dark' })) }, { theme: 'dark' });
  assert.deepEqual(page.calls, [['settings.update', { theme: 'dark' }]]);
});

test('an error reply rejects with an Error carrying code, hint and field', async () => {
  const page = pageWith(() => ({
    ok: false,
    error: { code: 'VALIDATION', message: 'Invalid settings.update request: /theme — bad.', hint: 'Check the named field and try again.', field: '/theme' },
  }));
  const err = await page.hops.settings.update({ theme: 'dark' }).then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e as Error & { code: string; hint: string; field?: string },
  );
  assert.equal(Object.prototype.toString.call(err), '[object Error]');
  assert.equal(err.name, 'HopsError');
  assert.equal(err.message, 'Invalid settings.update request: /theme — bad.');
  assert.equal(err.code, 'VALIDATION');
  assert.equal(err.hint, 'Check the named field and try again.');
  assert.equal(err.field, '/theme');
});

test('events reach the listeners of that event until they unsubscribe', () => {
  const page = pageWith(() => ({ ok: true, value: null }));
  const seen: unknown[] = [];
  const off = page.hops.on('connection.changed', (payload) => seen.push(payload.cluster));
  page.hops.on('host.metrics', () => seen.push('wrong event'));
  page.emit({ event: 'connection.changed', payload: { cluster: 'local' } });
  off();
  page.emit({ event: 'connection.changed', payload: { cluster: 'lab' } });
  assert.deepEqual(seen, ['local']);
});

test('a throwing listener is reported and does not starve the others', () => {
  const page = pageWith(() => ({ ok: true, value: null }));
  const seen: string[] = [];
  page.hops.on('cluster.hostsChanged', () => {
    throw new Error('listener bug');
  });
  page.hops.on('cluster.hostsChanged', ({ cluster }) => seen.push(cluster));
  page.emit({ event: 'cluster.hostsChanged', payload: { cluster: 'local', hosts: [] } });
  assert.deepEqual(seen, ['local']);
  assert.equal(page.errors.length, 1);
});

test('only contract events can be subscribed to', () => {
  const { hops } = pageWith(() => ({ ok: true, value: null }));
  assert.throws(() => hops.on('ipc.raw' as 'host.metrics', () => undefined), /Unknown event "ipc.raw"/);
  assert.throws(() => hops.on('host.metrics', 'not a function' as never), /must be a function/);
});

test('the page cannot replace or extend window.hops', () => {
  const { hops } = pageWith(() => ({ ok: true, value: null }));
  assert.ok(Object.isFrozen(hops));
  assert.ok(Object.isFrozen(hops.cluster));
  assert.throws(() => {
    'use strict';
    (hops.cluster as Record<string, unknown>).status = () => 'spoofed';
  });
});
