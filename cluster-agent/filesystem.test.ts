/**
 * The filesystem end to end: a head that is also a worker and two worker-only agents,
 * in-process, joined over mutual TLS on 127.0.0.1, driven through the head's client API
 * as the desktop drives it. Bytes read back are compared by SHA-256; faults are real
 * (a byte flipped in a replica file, a worker stopped, a client that goes away).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { mkdir, open, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { blockRoutes } from '../protocol/agent-api.ts';
import { fsPathRules, fsRoutes, type FileStat, type FsPathRule, type ListPage, type RemoveReply } from '../protocol/fs.ts';
import { startAgent, type AgentHandle } from './agent.ts';
import { TestCluster, blockFile, blockFiles, sha256, testBytes, type Reply } from './testing/fs-cluster.ts';
import { memoryLog, tempDir, testConfig, testTokens, waitFor } from './testing/helpers.ts';
import { makeTestPki } from './testing/pki.ts';

const run = promisify(execFile);

const KiB = 1024;
const blockSize = 64 * KiB;

/** Asserts a wire error; returns its message. */
function refused(reply: Reply, status: number, code: string): string {
  assert.equal(reply.status, status, reply.text);
  const body = reply.json<{ code: string; message: string }>();
  assert.equal(body.code, code, body.message);
  return body.message;
}

describe('the cluster filesystem', () => {
  let remove: () => Promise<void>;
  let cluster: TestCluster;

  let root: string;
  /** worker-2's data dir is a small tmpfs when the tests run as root (CI does), so that its disk can fill up. */
  let smallDisk: string | undefined;

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    root = temp.dir;
    cluster = new TestCluster(temp.dir);
    await cluster.start(2, {
      beforeStart: async (hostId, dataDir) => {
        if (hostId !== 'worker-2' || process.getuid?.() !== 0) return;
        await mkdir(dataDir, { recursive: true, mode: 0o700 });
        try {
          await run('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', dataDir]);
          smallDisk = dataDir;
        } catch (err) {
          console.log(`# worker-2 keeps an ordinary data dir: mounting a tmpfs failed (${(err as Error).message.trim()})`);
        }
      },
    });
    await cluster.ok('POST', '/v1/projects', { json: { name: 'alpha' } });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data' } });
  });
  after(async () => {
    await cluster.stop();
    if (smallDisk !== undefined) await run('umount', [smallDisk]);
    await remove();
  });

  test('round trips of 0 B, 1 B, a block ± 1 byte and several blocks, compared by SHA-256', async () => {
    const sizes = [0, 1, blockSize - 1, blockSize, blockSize + 1, 5 * blockSize + 123];
    for (const size of sizes) {
      const bytes = testBytes(size, size);
      const file = `/Projects/alpha/data/file-${size}.bin`;
      const stat = await cluster.put(file, bytes, { blockSize });
      assert.deepEqual({ size: stat.size, type: stat.type, complete: stat.complete, blockSize: stat.blockSize, replication: stat.replication }, {
        size,
        type: 'file',
        complete: true,
        blockSize,
        replication: 3,
      });
      const back = await cluster.read(file);
      assert.equal(back.length, size);
      assert.equal(sha256(back), sha256(bytes), `${size} bytes read back`);
      const located = await cluster.blocks(file);
      assert.equal(located.blocks.length, Math.ceil(size / blockSize));
    }
    const page = await cluster.ok<ListPage>('GET', fsRoutes.list, { query: { path: '/Projects/alpha/data' } });
    assert.deepEqual(page.entries.map((e) => e.name), sizes.map((s) => `file-${s}.bin`).sort());
  });

  test('each block is on `replication` distinct hosts, the head first, and on their disks', async () => {
    for (const replication of [1, 2, 3]) {
      const file = `/Projects/alpha/data/rf-${replication}.bin`;
      await cluster.put(file, testBytes(3 * blockSize + 5, replication), { blockSize, replication });
      const { blocks } = await cluster.blocks(file);
      assert.equal(blocks.length, 4);
      for (const block of blocks) {
        const hosts = block.replicas.map((r) => r.hostId);
        assert.equal(new Set(hosts).size, replication, JSON.stringify(block));
        assert.equal(hosts[0], 'head-1');
        assert.ok(block.replicas.every((r) => r.state === 'finalized'));
        for (const hostId of hosts) {
          const { blocks: files } = await blockFiles(cluster.agent(hostId).dataDir);
          assert.ok(files.some((f) => path.basename(f) === `blk_${block.blockId}_${block.sha256}`), `${block.blockId} on ${hostId}`);
        }
      }
    }
    const tooMany = await cluster.call('PUT', fsRoutes.content, { query: { path: '/Projects/alpha/data/rf-4.bin', replication: 4 }, body: Buffer.from('x') });
    assert.equal(tooMany.status, 503, tooMany.text);
    assert.equal(tooMany.json<{ code: string }>().code, 'NOT_ENOUGH_WORKERS');
  });

  /** Block files (whole and partial) on every host. */
  async function allBlockFiles(): Promise<{ blocks: number; partial: number }> {
    let blocks = 0;
    let partial = 0;
    for (const agent of cluster.agents) {
      const files = await blockFiles(agent.dataDir);
      blocks += files.blocks.length;
      partial += files.partial.length;
    }
    return { blocks, partial };
  }

  test('a flipped byte in one replica: the read returns the right bytes from another, the replica is reported corrupt and replaced', async () => {
    const file = '/Projects/alpha/data/flipped.bin';
    const bytes = testBytes(3 * blockSize, 7);
    await cluster.put(file, bytes, { blockSize });
    const before = await cluster.blocks(file);
    const target = before.blocks[1];
    assert.ok(target !== undefined);
    // The head reads its own replica first: corrupt that one.
    const first = target.replicas[0]?.hostId ?? '';
    assert.equal(first, 'head-1');
    const replicaFile = await blockFile(cluster.agent(first).dataDir, target.blockId);
    const handle = await open(replicaFile, 'r+');
    try {
      const one = Buffer.alloc(1);
      await handle.read(one, 0, 1, 1000);
      one[0] = (one[0] ?? 0) ^ 0x40;
      await handle.write(one, 0, 1, 1000);
    } finally {
      await handle.close();
    }
    assert.equal(sha256(await cluster.read(file)), sha256(bytes));
    assert.ok(cluster.head.log.entries().some((e) => e['msg'] === 'replica marked corrupt' && e['blockId'] === target.blockId));
    // Replaced from a good replica (head/replication.ts): three finalized again, the corrupt copy deleted.
    await waitFor('the corrupt replica replaced', async () => {
      const replicas = (await cluster.blocks(file)).blocks[1]?.replicas ?? [];
      return replicas.length === 3 && replicas.every((r) => r.state === 'finalized');
    });
    assert.deepEqual((await blockFiles(cluster.agent(first).dataDir)).corrupt, []);
    assert.equal(sha256(await cluster.read(file)), sha256(bytes));
  });

  test('a file being uploaded is invisible, and one whose client goes away is never seen and its blocks are reclaimed', async () => {
    const file = '/Projects/alpha/data/partial.bin';
    const baseline = await allBlockFiles();
    const total = 40 * blockSize;
    const request = http.request({
      host: '127.0.0.1',
      port: cluster.head.handle.port,
      method: 'PUT',
      path: `${fsRoutes.content}?${new URLSearchParams({ path: file, blockSize: String(blockSize) }).toString()}`,
      headers: { authorization: `Bearer ${testTokens.client}`, 'content-type': 'application/octet-stream', 'content-length': String(total) },
    });
    request.on('error', () => undefined);
    request.write(testBytes(5 * blockSize + 100, 9));
    // Blocks land on the workers while the upload runs…
    await waitFor('blocks of the upload on disk', async () => (await allBlockFiles()).blocks >= baseline.blocks + 3 * 5);
    // …and the file is nowhere to be seen.
    refused(await cluster.call('GET', fsRoutes.stat, { query: { path: file } }), 404, 'PATH_NOT_FOUND');
    const listed = await cluster.ok<ListPage>('GET', fsRoutes.list, { query: { path: '/Projects/alpha/data' } });
    assert.equal(listed.entries.some((e) => e.name === 'partial.bin'), false);
    request.destroy();
    await waitFor('the upload dropped', () => cluster.head.log.entries().some((e) => e['msg'] === 'upload failed; nothing of it kept' && e['path'] === file));
    refused(await cluster.call('GET', fsRoutes.stat, { query: { path: file } }), 404, 'PATH_NOT_FOUND');
    await waitFor('its blocks reclaimed from every host', async () => {
      const now = await allBlockFiles();
      return now.blocks === baseline.blocks && now.partial === 0;
    });
  });

  test('removing files and directories deletes their blocks; moves stay within a project', async () => {
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data/tree/a/b', parents: true } });
    await cluster.put('/Projects/alpha/data/tree/a/b/one.bin', testBytes(2 * blockSize, 11), { blockSize });
    await cluster.put('/Projects/alpha/data/tree/two.bin', testBytes(blockSize / 2, 12), { blockSize });
    const withTree = await allBlockFiles();
    const notEmpty = refused(await cluster.call('POST', fsRoutes.remove, { json: { path: '/Projects/alpha/data/tree' } }), 409, 'DIRECTORY_NOT_EMPTY');
    assert.match(notEmpty, /2 files and 2 directories/);
    // A move within the dataset, then the whole tree removed.
    const moved = await cluster.ok<FileStat>('POST', fsRoutes.move, { json: { from: '/Projects/alpha/data/tree/two.bin', to: '/Projects/alpha/data/tree/a/two.bin' } });
    assert.equal(moved.path, '/Projects/alpha/data/tree/a/two.bin');
    assert.equal(sha256(await cluster.read(moved.path)), sha256(testBytes(blockSize / 2, 12)));
    refused(await cluster.call('POST', fsRoutes.move, { json: { from: '/Projects/alpha/data/tree', to: '/Projects/alpha/data/tree/a/tree' } }), 400, 'PATH_INVALID');
    refused(await cluster.call('POST', fsRoutes.move, { json: { from: '/Projects/alpha/data/tree/a', to: '/Projects/beta/data/a' } }), 400, 'PATH_INVALID');
    // Removed permanently, skipping the trash (fs-sharing.test.ts covers the trash).
    const removed = await cluster.ok<RemoveReply>('POST', fsRoutes.remove, { json: { path: '/Projects/alpha/data/tree', recursive: true, permanent: true } });
    assert.deepEqual(removed, { path: '/Projects/alpha/data/tree', files: 2, dirs: 3 });
    refused(await cluster.call('GET', fsRoutes.stat, { query: { path: '/Projects/alpha/data/tree/a/two.bin' } }), 404, 'PATH_NOT_FOUND');
    await waitFor('the blocks of the removed files deleted on every host', async () => (await allBlockFiles()).blocks === withTree.blocks - 3 * 3);
  });

  test('an existing file is replaced only with overwrite, and only once the new one is complete', async () => {
    const file = '/Projects/alpha/data/replaced.bin';
    await cluster.put(file, testBytes(blockSize + 1, 21), { blockSize });
    refused(await cluster.call('PUT', fsRoutes.content, { query: { path: file }, body: Buffer.from('new') }), 409, 'PATH_EXISTS');
    const stat = await cluster.put(file, Buffer.from('new'), { overwrite: true });
    assert.equal(stat.size, 3);
    assert.equal((await cluster.read(file)).toString(), 'new');
    refused(await cluster.call('PUT', fsRoutes.content, { query: { path: '/Projects/alpha/data' }, body: Buffer.from('x'), }), 400, 'PATH_INVALID');
    refused(await cluster.call('PUT', fsRoutes.content, { query: { path: '/Projects/alpha/nowhere/x' }, body: Buffer.from('x') }), 404, 'PATH_NOT_FOUND');
    refused(await cluster.call('PUT', fsRoutes.content, { query: { path: file }, body: Buffer.from('x'), headers: { 'content-type': 'text/plain' } }), 400, 'VALIDATION');
  });

  test('a block the head does not know is deleted after the next block report', async () => {
    const worker = cluster.agent('worker-1');
    const stray = path.join(worker.dataDir, 'blocks', 'ab', `blk_ab${'0'.repeat(30)}_${'1'.repeat(64)}`);
    await mkdir(path.dirname(stray), { recursive: true });
    await writeFile(stray, 'not a block of any file');
    await waitFor('the stray block deleted', async () => !(await blockFiles(worker.dataDir)).blocks.includes(stray));
    assert.ok(worker.log.entries().some((e) => e['msg'] === 'deleted blocks the head no longer wants'));
  });

  test('a project holding datasets cannot be deleted until they are removed', async () => {
    await cluster.ok('POST', '/v1/projects', { json: { name: 'scratch' } });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/scratch/tmp' } });
    refused(await cluster.call('DELETE', '/v1/projects/scratch'), 409, 'PROJECT_NOT_EMPTY');
    await cluster.ok('POST', fsRoutes.remove, { json: { path: '/Projects/scratch/tmp' } });
    await cluster.ok('DELETE', '/v1/projects/scratch');
    await cluster.ok('POST', '/v1/projects', { json: { name: 'scratch' } });
    const page = await cluster.ok<ListPage>('GET', fsRoutes.list, { query: { path: '/Projects/scratch' } });
    assert.deepEqual(page, { entries: [], nextCursor: null });
  });

  test('the permission matrix: reading needs data.read, changing a dataset data.write, datasets themselves data.import', async () => {
    const olga = await cluster.user('olga');
    const sam = await cluster.user('sam');
    const nina = await cluster.user('nina');
    const admin = testTokens.client;
    await cluster.ok('POST', '/v1/projects', { json: { name: 'vision' }, token: olga });
    await cluster.ok('POST', '/v1/projects/vision/members', { json: { user: 'sam', role: 'data-scientist' }, token: olga });
    await cluster.ok('POST', fsRoutes.mkdir, { json: { path: '/Projects/vision/shared' }, token: olga });
    await cluster.put('/Projects/vision/shared/seed.txt', Buffer.from('seed'), {}, olga);
    const people = { olga, sam, nina, admin } as const;
    const grants: Record<keyof typeof people, Array<'data.read' | 'data.write' | 'data.import'>> = {
      olga: ['data.read', 'data.write', 'data.import'],
      sam: ['data.read', 'data.write'],
      nina: [],
      admin: [],
    };
    let unauthorizedSuccesses = 0;
    for (const [name, token] of Object.entries(people) as Array<[keyof typeof people, string]>) {
      await cluster.ok('POST', fsRoutes.mkdir, { json: { path: `/Projects/vision/old-${name}` }, token: olga });
      await cluster.put(`/Projects/vision/shared/mine-${name}`, Buffer.from(name), {}, olga);
      const calls: Array<['data.read' | 'data.write' | 'data.import', () => Promise<Reply>]> = [
        ['data.read', () => cluster.call('GET', fsRoutes.stat, { token, query: { path: '/Projects/vision/shared/seed.txt' } })],
        ['data.read', () => cluster.call('GET', fsRoutes.list, { token, query: { path: '/Projects/vision/shared' } })],
        ['data.read', () => cluster.call('GET', fsRoutes.content, { token, query: { path: '/Projects/vision/shared/seed.txt' } })],
        ['data.read', () => cluster.call('GET', fsRoutes.blocks, { token, query: { path: '/Projects/vision/shared/seed.txt' } })],
        ['data.write', () => cluster.call('POST', fsRoutes.mkdir, { token, json: { path: `/Projects/vision/shared/dir-${name}` } })],
        ['data.write', () => cluster.call('PUT', fsRoutes.content, { token, query: { path: `/Projects/vision/shared/new-${name}` }, body: Buffer.from('x') })],
        ['data.write', () => cluster.call('POST', fsRoutes.move, { token, json: { from: `/Projects/vision/shared/mine-${name}`, to: `/Projects/vision/shared/moved-${name}` } })],
        ['data.write', () => cluster.call('POST', fsRoutes.remove, { token, json: { path: `/Projects/vision/shared/mine-${name}` } })],
        ['data.import', () => cluster.call('POST', fsRoutes.mkdir, { token, json: { path: `/Projects/vision/new-${name}` } })],
        ['data.import', () => cluster.call('POST', fsRoutes.move, { token, json: { from: `/Projects/vision/old-${name}`, to: `/Projects/vision/renamed-${name}` } })],
        ['data.import', () => cluster.call('POST', fsRoutes.remove, { token, json: { path: `/Projects/vision/new-${name}` } })],
      ];
      for (const [permission, call] of calls) {
        const reply = await call();
        const allowed = grants[name].includes(permission);
        if (allowed) {
          // A removal after the move finds nothing to remove: 404, not 403.
          assert.ok(reply.status === 200 || reply.json<{ code: string }>().code === 'PATH_NOT_FOUND', `${name} ${permission}: ${reply.text}`);
        } else {
          if (reply.status < 400) unauthorizedSuccesses += 1;
          assert.match(refused(reply, 403, 'FORBIDDEN'), new RegExp(`${name} (is a Data Scientist in|is not a member of) "vision"; .* needs ${permission.replace('.', '\\.')}`));
        }
      }
    }
    assert.equal(unauthorizedSuccesses, 0);
    // /Projects lists the projects whose data the caller reads.
    const projectsOf = async (token: string) => (await cluster.ok<ListPage>('GET', fsRoutes.list, { token, query: { path: '/Projects' } })).entries.map((e) => e.name);
    assert.deepEqual(await projectsOf(olga), ['vision']);
    assert.deepEqual(await projectsOf(sam), ['vision']);
    assert.deepEqual(await projectsOf(nina), []);
    assert.deepEqual(await projectsOf(admin), ['alpha', 'scratch']);
    // Another project is closed to a Data Owner of this one; a missing one is 404 for all.
    refused(await cluster.call('GET', fsRoutes.list, { token: olga, query: { path: '/Projects/alpha/data' } }), 403, 'FORBIDDEN');
    refused(await cluster.call('GET', fsRoutes.list, { token: olga, query: { path: '/Projects/nothing/data' } }), 404, 'PROJECT_NOT_FOUND');
    // Dataset changes are in the project's audit log.
    const audit = await cluster.ok<{ entries: Array<{ action: string; target: string }> }>('GET', '/v1/projects/vision/audit', { token: olga });
    assert.ok(audit.entries.some((e) => e.action === 'dataset.create' && e.target === '/Projects/vision/shared'));
    assert.ok(audit.entries.some((e) => e.action === 'dataset.trash' && e.target === '/Projects/vision/new-olga'));
  });

  test('no filesystem route answers without a user token', async () => {
    const routes: Array<[string, string]> = [
      ['GET', fsRoutes.stat],
      ['GET', fsRoutes.list],
      ['POST', fsRoutes.mkdir],
      ['POST', fsRoutes.remove],
      ['POST', fsRoutes.move],
      ['GET', fsRoutes.blocks],
      ['GET', fsRoutes.content],
      ['PUT', fsRoutes.content],
    ];
    for (const [method, route] of routes) {
      for (const token of [testTokens.cluster, 'forged-token-0123456789abcdef']) {
        const reply = await cluster.call(method, route, { token, query: { path: '/Projects/alpha/data/file-1.bin' }, ...(method === 'POST' ? { json: { path: '/Projects/alpha/data/x' } } : {}) });
        refused(reply, 401, 'UNAUTHORIZED');
      }
    }
  });

  test('block routes answer on the cluster listener only, to a certificate of the cluster CA with the cluster token', async () => {
    const { blocks } = await cluster.blocks('/Projects/alpha/data/file-1.bin');
    const blockId = blocks[0]?.blockId ?? '';
    const otherCa = await makeTestPki(path.join(root, 'other-pki'), ['worker-1'], 'Some other CA');
    const clusterCa = await readFile(path.join(root, 'pki', 'ca.crt'), 'utf8');
    const cert = { cert: await readFile(path.join(root, 'pki', 'worker-1.crt'), 'utf8'), key: await readFile(path.join(root, 'pki', 'worker-1.key'), 'utf8') };
    const viaTls = (method: string, route: string, token: string, withCert = cert): Promise<number> =>
      new Promise((resolve, reject) => {
        const request = https.request(
          {
            host: '127.0.0.1',
            port: cluster.head.handle.cluster?.port,
            method,
            path: route,
            agent: false,
            ca: clusterCa,
            ...withCert,
            // The head's identity is checked elsewhere; these requests test what it lets in.
            checkServerIdentity: () => undefined,
            headers: { authorization: `Bearer ${token}` },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        request.on('error', reject);
        request.end();
      });
    const route = blockRoutes.block.replace(':blockId', blockId);
    assert.equal(await viaTls('GET', route, testTokens.cluster), 200);
    for (const token of [testTokens.client, 'forged-token-0123456789abcdef']) {
      for (const method of ['GET', 'DELETE', 'PUT']) assert.equal(await viaTls(method, route, token), 401);
    }
    // A certificate of another CA, even with a name the cluster knows, does not get through the handshake.
    const other = otherCa.hosts['worker-1'];
    assert.ok(other !== undefined);
    await assert.rejects(viaTls('GET', route, testTokens.cluster, { cert: other.cert, key: other.key }));
    // The client listener has no block routes, the cluster listener no filesystem routes.
    refused(await cluster.call('GET', route, { token: testTokens.cluster }), 404, 'NOT_FOUND');
    assert.equal(await viaTls('GET', `${fsRoutes.list}?path=/Projects`, testTokens.cluster), 404);
    assert.equal(sha256(await cluster.read('/Projects/alpha/data/file-1.bin')), sha256(testBytes(1, 1)), 'nothing was deleted');
  });

  test('bad paths are a 400 naming the rule, and nothing is written anywhere', async () => {
    const snapshot = async (): Promise<Set<string>> => {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return new Set(entries.map((e) => path.join(e.parentPath, e.name)));
    };
    const before = await snapshot();
    const deep = Array.from({ length: 62 }, () => 'd').join('/');
    const cases: Array<[string, FsPathRule]> = [
      ['Projects/alpha/data/x', 'absolute'],
      ['../../etc/passwd', 'absolute'],
      [`/Projects/alpha/data/${`${'n'.repeat(200)}/`.repeat(25)}x`, 'path-length'],
      ['/Projects/alpha/data/a\u0000b', 'no-control-characters'],
      ['/Projects/alpha/data/bell\u0007', 'no-control-characters'],
      ['/Projects/alpha//data/x', 'normalized'],
      ['/Projects/alpha/data/x/', 'normalized'],
      ['/Projects/alpha/data/../../../etc/passwd', 'no-dot-segments'],
      ['/Projects/alpha/./data/x', 'no-dot-segments'],
      [`/Projects/alpha/data/${'é'.repeat(128)}`, 'name-length'],
      [`/Projects/alpha/data/${deep}`, 'depth'],
      ['/etc/passwd', 'under-projects'],
      ['/Projects', 'managed-directory'],
      ['/Projects/alpha', 'managed-directory'],
      ['/Projects/alpha/file.txt', 'inside-dataset'],
    ];
    for (const [bad, rule] of cases) {
      const tries: Reply[] = [await cluster.call('PUT', fsRoutes.content, { query: { path: bad }, body: Buffer.from('escape') })];
      // A directory right under a project is a dataset: only files are refused there.
      if (rule !== 'inside-dataset') tries.push(await cluster.call('POST', fsRoutes.mkdir, { json: { path: bad, parents: true } }));
      if (!['managed-directory', 'inside-dataset'].includes(rule)) {
        tries.push(await cluster.call('GET', fsRoutes.stat, { query: { path: bad } }), await cluster.call('GET', fsRoutes.list, { query: { path: bad } }));
      }
      for (const reply of tries) {
        const message = refused(reply, 400, 'PATH_INVALID');
        assert.ok(message.includes(`(rule ${rule}: ${fsPathRules[rule]})`), `${JSON.stringify(bad)}: ${message}`);
      }
    }
    // A lone surrogate cannot travel in a query string, but can in JSON.
    assert.match(refused(await cluster.call('POST', fsRoutes.mkdir, { json: { path: '/Projects/alpha/data/\ud800' } }), 400, 'PATH_INVALID'), /rule well-formed/);
    const added = [...(await snapshot())].filter((file) => !before.has(file));
    assert.deepEqual(added, [], 'files created by refused requests');
  });

  test('a full disk on a worker: the upload fails with DISK_FULL naming it, and no partial block is left', async (t) => {
    if (smallDisk === undefined) {
      t.skip('needs root to give worker-2 a small tmpfs');
      return;
    }
    const baseline = await allBlockFiles();
    const file = '/Projects/alpha/data/too-big.bin';
    const reply = await cluster.call('PUT', fsRoutes.content, { query: { path: file, blockSize: 1024 * 1024, replication: 3 }, body: testBytes(12 * 1024 * 1024, 41) });
    assert.match(refused(reply, 507, 'DISK_FULL'), /Host worker-2 has no room/);
    refused(await cluster.call('GET', fsRoutes.stat, { query: { path: file } }), 404, 'PATH_NOT_FOUND');
    assert.deepEqual((await blockFiles(smallDisk)).partial, []);
    await waitFor('the blocks of the failed upload reclaimed', async () => {
      const now = await allBlockFiles();
      return now.blocks === baseline.blocks && now.partial === 0;
    });
    // The space is back: a file that fits goes through.
    const fits = testBytes(2 * 1024 * 1024, 42);
    await cluster.put(file, fits, { blockSize: 1024 * 1024, replication: 3 });
    assert.equal(sha256(await cluster.read(file)), sha256(fits));
  });

  // Last: it stops a worker.
  test('a worker stopped: reads fall back to another replica', async () => {
    const file = '/Projects/alpha/data/fallback.bin';
    const bytes = testBytes(4 * blockSize + 17, 31);
    await cluster.put(file, bytes, { blockSize });
    const { blocks } = await cluster.blocks(file);
    // The head's own replicas go missing, and the next host in line stops.
    const stopped = blocks[0]?.replicas[1]?.hostId ?? '';
    assert.match(stopped, /^worker-/);
    for (const block of blocks) await unlink(await blockFile(cluster.head.dataDir, block.blockId));
    await cluster.agent(stopped).handle.stop();
    assert.equal(sha256(await cluster.read(file)), sha256(bytes));
    // The head's missing replicas were forgotten (and are then copied back from the replicas left).
    const forgotten = cluster.head.log.entries().filter((e) => e['msg'] === 'replica missing on its host; forgotten' && e['hostId'] === 'head-1');
    assert.ok(blocks.every((b) => forgotten.some((e) => e['blockId'] === b.blockId)), 'missing replicas forgotten');
  });
});

describe('the filesystem of a one-host cluster (one plain listener, no TLS)', () => {
  let remove: () => Promise<void>;
  let agent: AgentHandle;

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    agent = await startAgent(await testConfig(temp.dir, { hostId: 'laptop', nvidiaSmi: 'nvidia-smi-not-installed', metricsIntervalMs: 1000, heartbeatIntervalMs: 500, unreachableAfterMs: 5000 }), { log: memoryLog() });
  });
  after(async () => {
    await agent.stop();
    await remove();
  });

  test('stores files on its own disk, one replica per block', async () => {
    const call = (method: string, route: string, init: { query?: Record<string, string>; json?: unknown; body?: Buffer } = {}) =>
      fetch(`http://127.0.0.1:${agent.port}${route}${init.query === undefined ? '' : `?${new URLSearchParams(init.query).toString()}`}`, {
        method,
        headers: { authorization: `Bearer ${testTokens.client}`, 'content-type': init.json === undefined ? 'application/octet-stream' : 'application/json' },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : init.body !== undefined ? { body: new Uint8Array(init.body) } : {}),
      });
    assert.equal((await call('POST', '/v1/projects', { json: { name: 'mine' } })).status, 200);
    assert.equal((await call('POST', fsRoutes.mkdir, { json: { path: '/Projects/mine/notes' } })).status, 200);
    const bytes = testBytes(3 * 4096 + 1, 5);
    const put = await call('PUT', fsRoutes.content, { query: { path: '/Projects/mine/notes/n.bin', blockSize: '4096' }, body: bytes });
    assert.equal(put.status, 200, await put.clone().text());
    assert.equal(((await put.json()) as FileStat).replication, 1);
    const back = Buffer.from(await (await call('GET', fsRoutes.content, { query: { path: '/Projects/mine/notes/n.bin' } })).arrayBuffer());
    assert.equal(sha256(back), sha256(bytes));
    const two = await call('PUT', fsRoutes.content, { query: { path: '/Projects/mine/notes/m.bin', replication: '2' }, body: bytes });
    assert.equal(two.status, 503);
    assert.match(((await two.json()) as { message: string }).message, /needs 2 healthy workers .* has 1/);
  });

  test('a download read slowly comes back whole, and one abandoned midway lets the next go on', async () => {
    const bytes = testBytes(12 * 1024 * KiB + 7, 9);
    const file = '/Projects/mine/notes/big.bin';
    const put = await fetch(`http://127.0.0.1:${agent.port}${fsRoutes.content}?${new URLSearchParams({ path: file, blockSize: String(4 * 1024 * KiB) })}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${testTokens.client}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(bytes),
    });
    assert.equal(put.status, 200, await put.clone().text());
    // The head reads each block into buffers it reads into again once sent: a reader that
    // keeps the connection full makes it wait on the socket, where a buffer handed on too
    // early would show as wrong bytes.
    const get = (stopAfter = Infinity) =>
      new Promise<Buffer>((resolve, reject) => {
        const query = new URLSearchParams({ path: file });
        http.get(`http://127.0.0.1:${agent.port}${fsRoutes.content}?${query}`, { headers: { authorization: `Bearer ${testTokens.client}` } }, async (response) => {
          const chunks: Buffer[] = [];
          let got = 0;
          try {
            for await (const chunk of response as AsyncIterable<Buffer>) {
              chunks.push(chunk);
              got += chunk.length;
              if (got > stopAfter) return response.destroy(), resolve(Buffer.concat(chunks));
              if (chunks.length % 16 === 0) await new Promise((wait) => setTimeout(wait, 15));
            }
            resolve(Buffer.concat(chunks));
          } catch (err) {
            reject(err as Error);
          }
        }).on('error', reject);
      });
    const partial = await get(3 * 1024 * KiB);
    assert.ok(partial.equals(bytes.subarray(0, partial.length)));
    assert.equal(sha256(await get()), sha256(bytes));
  });
});
