/**
 * The filesystem surviving lost hosts and bad disks, in-process: a head that is also a
 * worker and two worker-only agents joined over mutual TLS on 127.0.0.1 (as
 * `filesystem.test.ts`), with hosts declared dead after seconds. Faults are real: an
 * agent stopped, a byte flipped in a replica file (found by a read, or by the scrub), a head
 * restarted on its database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile } from 'node:fs/promises';
import { agentRoutes } from '../protocol/agent-api.ts';
import type { FsStatus, FsckReport } from '../protocol/fsck.ts';
import { fsRoutes, type FileStat, type ListPage } from '../protocol/fs.ts';
import { TestCluster, blockFile, blockFiles, sha256, testBytes } from './testing/fs-cluster.ts';
import { tempDir, waitFor } from './testing/helpers.ts';

const blockSize = 64 * 1024;
/** Hosts are unreachable after 5 s of silence (fs-cluster.ts) and dead after 6 s. */
const agent = { deadHostAfterMs: 6000 };
const filesystem = { replicationIntervalMs: 200 };

async function flipByte(file: string, at: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const one = Buffer.alloc(1);
    await handle.read(one, 0, 1, at);
    one[0] = (one[0] ?? 0) ^ 0x20;
    await handle.write(one, 0, 1, at);
  } finally {
    await handle.close();
  }
}

describe('re-replication, repair and fsck', () => {
  let remove: () => Promise<void>;
  let cluster: TestCluster;

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    cluster = new TestCluster(temp.dir);
    await cluster.start(2, { agent, filesystem });
    await cluster.ok('POST', '/v1/projects', { json: { name: 'alpha' } });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data' } });
  });
  after(async () => {
    await cluster.stop();
    await remove();
  });

  const fsck = (query: Record<string, string> = {}, token?: string) =>
    cluster.ok<FsckReport>('GET', fsRoutes.fsck, { query, ...(token === undefined ? {} : { token }) });

  test('fsck of a healthy tree: totals, no problems, verdict HEALTHY; files listed as healthy', async () => {
    await cluster.put('/Projects/alpha/data/a.bin', testBytes(3 * blockSize + 5, 1), { blockSize });
    await cluster.put('/Projects/alpha/data/b.bin', testBytes(10, 2), { blockSize });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data/empty' } });
    const report = await fsck({ path: '/Projects/alpha/data' });
    assert.deepEqual(report.totals, { files: 2, dirs: 2, blocks: 5, bytes: 3 * blockSize + 15 });
    assert.deepEqual([report.underReplicated.count, report.missing.count, report.corrupt.count], [0, 0, 0]);
    assert.equal(report.verdict, 'HEALTHY');
    assert.equal(report.safeMode.on, false);
    assert.deepEqual(report.workers, { live: 3, dead: 0, total: 3 });
    const page = await cluster.ok<ListPage>('GET', fsRoutes.list, { query: { path: '/Projects/alpha/data' } });
    assert.deepEqual(page.entries.map((e) => [e.name, e.health]), [['a.bin', 'healthy'], ['b.bin', 'healthy'], ['empty', undefined]]);
  });

  test('fsck: the admin checks everything, a Data Owner their projects, others are refused naming the permission', async () => {
    const owner = await cluster.user('olga');
    const scientist = await cluster.user('sam');
    await cluster.ok('POST', '/v1/projects', { json: { name: 'beta' }, token: owner });
    await cluster.ok('POST', '/v1/projects/beta/members', { json: { user: 'sam', role: 'data-scientist' }, token: owner });
    assert.equal((await fsck({ path: '/Projects/beta' }, owner)).verdict, 'HEALTHY');
    const asScientist = await cluster.call('GET', fsRoutes.fsck, { query: { path: '/Projects/beta' }, token: scientist });
    assert.equal(asScientist.status, 403);
    assert.match(asScientist.json<{ message: string }>().message, /sam is a Data Scientist in "beta"; checking the health of \/Projects\/beta needs data\.import \(Data Owner\)/);
    const notMember = await cluster.call('GET', fsRoutes.fsck, { query: { path: '/Projects/alpha' }, token: owner });
    assert.equal(notMember.status, 403);
    assert.match(notMember.json<{ message: string }>().message, /olga is not a member of "alpha"/);
    const whole = await cluster.call('GET', fsRoutes.fsck, { token: owner });
    assert.equal(whole.status, 403);
    assert.match(whole.json<{ message: string }>().message, /needs the cluster admin/);
    assert.ok((await fsck()).totals.files >= 2);
  });

  test('a flipped byte: the read gets good bytes, and the replica is replaced on disk from a good one', async () => {
    const file = '/Projects/alpha/data/flip.bin';
    const bytes = testBytes(2 * blockSize, 9);
    await cluster.put(file, bytes, { blockSize });
    const block = (await cluster.blocks(file)).blocks[0];
    assert.ok(block !== undefined);
    const replicaFile = await blockFile(cluster.head.dataDir, block.blockId);
    await flipByte(replicaFile, 100);
    assert.equal(sha256(await cluster.read(file)), sha256(bytes), 'no corrupt byte returned');
    await waitFor('the corrupt replica replaced', async () => {
      const now = await cluster.blocks(file);
      const replicas = now.blocks[0]?.replicas ?? [];
      return replicas.length === 3 && replicas.every((r) => r.state === 'finalized');
    });
    // Back on the head's disk, whole, and nothing corrupt left lying there.
    const repaired = await blockFile(cluster.head.dataDir, block.blockId);
    assert.equal(sha256(await readFile(repaired)), block.sha256);
    assert.deepEqual((await blockFiles(cluster.head.dataDir)).corrupt, []);
    assert.equal((await fsck({ path: '/Projects/alpha/data' })).corrupt.count, 0);
    assert.equal(sha256(await cluster.read(file)), sha256(bytes));
  });

  // Last: it stops a worker, then brings it back.
  test('a worker lost at replication 2: files stay readable, are re-replicated, and the excess goes when it is back', async () => {
    // A dataset of its own: files of replication 3 elsewhere stay short once a host of three is gone.
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/r2' } });
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 4; i += 1) files.set(`/Projects/alpha/r2/f-${i}.bin`, testBytes(3 * blockSize + i, 20 + i));
    for (const [file, bytes] of files) await cluster.put(file, bytes, { blockSize, replication: 2 });
    // Every file has a replica on head-1 (placed first) and one on a worker: stop worker-1.
    const lost = 'worker-1';
    const stoppedAt = Date.now();
    await cluster.agent(lost).handle.stop();
    for (const [file, bytes] of files) assert.equal(sha256(await cluster.read(file)), sha256(bytes), `${file} readable at once`);

    await waitFor('worker-1 declared dead', async () => (await cluster.hosts()).find((h) => h.hostId === lost)?.deadSinceMs !== undefined, 20_000);
    const report = await waitFor('every block back at replication 2', async () => {
      const r = await fsck({ path: '/Projects/alpha/r2' });
      return r.verdict === 'HEALTHY' ? r : undefined;
    }, 20_000);
    console.log(`# re-replicated ${report.totals.blocks} blocks ${Date.now() - stoppedAt} ms after the worker stopped`);
    assert.deepEqual(report.workers, { live: 2, dead: 1, total: 3 });
    for (const [file, bytes] of files) {
      const { blocks } = await cluster.blocks(file);
      for (const block of blocks) {
        const live = block.replicas.filter((r) => r.state === 'finalized' && r.hostId !== lost);
        assert.equal(live.length, 2, `block ${block.index} of ${file} on two live hosts`);
      }
      assert.equal(sha256(await cluster.read(file)), sha256(bytes));
      const stat = await cluster.ok<FileStat>('GET', fsRoutes.stat, { query: { path: file } });
      assert.equal(stat.health, 'healthy');
    }

    // Back: its report is asked for, its replicas count again, and the extra ones are deleted.
    await cluster.restart(lost);
    await waitFor('no block with more than 2 replicas', async () => {
      for (const file of files.keys()) {
        const { blocks } = await cluster.blocks(file);
        if (blocks.some((b) => b.replicas.filter((r) => r.state === 'finalized').length !== 2)) return false;
      }
      return true;
    }, 20_000);
    for (const [file, bytes] of files) assert.equal(sha256(await cluster.read(file)), sha256(bytes));
    assert.equal((await fsck({ path: '/Projects/alpha/r2' })).verdict, 'HEALTHY');
  });
});

describe('the block scrub', () => {
  let remove: () => Promise<void>;
  let cluster: TestCluster;

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    cluster = new TestCluster(temp.dir);
    // A pass every second, so the test does not wait days for one.
    await cluster.start(1, { agent, filesystem: { ...filesystem, scrubIntervalMs: 1000 } });
    await cluster.ok('POST', '/v1/projects', { json: { name: 'alpha' } });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data' } });
  });
  after(async () => {
    await cluster.stop();
    await remove();
  });

  const fsck = (query: Record<string, string>) => cluster.ok<FsckReport>('GET', fsRoutes.fsck, { query });

  test('a byte flipped in a replica nobody reads is found by the scrub, and the replica replaced from a good one', async () => {
    const file = '/Projects/alpha/data/cold.bin';
    const bytes = testBytes(2 * blockSize, 31);
    await cluster.put(file, bytes, { blockSize, replication: 2 });
    const block = (await cluster.blocks(file)).blocks[1];
    assert.ok(block !== undefined);
    const worker = cluster.agent('worker-1');
    await flipByte(await blockFile(worker.dataDir, block.blockId), 7);
    // No read of the file from here on: the scrub alone finds it.
    await waitFor('the scrub to set the replica aside', () => worker.log.lines.some((line) => line.includes('corrupt block replica set aside') && line.includes(block.blockId)), 20_000);
    await waitFor('a good replica back on worker-1', async () => {
      const again = await blockFiles(worker.dataDir);
      const replica = again.blocks.find((f) => f.includes(`blk_${block.blockId}_`));
      return replica !== undefined && sha256(await readFile(replica)) === block.sha256;
    }, 20_000);
    // The worker renames the copy into place before its acknowledgement reaches the head,
    // which only then counts the replica: fsck says HEALTHY once it has.
    await waitFor('fsck to count the replaced replica', async () => (await fsck({ path: '/Projects/alpha/data' })).verdict === 'HEALTHY', 10_000);
    assert.equal(sha256(await cluster.read(file)), sha256(bytes));
  });
});

describe('safe mode after a head restart', () => {
  let remove: () => Promise<void>;
  let cluster: TestCluster;

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    cluster = new TestCluster(temp.dir);
    await cluster.start(2, { agent, filesystem: { ...filesystem, safeModeThreshold: 1, safeModeMaxMs: 120_000 } });
    await cluster.ok('POST', '/v1/projects', { json: { name: 'alpha' } });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data' } });
  });
  after(async () => {
    await cluster.stop();
    await remove();
  });

  test('writes are refused with SAFE_MODE, saying what it waits for, until the workers report; reads work meanwhile', async () => {
    // The head takes no new blocks while drained, so the file lives on the two workers only.
    await cluster.ok('POST', agentRoutes.hostDrain.replace(':hostId', 'head-1'));
    const bytes = testBytes(2 * blockSize, 3);
    await cluster.put('/Projects/alpha/data/f.bin', bytes, { blockSize, replication: 2 });
    await cluster.agent('worker-1').handle.stop();
    await cluster.agent('worker-2').handle.stop();
    await cluster.restart('head-1');

    const status = await cluster.ok<FsStatus>('GET', fsRoutes.status);
    assert.equal(status.safeMode.on, true);
    assert.deepEqual([status.safeMode.blocksTotal, status.safeMode.blocksReported], [2, 0]);
    const refused = await cluster.call('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data/new' } });
    assert.equal(refused.status, 503, refused.text);
    const error = refused.json<{ code: string; message: string; hint: string }>();
    assert.equal(error.code, 'SAFE_MODE');
    assert.match(error.message, /0 of 2 blocks reported/);
    assert.match(error.hint, /Wait until safe mode ends/);
    const upload = await cluster.call('PUT', fsRoutes.content, { query: { path: '/Projects/alpha/data/g.bin' }, body: testBytes(10, 1) });
    assert.equal(upload.status, 503);
    assert.equal((await cluster.ok<FileStat>('GET', fsRoutes.stat, { query: { path: '/Projects/alpha/data/f.bin' } })).size, bytes.length);
    assert.equal((await cluster.ok<FsckReport>('GET', fsRoutes.fsck)).safeMode.on, true);

    await cluster.restart('worker-1');
    await cluster.restart('worker-2');
    await waitFor('safe mode over', async () => !(await cluster.ok<FsStatus>('GET', fsRoutes.status)).safeMode.on, 20_000);
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data/new' } });
    assert.equal(sha256(await cluster.read('/Projects/alpha/data/f.bin')), sha256(bytes));
    assert.ok(cluster.head.log.entries().some((e) => e['msg'] === 'filesystem left safe mode'));
  });
});
