/**
 * Staging on real files: a dataset's blocks read once and reused by the next job, a
 * damaged or unreadable block refused with the file named, a replica failing part-way
 * given up for another, a cached file changed by a job fetched again, and the cache kept
 * under its size.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, test } from 'node:test';
import type { StageInput } from '../../protocol/jobs-api.ts';
import { memoryLog, tempDir } from '../testing/helpers.ts';
import { Stager, type OpenBlock } from './stager.ts';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const replicas = [{ hostId: 'far', address: '10.0.0.2:7871' }, { hostId: 'near', address: '10.0.0.3:7871' }];

let dir: string;
let remove: () => Promise<void>;
let reads: string[];
const blocks = new Map<string, Buffer>();

/** Serves blocks from memory; the "far" host is down, so the stager must fall back to "near". */
const openBlock: OpenBlock = async (replica, blockId) => {
  if (replica.hostId === 'far') throw new Error('connection refused');
  reads.push(blockId);
  return Readable.from([blocks.get(blockId)!]);
};

function input(name: string, files: Array<[string, Buffer[]]>): StageInput {
  return {
    name,
    kind: 'dir',
    files: files.map(([relative, parts]) => ({
      path: relative,
      size: parts.reduce((sum, part) => sum + part.length, 0),
      blocks: parts.map((part) => {
        const blockId = `b-${sha(part).slice(0, 12)}`;
        blocks.set(blockId, part);
        return { blockId, size: part.length, sha256: sha(part), replicas };
      }),
    })),
  };
}

beforeEach(async () => {
  ({ dir, remove } = await tempDir());
  reads = [];
});
afterEach(() => remove());

test('a dataset is staged from the replica that answers, and the next job reuses the cache', async () => {
  const stager = new Stager({ dataDir: dir }, openBlock, memoryLog());
  const data = input('tables', [['a.csv', [Buffer.from('x,y\n'), Buffer.from('1,2\n')]], ['sub/b.txt', [Buffer.from('hello')]]]);
  const first = await stager.stage('j-1.1', [data]);
  assert.equal(first.fetchedBytes, 13);
  assert.equal(await readFile(path.join(first.inputs[0]!.path, 'a.csv'), 'utf8'), 'x,y\n1,2\n');
  assert.equal(await readFile(path.join(first.inputs[0]!.path, 'sub', 'b.txt'), 'utf8'), 'hello');
  assert.equal(((await stat(path.join(first.inputs[0]!.path, 'a.csv'))).mode & 0o222), 0, 'read-only');
  assert.equal(reads.length, 3);
  const second = await stager.stage('j-2.1', [data]);
  assert.deepEqual([second.fetchedBytes, second.cachedBytes, reads.length], [0, 13, 3], 'nothing read again');
  await stager.release('j-1.1');
  assert.deepEqual(await readdir(path.join(dir, 'stage-trees')), ['j-2.1']);
});

test('a cached file that was changed is fetched again; a damaged block is refused naming the file', async () => {
  const stager = new Stager({ dataDir: dir }, openBlock, memoryLog());
  const data = input('d', [['f.txt', [Buffer.from('original')]]]);
  const first = await stager.stage('j-1.1', [data]);
  // What a job run as root could do through the read-only mode.
  if (process.getuid?.() === 0) {
    await appendFile(path.join(first.inputs[0]!.path, 'f.txt'), 'tampered');
    const second = await stager.stage('j-2.1', [data]);
    assert.equal(await readFile(path.join(second.inputs[0]!.path, 'f.txt'), 'utf8'), 'original');
  }
  const damaged = input('bad', [['g.bin', [Buffer.from('good bytes')]]]);
  blocks.set(damaged.files[0]!.blocks[0]!.blockId, Buffer.from('bad bytes!'));
  await assert.rejects(stager.stage('j-3.1', [damaged]), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'STAGING_FAILED');
    assert.match(err.message, /bad\/g\.bin/);
    assert.match(err.message, /arrived damaged/);
    return true;
  });
  const cached = await readdir(path.join(dir, 'stage-cache'));
  assert.ok(cached.every((name) => !name.endsWith('.part')), 'no partial file left');
});

test('a replica that fails part-way is given up for the next, which writes its block again from the start', async () => {
  // "far" serves half of each block, then fails, as a chunk failing its checksum does.
  const halfThenFail: OpenBlock = async (replica, blockId) => {
    const bytes = blocks.get(blockId)!;
    if (replica.hostId === 'near') return Readable.from([bytes]);
    return Readable.from((async function* () {
      yield bytes.subarray(0, bytes.length / 2);
      throw new Error('bytes 0 to 65535 do not match their checksum');
    })());
  };
  const stager = new Stager({ dataDir: dir }, halfThenFail, memoryLog());
  const parts = [Buffer.alloc(4000, 1), Buffer.alloc(4000, 2)];
  const staged = await stager.stage('j-1.1', [input('two-blocks', [['t.bin', parts]])]);
  assert.deepEqual(await readFile(path.join(staged.inputs[0]!.path, 't.bin')), Buffer.concat(parts));
});

test('the cache is kept under its size, never removing a file a job still links', async () => {
  const stager = new Stager({ dataDir: dir, maxCacheBytes: 1500 }, openBlock, memoryLog());
  const one = input('one', [['a', [Buffer.alloc(1000, 1)]]]);
  const two = input('two', [['b', [Buffer.alloc(1000, 2)]]]);
  await stager.stage('j-1.1', [one]);
  await stager.release('j-1.1');
  const staged = await stager.stage('j-2.1', [two]);
  const cached = await readdir(path.join(dir, 'stage-cache'));
  assert.equal(cached.length, 1, 'the unused file went');
  assert.equal((await readFile(path.join(staged.inputs[0]!.path, 'b'))).length, 1000);
});
