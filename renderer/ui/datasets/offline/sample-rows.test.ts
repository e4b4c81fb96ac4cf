import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSampleRows } from './sample-rows.ts';

test('a row count is a whole number within the sample limit, with separators allowed', () => {
  assert.deepEqual(readSampleRows('1000'), { ok: true, sampleRows: 1000 });
  assert.deepEqual(readSampleRows(' 10,000 '), { ok: true, sampleRows: 10000 });
  assert.equal(readSampleRows('0').ok, false);
  assert.equal(readSampleRows('2.5').ok, false);
  assert.equal(readSampleRows('').ok, false);
  assert.equal(readSampleRows('1000001').ok, false);
});
