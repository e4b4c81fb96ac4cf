import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs } from './backoff.ts';

test('doubles from the base up to the cap, jittered within the upper half', () => {
  const high = () => 1;
  const low = () => 0;
  assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelayMs(n, 200, 1000, high)), [200, 400, 800, 1000]);
  assert.equal(backoffDelayMs(4, 200, 1000, low), 500);
  assert.equal(backoffDelayMs(1000, 200, 30_000, high), 30_000, 'huge failure counts stay at the cap');
});
