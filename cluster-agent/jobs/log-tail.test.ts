import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir, waitFor } from '../testing/helpers.ts';
import { LineSplitter, LogTail, type OutputLine } from './log-tail.ts';

function split(chunks: Buffer[], maxLineChars: number): Array<[string, boolean]> {
  const lines: Array<[string, boolean]> = [];
  const splitter = new LineSplitter(maxLineChars, (text, cut) => lines.push([text, cut]));
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

test('lines are split across chunks, characters across chunk boundaries kept whole', () => {
  const bytes = Buffer.from('héllo\r\nwörld\nlast');
  const chunks = [...bytes].map((byte) => Buffer.from([byte]));
  assert.deepEqual(split(chunks, 100), [['héllo', false], ['wörld', false], ['last', false]]);
});

test('a line longer than the limit is handed on in pieces, so memory stays bounded', () => {
  assert.deepEqual(split([Buffer.from('abcdefghij\nxy\n')], 4), [['abcd', true], ['efgh', true], ['ij', false], ['xy', false]]);
  // A surrogate pair is never split between two pieces.
  assert.deepEqual(split([Buffer.from('ab😀c\n')], 3), [['ab', true], ['😀c', false]]);
});

test('a tail follows a growing file from an offset and hands on the last line at the end', async () => {
  const { dir, remove } = await tempDir();
  try {
    const file = path.join(dir, 'stdout.log');
    await writeFile(file, 'before\n');
    const lines: OutputLine[] = [];
    const tail = new LogTail(file, 'stdout', (line) => lines.push(line), { offset: 7 });
    tail.start();
    await appendFile(file, 'one\ntw');
    await waitFor('the first line', () => lines.length === 1);
    await appendFile(file, 'o');
    await tail.finish();
    assert.deepEqual(lines, [{ stream: 'stdout', text: 'one' }, { stream: 'stdout', text: 'two' }]);
  } finally {
    await remove();
  }
});
