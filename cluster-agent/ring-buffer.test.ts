import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from './ring-buffer.ts';

test('keeps the newest items, oldest first', () => {
  const ring = new RingBuffer<number>(3);
  assert.deepEqual(ring.toArray(), []);
  assert.equal(ring.latest(), undefined);
  for (const n of [1, 2]) ring.push(n);
  assert.deepEqual(ring.toArray(), [1, 2]);
  for (const n of [3, 4, 5]) ring.push(n);
  assert.deepEqual(ring.toArray(), [3, 4, 5]);
  assert.equal(ring.latest(), 5);
  assert.equal(ring.size, 3);
});

test('refuses a capacity that is not a positive integer', () => {
  assert.throws(() => new RingBuffer(0), RangeError);
  assert.throws(() => new RingBuffer(1.5), RangeError);
});
