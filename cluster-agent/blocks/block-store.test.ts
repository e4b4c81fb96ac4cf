/**
 * A worker's block store on a real disk: whole blocks or nothing, checksums verified
 * before serving (chunk by chunk, or whole for a block without chunk checksums), corrupt
 * replicas set aside, a full disk refused cleanly.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { HopsError, type ErrorCode } from '../../protocol/errors.ts';
import { memoryLog, tempDir } from '../testing/helpers.ts';
import { BlockStore } from './block-store.ts';

const run = promisify(execFile);
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const id = (c: string): string => c.repeat(32);

async function rejectsCode(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof HopsError, String(err));
    assert.equal(err.code, code, err.message);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

async function flipByte(file: string, at: number): Promise<void> {
  const handle = await open(file, 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, at);
  await handle.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, at);
  await handle.close();
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('the block store', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let store: BlockStore;
  const corrupt: Array<[string, string]> = [];

  before(async () => {
    ({ dir, remove } = await tempDir());
    store = await BlockStore.open({ dir: path.join(dir, 'blocks'), hostId: 'w1', reservedBytes: 0, log: memoryLog(), onCorrupt: (blockId, reason) => corrupt.push([blockId, reason]) });
  });
  after(async () => {
    await remove();
  });

  /** Writes `bytes` in gatherings of three 1000-byte pieces, as gathered writes hand them on. */
  async function put(blockId: string, bytes: Buffer): Promise<void> {
    const writer = await store.beginWrite(blockId, bytes.length || 1);
    for (let i = 0; i < bytes.length; i += 3000) await writer.write([0, 1000, 2000].map((at) => bytes.subarray(i + at, Math.min(i + 3000, i + at + 1000))));
    assert.deepEqual(await writer.finish(), { id: blockId, size: bytes.length, sha256: sha(bytes) });
  }

  test('a written block reads back whole, from any offset, and is listed', async () => {
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    await put(id('a'), bytes);
    await put(id('b'), Buffer.alloc(0));
    assert.deepEqual(await readAll((await store.read(id('a'), { sha256: sha(bytes) })).stream), bytes);
    assert.deepEqual(await readAll((await store.read(id('a'), { offset: 4000 })).stream), bytes.subarray(4000));
    assert.equal((await readAll((await store.read(id('b'))).stream)).length, 0);
    assert.deepEqual((await store.list()).sort((x, y) => x.id.localeCompare(y.id)), [
      { id: id('a'), size: 5000, sha256: sha(bytes) },
      { id: id('b'), size: 0, sha256: sha(Buffer.alloc(0)) },
    ]);
    // Each beside its chunk checksums.
    const names = [`aa/blk_${id('a')}_${sha(bytes)}`, `bb/blk_${id('b')}_${sha(Buffer.alloc(0))}`];
    assert.deepEqual(await filesUnder(path.join(dir, 'blocks')), names.flatMap((name) => [name, `${name}.crc`]));
    await rejectsCode(store.read(id('c')), 'BLOCK_NOT_FOUND', /Host w1 has no block/);
  });

  test('a write of more pieces than one system call takes is written whole, in order', async () => {
    // Linux takes at most 1024 pieces per writev system call; more must still land whole, in order.
    const pieces = Array.from({ length: 2500 }, (_, i) => Buffer.from([i % 251, (i * 7) % 251, 1]));
    const writer = await store.beginWrite(id('f'), 3 * pieces.length);
    await writer.write(pieces);
    const whole = Buffer.concat(pieces);
    assert.deepEqual(await writer.finish(), { id: id('f'), size: whole.length, sha256: sha(whole) });
    assert.deepEqual(await readAll((await store.read(id('f'), { sha256: sha(whole) })).stream), whole);
    assert.equal(await store.delete(id('f')), true);
  });

  test('an aborted or oversized write leaves nothing behind', async () => {
    const writer = await store.beginWrite(id('c'), 10);
    await writer.write([Buffer.alloc(6)]);
    await writer.abort();
    const big = await store.beginWrite(id('d'), 10);
    await big.write([Buffer.alloc(6)]);
    await assert.rejects(big.write([Buffer.alloc(2), Buffer.alloc(3)]), /larger than the 10 bytes announced/);
    // Aborted after finishing too (a downstream host failed): the block goes.
    const finished = await store.beginWrite(id('e'), 10);
    await finished.write([Buffer.alloc(3)]);
    await finished.finish();
    await finished.abort();
    assert.deepEqual((await store.list()).map((b) => b.id).sort(), [id('a'), id('b')]);
    assert.deepEqual(await filesUnder(path.join(dir, 'blocks', 'tmp')), []);
  });

  test('a flipped byte is found before a byte of its chunk is served: BLOCK_CORRUPT, set aside with its checksums, reported', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    await put(id('f'), bytes);
    const file = path.join(dir, 'blocks', 'ff', `blk_${id('f')}_${sha(bytes)}`);
    await flipByte(file, 2.5 * 1024 * 1024);
    const served: Buffer[] = [];
    const reading = (async () => {
      for await (const chunk of (await store.read(id('f'))).stream) served.push(chunk as Buffer);
    })();
    await rejectsCode(reading, 'BLOCK_CORRUPT', /Host w1 holds a corrupt replica .*: bytes 2621440 to 2686975 do not match their checksum/);
    // What came before the bad chunk came whole; nothing of the bad chunk came.
    const before = Buffer.concat(served);
    assert.ok(before.length <= 2.5 * 1024 * 1024 && bytes.subarray(0, before.length).equals(before));
    assert.deepEqual(corrupt.map(([blockId]) => blockId), [id('f')]);
    assert.deepEqual(await filesUnder(path.join(dir, 'blocks', 'ff')), [`blk_${id('f')}_${sha(bytes)}.corrupt`, `blk_${id('f')}_${sha(bytes)}.corrupt.crc`]);
    // Never served nor reported again; deleting it removes the corrupt copy too.
    await rejectsCode(store.read(id('f')), 'BLOCK_NOT_FOUND');
    assert.equal((await store.list()).some((b) => b.id === id('f')), false);
    assert.equal(await store.delete(id('f')), true);
    assert.deepEqual(await filesUnder(path.join(dir, 'blocks', 'ff')), []);
    // A head that recorded another digest than the block's own is told the same.
    await rejectsCode(store.read(id('a'), { sha256: '0'.repeat(64) }), 'BLOCK_CORRUPT', /the head recorded/);
  });

  test('a range read checks the chunks it serves; a block without chunk checksums is checked whole first', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 5);
    await put(id('e'), bytes);
    const file = path.join(dir, 'blocks', 'ee', `blk_${id('e')}_${sha(bytes)}`);
    await flipByte(file, 100);
    // The last MiB is served: its chunks are whole (the scrub finds the first one's flip).
    const from = 2 * 1024 * 1024 + 12_345;
    const tail = await readAll((await store.read(id('e'), { offset: from })).stream);
    assert.ok(tail.equals(bytes.subarray(from)));
    // As a block written before chunk checksums were kept: the flip is found before any byte.
    await unlink(`${file}.crc`);
    await rejectsCode(store.read(id('e'), { offset: from }), 'BLOCK_CORRUPT', /its bytes hash to/);
    assert.equal(corrupt.at(-1)?.[0], id('e'));
    assert.equal(await store.delete(id('e')), true);
  });

  test('ids are checked: no id names a path outside the store', async () => {
    for (const bad of ['../../etc/passwd', `${'a'.repeat(31)}/`, 'A'.repeat(32), '', `${'a'.repeat(32)}x`]) {
      await rejectsCode(store.read(bad), 'VALIDATION');
      await rejectsCode(store.beginWrite(bad, 1), 'VALIDATION');
      await rejectsCode(store.delete(bad), 'VALIDATION');
    }
  });

  test('partial blocks a crash left are cleared when the store opens', async () => {
    await writeFile(path.join(dir, 'blocks', 'tmp', `blk_${id('9')}.abc.part`), 'half');
    store = await BlockStore.open({ dir: path.join(dir, 'blocks'), hostId: 'w1', reservedBytes: 0, log: memoryLog() });
    assert.deepEqual(await filesUnder(path.join(dir, 'blocks', 'tmp')), []);
    // Block a was set aside above, when its digest was not the head's.
    assert.deepEqual((await store.list()).map((b) => b.id), [id('b')]);
  });

  test('a block that would eat into the reserve is refused before a byte is written', async () => {
    const reserved = await BlockStore.open({ dir: path.join(dir, 'blocks'), hostId: 'w1', reservedBytes: Number.MAX_SAFE_INTEGER / 2, log: memoryLog() });
    await rejectsCode(reserved.assertRoomFor(1), 'DISK_FULL', /Host w1 has no room/);
  });

  test('a disk that fills up mid-block: DISK_FULL, and no partial block', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root to mount a small tmpfs');
      return;
    }
    const small = path.join(dir, 'small');
    await mkdir(small);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small]);
    try {
      const full = await BlockStore.open({ dir: path.join(small, 'blocks'), hostId: 'w2', reservedBytes: 0, log: memoryLog() });
      const writer = await full.beginWrite(id('7'), 4 * 1024 * 1024);
      const chunk = Buffer.alloc(64 * 1024, 1);
      await rejectsCode(
        (async () => {
          for (let i = 0; i < 64; i += 1) await writer.write([chunk]);
        })(),
        'DISK_FULL',
        /Host w2 has no room .* ENOSPC/,
      );
      assert.deepEqual(await filesUnder(path.join(small, 'blocks')), []);
      await rejectsCode(full.assertRoomFor(4 * 1024 * 1024), 'DISK_FULL');
    } finally {
      await run('umount', [small]);
    }
  });
});
