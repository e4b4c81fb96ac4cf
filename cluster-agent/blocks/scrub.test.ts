/**
 * The block scrub on a real disk: a pass reads every block at no more than its rate,
 * sets aside and reports a corrupt one that nobody read, leaves the whole ones, goes on
 * past one the disk cannot give back, and keeps
 * its place, so an agent started again goes on after the last block it checked and
 * waits for the interval once a pass is over.
 */
import assert from 'node:assert/strict';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { memoryLog, tempDir, waitFor } from '../testing/helpers.ts';
import { BlockStore } from './block-store.ts';
import { startScrub } from './scrub.ts';

const blockBytes = 256 * 1024;
const ids = ['1', '2', '3'].map((c) => c.repeat(32));

let dir: string;
let remove: () => Promise<void>;
let store: BlockStore;
let corrupt: string[];
let stop: (() => Promise<void>) | undefined;
const log = memoryLog();
const stateFile = () => path.join(dir, 'scrub.json');
const passes = () => log.entries().filter((entry) => entry.msg === 'block scrub pass finished');

beforeEach(async () => {
  ({ dir, remove } = await tempDir());
  corrupt = [];
  log.lines.length = 0;
  store = await BlockStore.open({ dir: path.join(dir, 'blocks'), hostId: 'w1', reservedBytes: 0, log, onCorrupt: (blockId) => corrupt.push(blockId) });
  for (const [i, id] of ids.entries()) {
    const writer = await store.beginWrite(id, blockBytes);
    await writer.write([Buffer.alloc(blockBytes, i + 1)]);
    await writer.finish();
  }
});
afterEach(async () => {
  await stop?.();
  stop = undefined;
  await remove();
});

/** Flips one byte of block `id` on disk, as a failing disk would. */
async function flipByte(id: string): Promise<void> {
  const shard = path.join(dir, 'blocks', id.slice(0, 2));
  const [file] = (await store.list()).filter((b) => b.id === id).map((b) => path.join(shard, `blk_${b.id}_${b.sha256}`));
  assert.ok(file !== undefined);
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.from([0xff]), 0, 1, 1000);
  } finally {
    await handle.close();
  }
}

test('a pass finds the replica gone bad that nobody read, at no more than its rate, and keeps the whole ones', async () => {
  await flipByte(ids[1]!);
  // A block the disk cannot give back (here a directory where its file should be) is logged, and the pass goes on.
  const unreadable = '0'.repeat(32);
  await mkdir(path.join(dir, 'blocks', '00', `blk_${unreadable}_${'0'.repeat(64)}`), { recursive: true });
  const started = performance.now();
  stop = startScrub(store, { intervalMs: 3_600_000, bytesPerSecond: 4 * 1024 * 1024, stateFile: stateFile(), log });
  await waitFor('a scrub pass', () => passes().length === 1);
  const tookMs = performance.now() - started;
  assert.deepEqual(corrupt, [ids[1]], 'the corrupt replica reported');
  assert.deepEqual((await store.list()).map((b) => b.id).sort(), [unreadable, ids[0], ids[2]], 'and set aside; the others kept');
  const { blocks, corrupt: found, unreadable: unread } = passes()[0] ?? {};
  assert.deepEqual({ blocks, found, unread }, { blocks: 4, found: 1, unread: 1 }, 'the pass is logged with what it found');
  assert.ok(log.lines.some((line) => line.includes('block scrub could not read a block') && line.includes(unreadable)));
  // Over 768 KiB at 4 MiB/s: 190 ms at least.
  assert.ok(tookMs >= 180, `the pass took ${tookMs.toFixed(0)} ms`);
  const state = JSON.parse(await readFile(stateFile(), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(state), ['passStartedAtMs'], 'a finished pass keeps only when it started');
});

test('an agent started again goes on after the last block checked, and waits for the interval once the pass is over', async () => {
  await flipByte(ids[0]!);
  await flipByte(ids[2]!);
  const startedAtMs = Date.now() - 60_000;
  await writeFile(stateFile(), JSON.stringify({ passStartedAtMs: startedAtMs, afterBlockId: ids[1] }));
  stop = startScrub(store, { intervalMs: 3_600_000, bytesPerSecond: 64 * 1024 * 1024, stateFile: stateFile(), log });
  await waitFor('the pass to end', () => passes().length === 1);
  assert.deepEqual(corrupt, [ids[2]], 'only the block after the last one checked was read');
  assert.equal(passes()[0]?.blocks, 1);
  assert.deepEqual(JSON.parse(await readFile(stateFile(), 'utf8')), { passStartedAtMs: startedAtMs });
  // The next pass is an hour after this one started: nothing more for now.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(passes().length, 1);
  assert.deepEqual(corrupt, [ids[2]]);
  await stop();
  stop = undefined;
});
