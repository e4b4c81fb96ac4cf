/**
 * Resumable uploads, range reads and quotas through the head's client API, on a real
 * in-process cluster (a head that is also a worker and two worker-only agents over mutual
 * TLS): a client that drops mid-stream and resumes at `committedBytes`, wrong offsets,
 * sessions kept across a head restart and dropped once expired, other users kept out;
 * range reads at and across block boundaries; quotas refused up front and crossed
 * mid-stream, with the usage as the head keeps it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { fsRoutes, type BlockLocations, type FileStat, type UploadSession } from '../../protocol/fs.ts';
import { projectRoutes, type Project } from '../../protocol/projects.ts';
import { TestCluster, blockFiles, sha256, testBytes, type Reply } from '../testing/fs-cluster.ts';
import { tempDir, waitFor } from '../testing/helpers.ts';

const KiB = 1024;
const blockSize = 64 * KiB;
const uploadRoute = (id: string) => fsRoutes.upload.replace(':uploadId', id);
const completeRoute = (id: string) => fsRoutes.uploadComplete.replace(':uploadId', id);

function refused(reply: Reply, status: number, code: string): string {
  assert.equal(reply.status, status, reply.text.slice(0, 500));
  const body = reply.json<{ code: string; message: string }>();
  assert.equal(body.code, code, body.message);
  return body.message;
}

/**
 * Starts `PUT url` with `bytes`' length and sends the first `sendBytes` of them; the
 * returned function cuts the connection, as a dropped link would.
 */
async function sendPart(port: number, url: string, token: string, bytes: Buffer, sendBytes: number): Promise<() => Promise<void>> {
  const request = http.request({
    host: '127.0.0.1',
    port,
    path: url,
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': bytes.length },
  });
  request.on('error', () => undefined);
  for (let at = 0; at < sendBytes; at += 16 * KiB) {
    const piece = bytes.subarray(at, Math.min(sendBytes, at + 16 * KiB));
    if (!request.write(piece)) await new Promise((resolve) => request.once('drain', resolve));
  }
  return async () => {
    request.destroy();
    await new Promise((resolve) => request.once('close', resolve));
  };
}

/** A body sent chunked (no length), as a client that does not know its size sends it. */
function chunked(bytes: Buffer): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(at, at + 32 * KiB)));
      at += 32 * KiB;
    },
  });
}

describe('upload sessions, range reads and quotas', () => {
  let cluster: TestCluster;
  let remove: () => Promise<void>;
  let olga: string;
  let sam: string;

  const append = (id: string, offset: number, bytes: Buffer, token?: string) =>
    cluster.call('PUT', uploadRoute(id), { query: { offset }, body: bytes, ...(token === undefined ? {} : { token }) });
  const open = (token: string, path: string, extra: Record<string, unknown> = {}) =>
    cluster.ok<UploadSession>('POST', fsRoutes.uploads, { token, json: { path, blockSize, ...extra } });
  const project = (name: string) => cluster.ok<Project>('GET', projectRoutes.project.replace(':project', name));

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    cluster = new TestCluster(temp.dir);
    await cluster.start(2);
    olga = await cluster.user('olga');
    sam = await cluster.user('sam');
    await cluster.ok('POST', projectRoutes.projects, { token: olga, json: { name: 'alpha' } });
    await cluster.ok('POST', projectRoutes.members.replace(':project', 'alpha'), { token: olga, json: { user: 'sam', role: 'data-scientist' } });
    await cluster.ok('POST', fsRoutes.mkdir, { token: olga, json: { path: '/Projects/alpha/data' } });
  });
  after(async () => {
    await cluster.stop();
    await remove();
  });

  test('a client that drops mid-block resumes at committedBytes; the file appears only when completed', async () => {
    const bytes = testBytes(5 * blockSize + 777, 5);
    const path = '/Projects/alpha/data/resumed.bin';
    const session = await open(olga, path, { size: bytes.length });
    assert.equal(session.committedBytes, 0);
    // 2.5 blocks sent, then the link drops: the two acknowledged blocks stay, the half one is lost.
    const drop = await sendPart(cluster.head.handle.port, `${uploadRoute(session.uploadId)}?offset=0`, olga, bytes, 2 * blockSize + blockSize / 2);
    await waitFor('the head to commit the blocks it got whole', async () => {
      const status = await cluster.ok<UploadSession>('GET', uploadRoute(session.uploadId), { token: olga });
      return status.committedBytes === 2 * blockSize;
    });
    await drop();
    const after = await cluster.ok<UploadSession>('GET', uploadRoute(session.uploadId), { token: olga });
    assert.equal(after.committedBytes, 2 * blockSize);
    assert.equal(after.size, bytes.length);
    refused(await cluster.call('GET', fsRoutes.stat, { token: olga, query: { path } }), 404, 'PATH_NOT_FOUND');
    refused(await cluster.call('POST', completeRoute(session.uploadId), { token: olga }), 400, 'UPLOAD_INCOMPLETE');

    const resumed = await append(session.uploadId, after.committedBytes, bytes.subarray(after.committedBytes), olga);
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.json<UploadSession>().committedBytes, bytes.length);
    const stat = await cluster.ok<FileStat>('POST', completeRoute(session.uploadId), { token: olga });
    assert.deepEqual([stat.path, stat.size, stat.complete], [path, bytes.length, true]);
    assert.equal(sha256(await cluster.read(path, olga)), sha256(bytes));
    const blocks = await cluster.ok<BlockLocations>('GET', fsRoutes.blocks, { token: olga, query: { path } });
    assert.deepEqual(blocks.blocks.map((b) => b.index), [0, 1, 2, 3, 4, 5], 'each block once');
    refused(await cluster.call('GET', uploadRoute(session.uploadId), { token: olga }), 404, 'UPLOAD_NOT_FOUND');
  });

  test('an append must start at committedBytes, and may not go past the declared size', async () => {
    const bytes = testBytes(2 * blockSize, 7);
    const session = await open(olga, '/Projects/alpha/data/offsets.bin', { size: bytes.length });
    assert.match(refused(await append(session.uploadId, 10, bytes, olga), 409, 'UPLOAD_OFFSET_MISMATCH'), /0 bytes committed; this append starts at 10/);
    assert.equal((await append(session.uploadId, 0, bytes.subarray(0, blockSize), olga)).status, 200);
    refused(await append(session.uploadId, 0, bytes, olga), 409, 'UPLOAD_OFFSET_MISMATCH');
    refused(await append(session.uploadId, blockSize, Buffer.concat([bytes.subarray(blockSize), Buffer.alloc(1)]), olga), 400, 'VALIDATION');
    refused(await cluster.call('PUT', uploadRoute(session.uploadId), { token: olga, query: { offset: -1 }, body: bytes }), 400, 'VALIDATION');
    refused(await cluster.call('GET', uploadRoute('not-an-id'), { token: olga }), 400, 'VALIDATION');
    await cluster.ok('DELETE', uploadRoute(session.uploadId), { token: olga });
    refused(await cluster.call('GET', uploadRoute(session.uploadId), { token: olga }), 404, 'UPLOAD_NOT_FOUND');
  });

  test("only the session's creator may use it, and only while they may still write", async () => {
    const bytes = testBytes(blockSize, 9);
    const session = await open(sam, '/Projects/alpha/data/sams.bin', { size: bytes.length });
    for (const [method, route, options] of [
      ['GET', uploadRoute(session.uploadId), {}],
      ['PUT', uploadRoute(session.uploadId), { query: { offset: 0 }, body: bytes }],
      ['POST', completeRoute(session.uploadId), {}],
      ['DELETE', uploadRoute(session.uploadId), {}],
    ] as const) {
      assert.match(refused(await cluster.call(method, route, { token: olga, ...options }), 403, 'FORBIDDEN'), /started by sam/);
    }
    // Sam leaves the project: his own session is closed to him too.
    await cluster.ok('DELETE', projectRoutes.member.replace(':project', 'alpha').replace(':user', 'sam'), { token: olga });
    assert.match(refused(await append(session.uploadId, 0, bytes, sam), 403, 'FORBIDDEN'), /data\.write/);
    await cluster.ok('POST', projectRoutes.members.replace(':project', 'alpha'), { token: olga, json: { user: 'sam', role: 'data-scientist' } });
    assert.equal((await append(session.uploadId, 0, bytes, sam)).status, 200);
    await cluster.ok('POST', completeRoute(session.uploadId), { token: sam });
  });

  test('a newer append takes over from one whose link went silent', async () => {
    const bytes = testBytes(3 * blockSize, 11);
    const session = await open(olga, '/Projects/alpha/data/takeover.bin', { size: bytes.length });
    // A request that sends a block and a half, then nothing: as a link that hangs rather than breaks.
    const stalled = http.request({
      host: '127.0.0.1',
      port: cluster.head.handle.port,
      path: `${uploadRoute(session.uploadId)}?offset=0`,
      method: 'PUT',
      headers: { authorization: `Bearer ${olga}`, 'content-type': 'application/octet-stream', 'content-length': bytes.length },
    });
    const ended = new Promise((resolve) => {
      stalled.on('error', resolve);
      stalled.on('response', resolve);
    });
    stalled.write(bytes.subarray(0, blockSize + blockSize / 2));
    const committed = await waitFor('the first block committed', async () => {
      const status = await cluster.ok<UploadSession>('GET', uploadRoute(session.uploadId), { token: olga });
      return status.committedBytes === blockSize ? status.committedBytes : undefined;
    });
    const resumed = await append(session.uploadId, committed, bytes.subarray(committed), olga);
    assert.equal(resumed.status, 200, resumed.text);
    await ended;
    await cluster.ok('POST', completeRoute(session.uploadId), { token: olga });
    assert.equal(sha256(await cluster.read('/Projects/alpha/data/takeover.bin', olga)), sha256(bytes));
  });

  test('range reads: edges, across block boundaries, and bad values', async () => {
    const bytes = testBytes(5 * blockSize + 123, 13);
    const path = '/Projects/alpha/data/ranges.bin';
    await cluster.put(path, bytes, { blockSize }, olga);
    const range = async (query: Record<string, number | string>) => cluster.call('GET', fsRoutes.content, { token: olga, query: { path, ...query } });
    for (const [offset, length] of [
      [0, 1],
      [blockSize - 1, 2],
      [blockSize, blockSize],
      [blockSize / 2, 3 * blockSize],
      [5 * blockSize, 123],
      [5 * blockSize + 122, 10],
      [bytes.length - 1, undefined],
      [1000, undefined],
      [7, 0],
    ] as const) {
      const reply = await range(length === undefined ? { offset } : { offset, length });
      assert.equal(reply.status, 200, reply.text);
      const end = length === undefined ? bytes.length : Math.min(bytes.length, offset + length);
      assert.equal(sha256(reply.bytes), sha256(bytes.subarray(offset, end)), `offset ${offset}, length ${String(length)}`);
    }
    const atEnd = await range({ offset: bytes.length });
    assert.deepEqual([atEnd.status, atEnd.bytes.length], [200, 0]);
    assert.match(refused(await range({ offset: bytes.length + 1 }), 416, 'RANGE_NOT_SATISFIABLE'), new RegExp(`has ${bytes.length} bytes; offset ${bytes.length + 1} is past its end`));
    for (const bad of [{ offset: -1 }, { offset: 'x' }, { length: -5 }] as Array<Record<string, number | string>>) refused(await range(bad), 400, 'VALIDATION');
  });

  test('quotas: set by the admin only, refused before bytes move, stopped when crossed mid-stream, freed by removal', async () => {
    await cluster.ok('POST', projectRoutes.projects, { token: olga, json: { name: 'quota' } });
    await cluster.ok('POST', fsRoutes.mkdir, { token: olga, json: { path: '/Projects/quota/d' } });
    const quotaRoute = projectRoutes.quota.replace(':project', 'quota');
    assert.match(refused(await cluster.call('PUT', quotaRoute, { token: olga, json: { quotaBytes: 1 } }), 403, 'FORBIDDEN'), /cluster admin/);
    const set = await cluster.ok<Project>('PUT', quotaRoute, { json: { quotaBytes: 3 * blockSize } });
    assert.deepEqual([set.quotaBytes, set.usedBytes], [3 * blockSize, 0]);

    // Known size: refused before any byte moves.
    const big = testBytes(4 * blockSize, 17);
    const before = (await blockFiles(cluster.head.dataDir)).blocks.length;
    const message = refused(await cluster.call('PUT', fsRoutes.content, { token: olga, query: { path: '/Projects/quota/d/big.bin', blockSize }, body: big }), 507, 'QUOTA_EXCEEDED');
    assert.match(message, /uses 0 B of its 192 KiB quota/);
    assert.equal((await blockFiles(cluster.head.dataDir)).blocks.length, before, 'no block written');
    refused(await cluster.call('POST', fsRoutes.uploads, { token: olga, json: { path: '/Projects/quota/d/big.bin', size: big.length } }), 507, 'QUOTA_EXCEEDED');

    // Unknown size: stopped when crossed, nothing kept or visible.
    const response = await fetch(`http://127.0.0.1:${cluster.head.handle.port}${fsRoutes.content}?path=/Projects/quota/d/stream.bin&blockSize=${blockSize}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${olga}`, 'content-type': 'application/octet-stream' },
      body: chunked(big),
      duplex: 'half',
    } as RequestInit);
    assert.equal(response.status, 507, await response.clone().text());
    assert.equal(((await response.json()) as { code: string }).code, 'QUOTA_EXCEEDED');
    refused(await cluster.call('GET', fsRoutes.stat, { token: olga, query: { path: '/Projects/quota/d/stream.bin' } }), 404, 'PATH_NOT_FOUND');
    assert.equal((await project('quota')).usedBytes, 0);

    // Files and open sessions count; the trash too, until a permanent removal frees it.
    await cluster.put('/Projects/quota/d/two.bin', testBytes(2 * blockSize, 19), { blockSize }, olga);
    assert.equal((await project('quota')).usedBytes, 2 * blockSize);
    const session = await open(olga, '/Projects/quota/d/one.bin', { size: blockSize });
    assert.equal((await project('quota')).usedBytes, 3 * blockSize);
    refused(await cluster.call('POST', fsRoutes.uploads, { token: olga, json: { path: '/Projects/quota/d/x.bin', size: 1 } }), 507, 'QUOTA_EXCEEDED');
    await cluster.ok('DELETE', uploadRoute(session.uploadId), { token: olga });
    assert.equal((await project('quota')).usedBytes, 2 * blockSize);
    await cluster.ok('POST', fsRoutes.remove, { token: olga, json: { path: '/Projects/quota/d/two.bin' } });
    assert.equal((await project('quota')).usedBytes, 2 * blockSize, 'a trashed file counts until purged');
    await cluster.ok('POST', fsRoutes.remove, { token: olga, json: { path: '/Projects/quota/d', recursive: true, permanent: true } });
    assert.equal((await project('quota')).usedBytes, 2 * blockSize, 'the trash still holds two.bin');
    const lifted = await cluster.ok<Project>('PUT', quotaRoute, { json: { quotaBytes: null } });
    assert.equal(lifted.quotaBytes, null);
  });
});

describe('upload sessions across head restarts', () => {
  let root: string;
  let remove: () => Promise<void>;
  const uploads: { kept?: UploadSession; expiring?: UploadSession } = {};
  const bytes = testBytes(3 * blockSize + 5, 23);

  before(async () => ({ dir: root, remove } = await tempDir()));
  after(async () => remove());

  /** A head-only cluster on `root`: a new TestCluster on the same root reuses its data dirs (and so cluster.db). */
  async function withHead<T>(filesystem: Record<string, unknown>, work: (cluster: TestCluster) => Promise<T>): Promise<T> {
    const cluster = new TestCluster(root);
    await cluster.start(0, { filesystem });
    try {
      return await work(cluster);
    } finally {
      await cluster.stop();
    }
  }

  test('a session keeps its committed blocks across a restart and completes after it', async () => {
    // Sessions of this first run expire 20 s after their last use, long enough to outlive the restart.
    await withHead({ uploadSessionTtlMs: 20_000 }, async (cluster) => {
      await cluster.ok('POST', projectRoutes.projects, { json: { name: 'restart' } });
      await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/restart/d' } });
      uploads.kept = await cluster.ok<UploadSession>('POST', fsRoutes.uploads, { json: { path: '/Projects/restart/d/kept.bin', size: bytes.length, blockSize } });
      // Two blocks and a bit: the bit is not a whole block, so it is not committed.
      const sent = await cluster.call('PUT', uploadRoute(uploads.kept.uploadId), { query: { offset: 0 }, body: bytes.subarray(0, 2 * blockSize + 100) });
      assert.equal(sent.json<UploadSession>().committedBytes, 2 * blockSize);
      uploads.expiring = await cluster.ok<UploadSession>('POST', fsRoutes.uploads, { json: { path: '/Projects/restart/d/expiring.bin', size: bytes.length, blockSize } });
      await cluster.call('PUT', uploadRoute(uploads.expiring.uploadId), { query: { offset: 0 }, body: bytes.subarray(0, blockSize) });
    });
    await withHead({}, async (cluster) => {
      const kept = await cluster.ok<UploadSession>('GET', uploadRoute(uploads.kept!.uploadId));
      assert.equal(kept.committedBytes, 2 * blockSize);
      await cluster.ok('PUT', uploadRoute(kept.uploadId), { query: { offset: kept.committedBytes }, body: bytes.subarray(kept.committedBytes) });
      await cluster.ok('POST', completeRoute(kept.uploadId));
      assert.equal(sha256(await cluster.read('/Projects/restart/d/kept.bin')), sha256(bytes));
    });
  });

  test('a session unused for uploadSessionTtlMs expires and its blocks are reclaimed', async () => {
    // Short sweeps here; the session itself expires 20 s after the first run last used it.
    await withHead({ uploadSessionTtlMs: 1500 }, async (cluster) => {
      const expiring = uploads.expiring!;
      // Reading a session uses it (and would push its expiry back), so the head's log tells when it went.
      await waitFor('the session to expire', () => cluster.head.log.lines.some((line) => line.includes('upload expired') && line.includes(expiring.uploadId)), 40_000);
      refused(await cluster.call('GET', uploadRoute(expiring.uploadId)), 404, 'UPLOAD_NOT_FOUND');
      // Only kept.bin's four blocks stay on the disk.
      await waitFor('the expired blocks reclaimed', async () => (await blockFiles(cluster.head.dataDir)).blocks.length === 4, 15_000);
      assert.equal(sha256(await cluster.read('/Projects/restart/d/kept.bin')), sha256(bytes));
    });
  });
});
