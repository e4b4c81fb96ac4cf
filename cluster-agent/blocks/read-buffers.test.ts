import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadBuffers } from './read-buffers.ts';

test('a buffer is handed out again only once what was read into it is written', () => {
  const buffers = new ReadBuffers(1024);
  const a = buffers.take();
  const b = buffers.take();
  assert.notEqual(a.buffer, b.buffer);
  buffers.written(a.subarray(10, 20));
  assert.equal(buffers.take().buffer, a.buffer, 'a view of it frees it');
  assert.notEqual(buffers.take().buffer, b.buffer, 'b was never written');
});

test('saying twice that a chunk was written frees its buffer once', () => {
  const buffers = new ReadBuffers(64);
  const a = buffers.take();
  buffers.written(a);
  buffers.written(a);
  const first = buffers.take();
  const second = buffers.take();
  assert.equal(first.buffer, a.buffer);
  assert.notEqual(second.buffer, a.buffer);
});

test('past `max` buffers, fresh ones are made and not kept; foreign chunks are ignored', () => {
  const buffers = new ReadBuffers(64, 2);
  const [a, b, c] = [buffers.take(), buffers.take(), buffers.take()];
  buffers.written(Buffer.alloc(64));
  for (const chunk of [a, b, c]) buffers.written(chunk);
  const again = new Set([buffers.take().buffer, buffers.take().buffer]);
  assert.deepEqual(again, new Set([a.buffer, b.buffer]));
  assert.ok(![a.buffer, b.buffer, c.buffer].includes(buffers.take().buffer));
});
