import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelayMs } from './backoff.ts';

test('doubles from the first delay up to the cap', () => {
  const schedule = { firstMs: 250, maxMs: 1_000 };
  assert.deepEqual([0, 1, 2, 3, 50].map((n) => backoffDelayMs(n, schedule)), [250, 500, 1_000, 1_000, 1_000]);
  assert.equal(backoffDelayMs(-3, schedule), 250, 'a negative attempt counts as the first');
  assert.equal(backoffDelayMs(10_000, { firstMs: 200, maxMs: 30_000 }), 30_000, 'huge attempt counts stay at the cap');
});

test('jitter spreads each delay over the upper half of its range', () => {
  const schedule = { firstMs: 200, maxMs: 1_000, jitter: true };
  assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelayMs(n, schedule, () => 1)), [200, 400, 800, 1_000]);
  assert.equal(backoffDelayMs(3, schedule, () => 0), 500);
});
