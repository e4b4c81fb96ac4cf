import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand, parsePort } from './args.ts';
import { formatBytes, formatTable } from './format.ts';

test('bytes are shown in binary units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(25_125_558_272), '23.4 GiB');
});

test('tables align text left and numbers right', () => {
  const table = formatTable(['HOST', 'CORES'], [['a', '8'], ['bbbb', '16']], new Set([1]));
  assert.equal(table, 'HOST  CORES\na         8\nbbbb     16');
});

test('commands and flags parse; unknown flags are refused by name', () => {
  const parsed = parseCommand(['cluster', 'status', '--json', '--workspace', '/tmp/w']);
  assert.deepEqual(parsed.path, ['cluster', 'status']);
  assert.equal(parsed.flags.json, true);
  assert.equal(parsed.flags.workspace, '/tmp/w');
  assert.deepEqual(parseCommand(['--version']).path, ['version']);
  assert.throws(() => parseCommand(['--bogus']), /bogus/);
});

test('ports must be integers in range', () => {
  assert.equal(parsePort(undefined, 0), 0);
  assert.equal(parsePort('8080', 0), 8080);
  for (const bad of ['-1', '65536', 'abc', '1e3', '']) assert.throws(() => parsePort(bad, 0), /--port/);
});
