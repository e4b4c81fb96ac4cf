import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tableSummary } from './preview-summary.ts';

const table = (rows: number, more: { totalRows?: number; truncated?: boolean; columnsTruncated?: boolean; bytesRead?: number } = {}) => ({
  kind: 'table' as const,
  format: 'csv' as const,
  columns: [{ name: 'a', type: 'BIGINT' }],
  rows: Array.from({ length: rows }, (_, i) => [String(i)]),
  truncated: more.truncated ?? false,
  columnsTruncated: more.columnsTruncated ?? false,
  bytesRead: more.bytesRead ?? 100,
  ...(more.totalRows === undefined ? {} : { totalRows: more.totalRows }),
});

test('a table read whole says its rows; a cut one says how many of how many', () => {
  assert.equal(tableSummary(table(2, { totalRows: 2 })), '2 rows');
  assert.equal(tableSummary(table(1, { totalRows: 1 })), '1 row');
  assert.equal(tableSummary(table(200, { totalRows: 344, truncated: true })), '200 of 344 rows');
  assert.equal(tableSummary(table(200, { totalRows: 300_000, truncated: true })), '200 of 300,000 rows');
});

test('a table whose end was not read says how much was read', () => {
  assert.equal(tableSummary(table(200, { truncated: true, bytesRead: 4 * 1024 * 1024 })), 'first 200 rows (4.0 MiB read)');
  assert.equal(tableSummary(table(3, { totalRows: 3, columnsTruncated: true })), '3 rows, first 1 columns');
});
