import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { checksumChunkBytes, ChunkChecksums, parseChecksums } from './chunk-checksums.ts';

test('chunk checksums are the same however the bytes are cut as they arrive', () => {
  const bytes = randomBytes(3 * checksumChunkBytes + 777);
  const whole = new ChunkChecksums();
  whole.update(bytes);
  const cut = new ChunkChecksums();
  for (let at = 0; at < bytes.length; at += 10_007) cut.update(bytes.subarray(at, at + 10_007));
  assert.deepEqual(cut.file(), whole.file());
  const parsed = parseChecksums(whole.file(), bytes.length);
  assert.equal(parsed?.chunkBytes, checksumChunkBytes);
  const expected = [0, 1, 2, 3].map((i) => crc32(bytes.subarray(i * checksumChunkBytes, (i + 1) * checksumChunkBytes)));
  assert.deepEqual([0, 1, 2, 3].map((i) => parsed?.sums.readUInt32BE(4 * i)), expected);
});

test('a checksum file that does not fit its block is not used', () => {
  const sums = new ChunkChecksums();
  sums.update(Buffer.alloc(2 * checksumChunkBytes));
  const file = sums.file();
  assert.equal(parseChecksums(file, 2 * checksumChunkBytes + 1), undefined, 'a block longer than its checksums');
  assert.equal(parseChecksums(Buffer.concat([Buffer.from('XXXX'), file.subarray(4)]), 2 * checksumChunkBytes), undefined, 'another format');
  assert.equal(parseChecksums(file.subarray(0, 6), 2 * checksumChunkBytes), undefined, 'cut short');
  const empty = new ChunkChecksums();
  assert.deepEqual(parseChecksums(empty.file(), 0)?.sums.length, 0, 'an empty block has no chunks');
});
