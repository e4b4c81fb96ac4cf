import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HopsError } from './errors.ts';
import { formatDuration, formatSize, parseDuration, parseSize } from './quantities.ts';

test('sizes: K, M, G, T alone or with iB are powers of 1024; KB, MB, GB, TB of 1000', () => {
  assert.equal(parseSize('16GiB'), 16 * 1024 ** 3);
  assert.equal(parseSize('512M'), 512 * 1024 ** 2);
  assert.equal(parseSize('512m'), 512 * 1024 ** 2);
  assert.equal(parseSize('2Ti'), 2 * 1024 ** 4);
  assert.equal(parseSize('2TB'), 2e12);
  assert.equal(parseSize('1.5G'), 1.5 * 1024 ** 3);
  assert.equal(parseSize(' 4096 '), 4096);
  assert.equal(parseSize('100B'), 100);
});

test('a bad size is a VALIDATION error naming the text, the field and the fix', () => {
  for (const [text, why] of [
    ['', 'expected a number and a unit'],
    ['GiB', 'expected a number and a unit'],
    ['-1G', 'expected a number and a unit'],
    ['16XB', '"XB" is not a unit of size'],
    ['0.1K', 'not a whole number of bytes'],
    ['99999999PB', 'too large'],
    ['1'.repeat(200), 'expected a number and a unit'],
  ] as const) {
    assert.throws(
      () => parseSize(text, '--memory'),
      (err: unknown) => err instanceof HopsError && err.code === 'VALIDATION' && err.field === '--memory' && err.message.includes(why) && err.hint.includes('16GiB'),
      text,
    );
  }
});

test('durations: ms, s, m, h, d, combinable; a bare number is refused', () => {
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1d 2h'), 93_600_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('250ms'), 250);
  for (const [text, why] of [
    ['90', 'it has no unit'],
    ['2 hours', '"hours" is not a unit of time'],
    ['h', 'expected a number and a unit'],
    ['1h-5m', 'expected a number and a unit'],
    ['', 'expected a number and a unit'],
  ] as const) {
    assert.throws(
      () => parseDuration(text, '--time-limit'),
      (err: unknown) => err instanceof HopsError && err.code === 'VALIDATION' && err.field === '--time-limit' && err.message.includes(why),
      text,
    );
  }
});

test('sizes and durations read back in messages', () => {
  assert.equal(formatSize(64 * 1024 ** 3), '64 GiB');
  assert.equal(formatSize(1.5 * 1024 ** 4), '1.5 TiB');
  assert.equal(formatSize(512), '512 B');
  assert.equal(formatDuration(5_400_000), '1h 30m');
  assert.equal(formatDuration(86_400_000 + 1000), '1d 1s');
  assert.equal(formatDuration(250), '250ms');
});
