import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listMethods, type DesktopHandlers } from '../../protocol/desktop-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import { createDispatcher } from './dispatcher.ts';

/** Handlers that echo their method name and params, to see what reached them. */
const echo = Object.fromEntries(
  listMethods().map(({ name }) => [name, async (params: unknown) => ({ method: name, params })]),
) as unknown as DesktopHandlers;
const dispatch = createDispatcher(echo);

async function rejection(promise: Promise<unknown>): Promise<HopsError> {
  const err = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HopsError, `expected a HopsError, got ${String(err)}`);
  return err;
}

test('a valid call reaches its handler with its params', async () => {
  assert.deepEqual(await dispatch('cluster.hosts', { cluster: 'local' }), {
    method: 'cluster.hosts',
    params: { cluster: 'local' },
  });
});

test('missing params are treated as an empty object', async () => {
  assert.deepEqual(await dispatch('app.info', undefined), { method: 'app.info', params: {} });
});

test('unknown methods, including prototype names, are rejected', async () => {
  for (const method of ['cluster.destroy', 'constructor', '__proto__', 'toString', '', 42]) {
    const err = await rejection(dispatch(method as string, {}));
    assert.equal(err.code, 'UNKNOWN_METHOD');
  }
});

test('a wrong field is named in the validation error', async () => {
  const err = await rejection(dispatch('settings.update', { theme: 'purple' }));
  assert.equal(err.code, 'VALIDATION');
  assert.equal(err.field, '/theme');
  assert.match(err.message, /\/theme/);
});

test('unexpected fields are refused', async () => {
  const err = await rejection(dispatch('cluster.status', { cluster: 'local', extra: 1 }));
  assert.equal(err.code, 'VALIDATION');
  assert.equal(err.field, '/extra');
});

test('names with path or shell characters are refused', async () => {
  for (const cluster of ['../etc', 'a b', 'x;rm -rf /', 'a\u0000b', 'x'.repeat(500)]) {
    const err = await rejection(dispatch('cluster.status', { cluster }));
    assert.equal(err.code, 'VALIDATION');
  }
});

test('oversized payloads are refused before validation', async () => {
  const err = await rejection(dispatch('recent.add', { kind: 'host', ref: 'x', title: 'y'.repeat(300_000) }));
  assert.equal(err.code, 'PAYLOAD_TOO_LARGE');
});

test('non-JSON params are refused', async () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const err = await rejection(dispatch('layout.save', cyclic));
  assert.equal(err.code, 'VALIDATION');
});
